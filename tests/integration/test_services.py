"""The actions against the emulator: success, every refusal (device unchanged), device errors."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from conftest import SERIAL
from custom_components.smart_massager.const import (
    CONF_DEFAULT_INTENSITY,
    CONF_DEFAULT_MINUTES,
    DOMAIN,
)
from emulators.reference import Catalogue, EmulatorServer, Status

FAN = "fan.back_massager"


async def action(hass: HomeAssistant, service: str, **data: Any) -> None:
    data.setdefault("entity_id", FAN)
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def test_start_session_with_every_setting(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await action(
        hass,
        "start_session",
        program="palm_circles",
        zone="lower_back",
        intensity=6,
        minutes=10,
        heat=True,
    )
    device = emulator.device
    assert (
        device.status,
        device.program,
        device.zone,
        device.intensity,
        device.minutes,
        device.heat,
    ) == (
        Status.RUNNING,
        "palm_circles",
        "lower_back",
        6,
        10,
        True,
    )
    assert hass.states.get(FAN).state == "on"


async def test_start_session_by_device_and_options_fallback(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_DEFAULT_MINUTES: 20, CONF_DEFAULT_INTENSITY: 3}
    )
    device_entry = device_registry.async_get_device_by_identifier(
        (DOMAIN, SERIAL), init_integration.entry_id
    )
    assert device_entry is not None
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": device_entry.id}, blocking=True
    )
    assert (emulator.device.minutes, emulator.device.intensity) == (20, 3)
    await action(hass, "stop_session")
    assert emulator.device.status is Status.IDLE


REFUSALS = [
    ({"program": "spine_crusher"}, "invalid_program", "palm_circles"),
    ({"zone": "spine"}, "invalid_zone", "lower_back"),
    ({"intensity": 15}, "invalid_intensity", "10"),
    ({"intensity": 0}, "invalid_intensity", "1"),
    ({"minutes": 31}, "invalid_minutes", "30"),
    ({"minutes": 0}, "invalid_minutes", "30"),
]


@pytest.mark.parametrize(("data", "key", "named"), REFUSALS)
async def test_start_session_refusals_change_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    data: dict[str, Any],
    key: str,
    named: str,
) -> None:
    before, requests = emulator.device.state_json(), emulator.requests
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "start_session", **data)
    assert err.value.translation_key == key
    # The message names the allowed values.
    assert named in " ".join(err.value.translation_placeholders.values())
    assert emulator.requests == requests  # nothing was sent
    assert {**emulator.device.state_json(), "now": 0} == {**before, "now": 0}


async def test_refusals_that_depend_on_state_or_target(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await action(hass, "start_session")
    requests = emulator.requests
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "start_session")
    assert err.value.translation_key == "session_active"
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "run_routine", routine="evening_back_pain_relief")
    assert err.value.translation_key == "session_active"
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "start_session", entity_id="sun.sun")
    assert err.value.translation_key == "not_a_massager"
    assert emulator.requests == requests


async def test_heat_refused_on_a_device_without_heat(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> None:
    emulator.device.catalogue = Catalogue(heat=False)
    entry = config_entry  # the device's catalogue is set first, then it is set up
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "start_session", heat=True)
    assert err.value.translation_key == "heat_not_supported"
    assert emulator.device.status is Status.IDLE
    await hass.config_entries.async_unload(entry.entry_id)


async def test_adjust_gentler_firmer_clamped(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await action(hass, "start_session", intensity=5)
    await action(hass, "adjust", gentler=2)
    assert emulator.device.intensity == 3
    await action(hass, "adjust", gentler=9)
    assert emulator.device.intensity == 1  # clamped, not refused
    await action(hass, "adjust", firmer=20)
    assert emulator.device.intensity == 10
    await action(hass, "adjust", intensity=4, zone="shoulders", heat=True)
    assert (emulator.device.intensity, emulator.device.zone, emulator.device.heat) == (
        4,
        "shoulders",
        True,
    )
    assert emulator.device.status is Status.RUNNING

    for data, key in (
        ({"gentler": 1, "firmer": 1}, "adjust_one_intensity"),
        ({}, "nothing_to_adjust"),
        ({"program": "spine_crusher"}, "invalid_program"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await action(hass, "adjust", **data)
        assert err.value.translation_key == key
    assert emulator.device.intensity == 4


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "routine_or_steps"),
        ({"routine": "x", "steps": [{"program": "shiatsu", "minutes": 2}]}, "routine_or_steps"),
        ({"routine": "marathon"}, "invalid_routine"),
        ({"steps": []}, "empty_steps"),
        ({"steps": [{"program": "shiatsu", "minutes": 45}]}, "invalid_minutes"),
        ({"steps": [{"program": "shiatsu", "minutes": 5, "intensity": 11}]}, "invalid_intensity"),
        ({"steps": [{"program": "shiatsu", "minutes": 5, "zone": "spine"}]}, "invalid_zone"),
        ({"routine": "evening_back_pain_relief", "zone": "spine"}, "invalid_zone"),
    ],
)
async def test_run_routine_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    data: dict[str, Any],
    key: str,
) -> None:
    requests = emulator.requests
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "run_routine", **data)
    assert err.value.translation_key == key
    assert emulator.requests == requests
    assert emulator.device.status is Status.IDLE


async def test_device_failure_is_a_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    emulator.faults.http_500 = True
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "start_session")
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "unexpected_response"
    emulator.faults.http_500 = False


async def test_not_loaded_massager_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "start_session")
    assert err.value.translation_key == "massager_not_loaded"
