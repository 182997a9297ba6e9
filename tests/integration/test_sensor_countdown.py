"""The Remaining sensor counts down once a minute, from the device's end time."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_massager.session_time import remaining_minutes
from emulators.reference import EmulatorServer


async def test_remaining_ticks_each_minute(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.back_massager_session_length", "value": 3},
        blocking=True,
    )
    await hass.services.async_call(
        "fan", "turn_on", {"entity_id": "fan.back_massager"}, blocking=True
    )
    remaining = "sensor.back_massager_remaining"
    assert hass.states.get(remaining).state == "3"
    written = hass.states.get(remaining).last_updated

    # Within the minute: no write at all.
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(remaining).last_updated == written

    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(remaining).state == "2"

    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(remaining).state == "1"
    await hass.config_entries.async_unload(config_entry.entry_id)


def test_remaining_minutes_for_paused_and_idle() -> None:
    from emulators.reference import VirtualMassager  # noqa: PLC0415
    from pysmartmassager.reference import StateReader  # noqa: PLC0415

    device = VirtualMassager(serial="x", name="y")
    reader = StateReader()
    now = dt_util.utcnow()
    state = reader.parse({**device.state_json(), "status": "paused", "remaining_s": 61})
    assert remaining_minutes(state, now) == 2
    idle = reader.parse(device.state_json())
    assert remaining_minutes(idle, now) == 0
