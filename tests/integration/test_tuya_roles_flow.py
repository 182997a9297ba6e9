"""A Tuya massager no shipped map fits, added through the role step and run.

The device is the Tuya emulator's neck massager (shaped like Tuya's reference neck massager
design: custom ids 101-105, an Enum heat, a gear of "0".."15", an on/off that reads false while
it runs) over loopback TCP; the user pastes its devices.json entry and confirms the roles.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from conftest import start_tuya
from custom_components.smart_massager import tuya_flow
from custom_components.smart_massager.const import DOMAIN
from emulators.tuya import TuyaEmulatorServer

from .conftest import suggested
from .entries import to_tuya_roles

pytestmark = pytest.mark.usefixtures("socket_enabled")
FAN = "fan.neck_massager"
CONFIRMED = {
    "power": "on_off",
    "programs": ["work_pattern"],
    "intensity": "gear",
    "heat": "heat_gear",
    "heat_off": "off",
    "power_inverted": True,
}


@pytest.fixture
async def neck(monkeypatch: pytest.MonkeyPatch) -> AsyncGenerator[TuyaEmulatorServer]:
    server = await start_tuya("neck_massager", "3.4")
    # The flow's listener on an OS-chosen loopback port; entries use the emulator's port.
    monkeypatch.setattr(tuya_flow, "DISCOVERY_PORTS", (0,))
    monkeypatch.setattr(tuya_flow, "DISCOVERY_HOST", "127.0.0.1")
    monkeypatch.setattr(tuya_flow, "DEFAULT_PORT", server.port)
    yield server
    await server.stop()


async def test_the_role_step_proposes_and_the_massager_runs(
    hass: HomeAssistant, neck: TuyaEmulatorServer
) -> None:
    result = await to_tuya_roles(hass, neck)
    # What the user is asked to confirm: the proposal from codes, types and ranges.
    assert suggested(result) == {
        "power": "on_off",
        "programs": ["work_pattern"],
        "intensity": "gear",
        "heat": "heat_gear",
        "heat_off": "off",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CONFIRMED)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    data = result["data"]
    assert data["datapoint_map"] == "device"
    assert data["device_map"]["dp_ids"] == {
        "on_off": 105,
        "work_pattern": 104,
        "gear": 103,
        "heat_gear": 102,
    }
    await hass.async_block_till_done()

    assert hass.states.get(FAN).state == "off"  # on_off reads true: the massager is off
    await hass.services.async_call(
        DOMAIN,
        "start_session",
        {"entity_id": FAN, "program": "vitality", "intensity": 5, "heat": True},
        blocking=True,
    )
    device = neck.device
    assert device.value("on_off") is False
    assert (device.value("work_pattern"), device.value("gear"), device.value("heat_gear")) == (
        "vitality",
        "4",
        "strong",
    )
    assert hass.states.get(FAN).state == "on"
    await hass.services.async_call("fan", "turn_off", {"entity_id": FAN}, blocking=True)
    assert (device.value("on_off"), device.value("heat_gear")) == (True, "off")
    assert hass.states.get(FAN).state == "off"
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"zone": "work_pattern"}, {"zone": "datapoint_twice"}),
        ({"heat_off": None}, {"heat_off": "heat_off_value"}),
        # Idle, it reads its on/off as true: taken as not reversed, every stop would start it.
        ({"power_inverted": False}, {"power_inverted": "reports_running"}),
    ],
)
async def test_a_role_that_does_not_fit_is_named_on_its_field(
    hass: HomeAssistant,
    neck: TuyaEmulatorServer,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    result = await to_tuya_roles(hass, neck)
    answer = {key: value for key, value in {**CONFIRMED, **changes}.items() if value is not None}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert (result["type"], result["step_id"], result["errors"]) == (
        FlowResultType.FORM,
        "tuya_roles",
        errors,
    )
    assert not hass.config_entries.async_entries(DOMAIN)  # nothing was created


async def test_a_plug_stays_out_and_a_known_massager_is_offered_first(
    hass: HomeAssistant, neck: TuyaEmulatorServer
) -> None:
    plug = {
        "name": "Desk plug",
        "id": "bf" + "1" * 18,
        "key": "x" * 16,
        "mapping": {"1": {"code": "switch_1", "type": "Boolean"}},
    }
    chair = {**neck.device_entry(), "id": "bf" + "2" * 18, "name": "Chair"}
    chair["mapping"] = {
        "1": {"code": "switch", "type": "Boolean"},
        "2": {"code": "heat", "type": "Boolean"},
    }
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], {"next_step_id": "tuya"})
    result = await flow.async_configure(result["flow_id"], {"next_step_id": "tuya_paste"})
    pasted = json.dumps([plug, chair, neck.device_entry()])
    result = await flow.async_configure(result["flow_id"], {"devices_json": pasted})
    assert result["step_id"] == "tuya_pick"
    (field,) = result["data_schema"].schema.values()
    assert [option["value"] for option in field.config["options"]] == ["0", "none"]
    result = await flow.async_configure(result["flow_id"], {"device": "none"})
    (field,) = result["data_schema"].schema.values()
    labels = [option["label"] for option in field.config["options"]]
    assert len(labels) == 1  # the plug is no massager
    assert labels[0].startswith("Neck massager")
    await to_tuya_roles(hass, neck, [plug])  # a file of a plug and the neck massager: roles offered


async def test_the_roles_are_changed_in_the_options(
    hass: HomeAssistant, neck: TuyaEmulatorServer
) -> None:
    result = await to_tuya_roles(hass, neck)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CONFIRMED)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert hass.states.get("switch.neck_massager_heat") is not None

    options = hass.config_entries.options
    result = await options.async_init(entry.entry_id)
    assert "tuya_roles" in result["menu_options"]
    result = await options.async_configure(result["flow_id"], {"next_step_id": "tuya_roles"})
    assert suggested(result) == {**CONFIRMED}  # the entry's own roles, to change
    # A datapoint twice is refused here too, and the entry is left as it was.
    bad = await options.async_configure(result["flow_id"], {**CONFIRMED, "zone": "gear"})
    assert bad["errors"] == {"zone": "datapoint_twice"}
    # Checked on the device too: the wrong polarity is refused, and nothing is saved.
    bad = await options.async_configure(bad["flow_id"], {**CONFIRMED, "power_inverted": False})
    assert bad["errors"] == {"power_inverted": "reports_running"}
    assert entry.data["device_map"]["power_inverted"] is True
    without_heat = {
        key: value for key, value in CONFIRMED.items() if key not in ("heat", "heat_off")
    }
    result = await options.async_configure(bad["flow_id"], without_heat)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.data["device_map"]["roles"]["heat"] is None
    heat = hass.states.get("switch.neck_massager_heat")  # reloaded without heat: not provided
    assert heat is None or heat.state == "unavailable"
    await hass.services.async_call("fan", "turn_on", {"entity_id": FAN}, blocking=True)
    assert neck.device.running
    await hass.config_entries.async_unload(entry.entry_id)
