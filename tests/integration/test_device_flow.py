"""The device-first flow: pick a device, confirm the roles proposed from its entities.

Adjustable Bed (kristofferR/ha-adjustable-bed) cannot be installed here, so its entities are
made the way Home Assistant's own tests make another integration's: a mocked integration named
`adjustable_bed` whose platforms add real button and select entities, with that integration's
unique ids (`<bluetooth address>_<key>`), translation keys and a Bluetooth-connected device
(facts from its repository, commit 9337866). The bed's buttons record their presses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from homeassistant.components.button import ButtonEntity
from homeassistant.components.select import SelectEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.smart_massager.const import DOMAIN

from .conftest import suggested
from .test_from_entities import call

MAC = "aa:bb:cc:dd:ee:ff"
PRESSES: list[str] = []


class BedButton(ButtonEntity):
    """A bed button as Adjustable Bed creates it: never unavailable, pressing reconnects."""

    _attr_has_entity_name = True

    def __init__(self, key: str) -> None:
        self._attr_unique_id = f"{MAC}_{key}"
        self._attr_translation_key = key
        self._attr_name = key.replace("_", " ").capitalize()
        self._attr_device_info = DeviceInfo(
            connections={(dr.CONNECTION_BLUETOOTH, MAC)}, name="Bedroom bed"
        )
        self.key = key

    async def async_press(self) -> None:
        PRESSES.append(self.key)


class BedTimer(SelectEntity):
    """The bed's own massage timer select."""

    _attr_has_entity_name = True
    _attr_current_option = "Off"
    _attr_unique_id = f"{MAC}_massage_timer"
    _attr_translation_key = "massage_timer"
    _attr_name = "Massage timer"
    _attr_device_info = DeviceInfo(connections={(dr.CONNECTION_BLUETOOTH, MAC)}, name="Bedroom bed")

    def __init__(self) -> None:
        self._attr_options = ["Off", "10 min", "20 min", "30 min"]

    async def async_select_option(self, option: str) -> None:
        self._attr_current_option = option
        self.async_write_ha_state()


LINAK_BUTTONS = [
    "massage_all_toggle",
    "massage_all_off",
    "massage_all_up",
    "massage_all_down",
    "massage_head_toggle",
    "massage_mode_step",
    "preset_flat",  # not massage: never proposed
]


class BedFlow(ConfigFlow):
    """Adjustable Bed's config flow stands here only so its entry can be set up."""


@pytest.fixture(autouse=True)
def bed_flow() -> Iterator[None]:
    with mock_config_flow("adjustable_bed", BedFlow):
        yield


@pytest.fixture
async def linak_bed(hass: HomeAssistant) -> str:
    """A Linak-shaped base (buttons only) plus a timer select; returns the device id."""
    PRESSES.clear()

    async def buttons(
        _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([BedButton(key) for key in LINAK_BUTTONS])

    async def selects(
        _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([BedTimer()])

    async def set_up(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, ["button", "select"])
        return True

    assert await async_setup_component(hass, "homeassistant", {})
    mock_integration(hass, MockModule("adjustable_bed", async_setup_entry=set_up))
    mock_platform(hass, "adjustable_bed.config_flow", None)
    mock_platform(hass, "adjustable_bed.button", MockPlatform(async_setup_entry=buttons))
    mock_platform(hass, "adjustable_bed.select", MockPlatform(async_setup_entry=selects))
    bed_entry = MockConfigEntry(domain="adjustable_bed", title="Bedroom bed")
    bed_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(bed_entry.entry_id)
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_connection(
        (dr.CONNECTION_BLUETOOTH, MAC), bed_entry.entry_id
    )
    assert device is not None
    return device.id


async def open_device_step(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert "device" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "device"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "device")
    return result


async def test_a_linak_bed_in_two_screens(hass: HomeAssistant, linak_bed: str) -> None:
    result = await open_device_step(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": linak_bed}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "entities")
    proposal = suggested(result)
    assert proposal == {
        "name": "Bedroom bed",
        "power_entity": "button.bedroom_bed_massage_all_toggle",
        "stop_entity": "button.bedroom_bed_massage_all_off",
        "stronger_entity": "button.bedroom_bed_massage_all_up",
        "gentler_entity": "button.bedroom_bed_massage_all_down",
        "timer_entity": "select.bedroom_bed_massage_timer",
        "mode_step_entity": "button.bedroom_bed_massage_mode_step",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **proposal,
            "name": "Bed massage",
            "intensity_levels": 5,
            "running_above": 5,
            "min_minutes": 5,
            "max_minutes": 30,
            "session_minutes": 15,
            "modes": 4,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    fan = "fan.bed_massage"
    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=10)
    assert PRESSES == ["massage_all_toggle"]
    assert hass.states.get("select.bedroom_bed_massage_timer").state == "10 min"
    await call(hass, DOMAIN, "adjust", entity_id=fan, firmer=2)
    assert PRESSES == ["massage_all_toggle", "massage_all_up", "massage_all_up"]
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert PRESSES[-1] == "massage_all_off"  # a real off, not the toggle
    assert PRESSES.count("massage_all_toggle") == 1
    assert hass.states.get("select.bedroom_bed_massage_timer").state == "Off"
    # The mode button's modes are the programs, reached by stepping from the first mode.
    program = "select.bed_massage_program"
    assert hass.states.get(program).attributes["options"] == [
        "mode_1",
        "mode_2",
        "mode_3",
        "mode_4",
    ]
    PRESSES.clear()
    await call(hass, DOMAIN, "start_session", entity_id=fan, program="mode_3")
    assert PRESSES == ["massage_all_toggle", "massage_mode_step", "massage_mode_step"]
    assert hass.states.get(program).state == "mode_3"
    await call(hass, "select", "select_option", entity_id=program, option="mode_2")
    assert PRESSES[3:] == ["massage_mode_step"] * 3  # onwards round the four modes
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert hass.states.get(program).state == "mode_1"  # the bed starts again from its first


async def test_a_device_with_nothing_to_switch_a_massage_is_refused(
    hass: HomeAssistant,
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    entry = MockConfigEntry(domain="adjustable_bed")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, connections={(dr.CONNECTION_BLUETOOTH, MAC)}
    )
    result = await open_device_step(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": device.id}
    )
    assert result["errors"] == {"device": "no_massage_found"}


class NodeSwitch(SwitchEntity):
    """A switch of a DIY ESPHome massager, named as its builder named it."""

    _attr_has_entity_name = True

    def __init__(self, key: str, name: str) -> None:
        self._attr_unique_id = f"node-1-{key}"
        self._attr_name = name
        self._attr_is_on = False
        self._attr_device_info = DeviceInfo(identifiers={("diy", "node-1")}, name="Neck massager")

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self.async_write_ha_state()


async def test_a_device_no_table_covers_is_proposed_by_names(hass: HomeAssistant) -> None:
    async def switches(
        _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([NodeSwitch("motor", "Massager power"), NodeSwitch("pad", "Wärme")])

    async def set_up(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, ["switch"])
        return True

    assert await async_setup_component(hass, "homeassistant", {})
    mock_integration(hass, MockModule("diy", async_setup_entry=set_up))
    mock_platform(hass, "diy.config_flow", None)
    mock_platform(hass, "diy.switch", MockPlatform(async_setup_entry=switches))
    with mock_config_flow("diy", BedFlow):
        node = MockConfigEntry(domain="diy", title="Neck massager")
        node.add_to_hass(hass)
        assert await hass.config_entries.async_setup(node.entry_id)
        await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(("diy", "node-1"), node.entry_id)
    assert device is not None
    result = await open_device_step(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": device.id}
    )
    assert suggested(result) == {
        "name": "Neck massager",
        "power_entity": "switch.neck_massager_massager_power",
        "heat_entity": "switch.neck_massager_warme",
    }
