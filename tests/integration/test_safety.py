"""Safety limits end to end: routine totals, stopping several massagers, the session guard."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import pytest
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from conftest import SERIAL, pair_directly
from custom_components.smart_massager.const import (
    CONF_TOKEN,
    DOMAIN,
    MAX_ROUTINE_STEPS,
    ROUTINE_CAP_FACTOR,
)
from emulators.reference import EmulatorServer, Status, VirtualMassager

from .conftest import wait_for

FAN = "fan.back_massager"


async def action(hass: HomeAssistant, service: str, **data: Any) -> None:
    data.setdefault("entity_id", FAN)
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


def steps(count: int, minutes: int) -> list[dict[str, Any]]:
    return [{"program": "shiatsu", "minutes": minutes, "intensity": 10}] * count


@pytest.mark.parametrize(
    ("data", "key", "limit"),
    [
        # The attack from the issue: 200 steps of 30 min at intensity 10 with heat (100 hours).
        ({"steps": steps(200, 30), "heat": True}, "routine_too_many_steps", MAX_ROUTINE_STEPS),
        # Few steps, but more than twice the device's 30-minute cap in total.
        ({"steps": steps(3, 30)}, "routine_too_long", ROUTINE_CAP_FACTOR * 30),
        # Heat is limited to one cap in total.
        ({"steps": steps(2, 20), "heat": True}, "routine_heat_too_long", 30),
    ],
)
async def test_routine_totals_are_bounded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    data: dict[str, Any],
    key: str,
    limit: int,
) -> None:
    requests = emulator.requests
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "run_routine", **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders["max"] == str(limit)
    # The message names the limit.
    assert str(limit) in str(err.value)
    assert emulator.requests == requests
    assert emulator.device.status is Status.IDLE


async def test_routine_within_limits_runs(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    # Exactly at the limits: 2 steps of 30 minutes without heat is accepted.
    await action(hass, "run_routine", steps=steps(2, 30))
    await wait_for(hass, lambda: emulator.device.status is Status.RUNNING)
    await action(hass, "stop_routine")


@pytest.fixture
async def second_massager(
    hass: HomeAssistant, socket_enabled: None
) -> AsyncGenerator[tuple[EmulatorServer, MockConfigEntry]]:
    device = VirtualMassager(serial="SM-TEST-0002", name="Neck massager")
    server = EmulatorServer(device)
    await server.start()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Neck massager",
        unique_id="SM-TEST-0002",
        data={CONF_HOST: server.host, CONF_PORT: server.port, CONF_TOKEN: pair_directly(device)},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield server, entry
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    await server.stop()
    device.shutdown()


async def test_stop_reaches_every_reachable_massager(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    second_massager: tuple[EmulatorServer, MockConfigEntry],
) -> None:
    other, other_entry = second_massager
    registry = dr.async_get(hass)
    back = registry.async_get_device_by_identifier((DOMAIN, SERIAL), init_integration.entry_id)
    neck = registry.async_get_device_by_identifier((DOMAIN, "SM-TEST-0002"), other_entry.entry_id)
    assert back is not None
    assert neck is not None
    targets = [back.id, neck.id]
    await hass.services.async_call(DOMAIN, "start_session", {"device_id": targets}, blocking=True)
    assert emulator.device.status is other.device.status is Status.RUNNING

    # One target unreachable: the other is still stopped, then the failure names the first.
    emulator.faults.http_500 = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "stop_session", {"device_id": targets}, blocking=True
        )
    emulator.faults.http_500 = False
    assert err.value.translation_key == "stop_failed"
    assert err.value.translation_placeholders == {"names": "Back massager"}
    assert other.device.status is Status.IDLE

    # One target not loaded: the loaded one is stopped, the unloaded one is reported.
    await hass.services.async_call(DOMAIN, "start_session", {"device_id": [neck.id]}, blocking=True)
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "stop_session", {"device_id": targets}, blocking=True
        )
    assert err.value.translation_placeholders == {"names": "Back massager"}
    assert other.device.status is Status.IDLE
