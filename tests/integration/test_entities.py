"""Every entity: snapshots, every control checked on the emulator, device-side changes pushed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.fan import (
    ATTR_PERCENTAGE,
    ATTR_PRESET_MODE,
    SERVICE_SET_PERCENTAGE,
    SERVICE_SET_PRESET_MODE,
)
from homeassistant.components.fan import (
    DOMAIN as FAN_DOMAIN,
)
from homeassistant.components.number import (
    ATTR_VALUE,
    SERVICE_SET_VALUE,
)
from homeassistant.components.number import (
    DOMAIN as NUMBER_DOMAIN,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from conftest import SERIAL
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.fan import level_for_percentage, percentage_for_level
from emulators.reference import Catalogue, EmulatorServer, Status
from pysmartmassager import LevelRange

from .conftest import wait_for
from .setups import SETUPS, set_up_massager

FAN = "fan.back_massager"


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


@pytest.mark.parametrize(
    "platform",
    [
        Platform.BUTTON,
        Platform.FAN,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
)
@pytest.mark.parametrize("kind", SETUPS)
async def test_entities_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
    kind: str,
    platform: Platform,
) -> None:
    # One platform per snapshot (snapshot_platform's rule; the .ambr diffs stay readable).
    async with set_up_massager(kind, hass, emulator, config_entry, [platform]) as massager:
        entry_id = massager.entry.entry_id
        if not er.async_entries_for_config_entry(entity_registry, entry_id):
            # A device without what the platform shows (no pause: no buttons), recorded too.
            assert f"no {platform} entities" == snapshot
            return
        await snapshot_platform(hass, entity_registry, snapshot, entry_id)


async def test_device_info(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, SERIAL), init_integration.entry_id
    )
    assert device is not None
    assert (
        device.name,
        device.manufacturer,
        device.model,
        device.serial_number,
        device.sw_version,
    ) == (
        "Back massager",
        "Smart Massager",
        "SM-Back One",
        SERIAL,
        "1.4.2",
    )
    assert device.configuration_url == f"http://127.0.0.1:{emulator.port}/api/v1/pair"


async def test_fan_controls_the_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    device = emulator.device
    assert hass.states.get(FAN).state == "off"

    await call(
        hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN, **{ATTR_PERCENTAGE: 70, ATTR_PRESET_MODE: "shiatsu"}
    )
    assert (device.status, device.intensity, device.program) == (Status.RUNNING, 7, "shiatsu")
    state = hass.states.get(FAN)
    assert (state.state, state.attributes[ATTR_PERCENTAGE], state.attributes[ATTR_PRESET_MODE]) == (
        "on",
        70,
        "shiatsu",
    )

    await call(hass, FAN_DOMAIN, SERVICE_SET_PERCENTAGE, FAN, **{ATTR_PERCENTAGE: 20})
    assert device.intensity == 2
    await call(hass, FAN_DOMAIN, SERVICE_SET_PRESET_MODE, FAN, **{ATTR_PRESET_MODE: "palm_circles"})
    assert device.program == "palm_circles"

    # Paused: "turn on" resumes instead of refusing.
    await wait_for(hass, lambda: emulator.stream_count == 1)
    device.pause()
    await wait_for(hass, lambda: hass.states.get("sensor.back_massager_status").state == "paused")
    await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    assert device.status is Status.RUNNING

    await call(hass, FAN_DOMAIN, SERVICE_SET_PERCENTAGE, FAN, **{ATTR_PERCENTAGE: 0})
    assert device.status is Status.IDLE
    assert hass.states.get(FAN).state == "off"

    # A level on an idle massager starts it at that level.
    await call(hass, FAN_DOMAIN, SERVICE_SET_PERCENTAGE, FAN, **{ATTR_PERCENTAGE: 100})
    assert (device.status, device.intensity) == (Status.RUNNING, 10)
    await call(hass, FAN_DOMAIN, SERVICE_TURN_OFF, FAN)
    assert device.status is Status.IDLE


async def test_unknown_preset_is_refused_before_the_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    requests = emulator.requests
    with pytest.raises(ServiceValidationError):
        await call(hass, FAN_DOMAIN, SERVICE_SET_PRESET_MODE, FAN, **{ATTR_PRESET_MODE: "spine"})
    assert emulator.requests == requests
    assert emulator.device.program == "warm_up_glide"


async def test_selects_numbers_switch_buttons(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    device = emulator.device
    await call(
        hass,
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        "select.back_massager_program",
        **{ATTR_OPTION: "trigger_point"},
    )
    await call(
        hass,
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        "select.back_massager_zone",
        **{ATTR_OPTION: "lower_back"},
    )
    await call(
        hass, NUMBER_DOMAIN, SERVICE_SET_VALUE, "number.back_massager_intensity", **{ATTR_VALUE: 8}
    )
    await call(
        hass,
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        "number.back_massager_session_length",
        **{ATTR_VALUE: 12},
    )
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, "switch.back_massager_heat")
    assert (device.program, device.zone, device.intensity, device.minutes, device.heat) == (
        "trigger_point",
        "lower_back",
        8,
        12,
        True,
    )
    assert hass.states.get("select.back_massager_zone").state == "lower_back"
    assert hass.states.get("number.back_massager_intensity").state == "8"
    assert hass.states.get("switch.back_massager_heat").state == "on"
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, "switch.back_massager_heat")
    assert device.heat is False

    await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    assert hass.states.get("sensor.back_massager_status").state == "running"
    ends = dt_util.parse_datetime(hass.states.get("sensor.back_massager_session_ends").state)
    assert ends is not None
    assert abs((ends - dt_util.utcnow()) - timedelta(minutes=12)) < timedelta(seconds=3)
    assert hass.states.get("sensor.back_massager_remaining").state == "12"

    await call(hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.back_massager_pause")
    assert device.status is Status.PAUSED
    assert hass.states.get("sensor.back_massager_status").state == "paused"
    assert hass.states.get("sensor.back_massager_session_ends").state == "unknown"
    await call(hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.back_massager_resume")
    assert device.status is Status.RUNNING

    # The session length cannot change mid-session: refused before reaching the device.
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            "number.back_massager_session_length",
            **{ATTR_VALUE: 25},
        )
    assert err.value.translation_key == "length_during_session"
    assert device.minutes == 12
    await call(hass, FAN_DOMAIN, SERVICE_TURN_OFF, FAN)
    with pytest.raises(ServiceValidationError):
        await call(hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.back_massager_resume")


async def test_device_side_change_is_pushed(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await wait_for(hass, lambda: emulator.stream_count == 1)
    requests = emulator.requests
    emulator.device.press({"action": "start", "intensity": 3, "zone": "shoulders"})
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on")
    assert hass.states.get("number.back_massager_intensity").state == "3"
    assert hass.states.get("select.back_massager_zone").state == "shoulders"
    # Nothing was polled: the change arrived over the event stream alone.
    assert emulator.requests == requests


async def test_session_end_on_the_device_turns_heat_off(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await wait_for(hass, lambda: emulator.stream_count == 1)
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, "switch.back_massager_heat")
    await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    emulator.device.clock_offset = timedelta(minutes=16)
    emulator.device.check_deadlines()
    await wait_for(hass, lambda: hass.states.get(FAN).state == "off")
    assert hass.states.get("sensor.back_massager_status").state == "finished"
    assert hass.states.get("switch.back_massager_heat").state == "off"


async def test_device_errors_become_translated_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    emulator.faults.http_500 = True
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    assert err.value.translation_key == "unexpected_response"
    emulator.faults.http_500 = False
    # Entity state stays the device's real state.
    assert hass.states.get(FAN).state == "off"

    emulator.faults.delay_s = 0.5
    init_integration.runtime_data.massager.request_timeout = 0.1  # type: ignore[attr-defined]
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    assert err.value.translation_key == "timeout"
    emulator.faults.delay_s = 0
    await hass.async_block_till_done()

    init_integration.runtime_data.massager.request_timeout = 2  # type: ignore[attr-defined]
    emulator.device.revoke_tokens()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, FAN_DOMAIN, SERVICE_TURN_ON, FAN)
    assert err.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()


async def test_device_without_heat_or_pause_has_no_such_entities(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> None:
    emulator.device.catalogue = Catalogue(heat=False, pause=False)
    entry = config_entry  # the device's catalogue is set first, then it is set up
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(FAN) is not None
    assert hass.states.get("switch.back_massager_heat") is None
    assert hass.states.get("button.back_massager_pause") is None
    assert hass.states.get("button.back_massager_resume") is None
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("levels", "pairs"),
    [
        (LevelRange(1, 10), [(1, 10), (5, 50), (10, 100)]),
        (LevelRange(1, 3), [(1, 33), (2, 66), (3, 100)]),
        (LevelRange(0, 20, 5), [(0, 20), (10, 60), (20, 100)]),
        # What the Tuya transport makes of a 1..3,000,000 step 3 intensity: 100 levels on the
        # device's grid, positions computed, never listed.
        (LevelRange(1, 2_970_001, 30_000), [(1, 1), (1_500_001, 51), (2_970_001, 100)]),
    ],
)
def test_percentage_mapping_round_trips(levels: LevelRange, pairs: list[tuple[int, int]]) -> None:
    for level, percentage in pairs:
        assert percentage_for_level(levels, level) == percentage
        assert level_for_percentage(levels, percentage) == level
    assert level_for_percentage(levels, 1) == levels.minimum
