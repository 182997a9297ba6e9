"""Home Assistant as the timer (a device without one) and as the guard (a device with one).

The device is the in-memory FakeMassager (tests/fake_massager.py): no device family without a
timer can be run for real here. Restarts are simulated by unloading the entry and setting it up
again with the same storage, which is what a Home Assistant restart does to an entry.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.smart_massager import session_timer
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.routines import EVENT_ROUTINE_ENDED
from pysmartmassager import SessionState, Status
from tests.fake_massager import FAKE_CAPABILITIES, FakeMassager, fake_entry

from .conftest import step_wall_clock, wait_for

pytestmark = pytest.mark.usefixtures("fake_transport")

FAN = "fan.cushion"
ENDS = "sensor.cushion_session_ends"


@pytest.fixture(name="fake_entry")
def added_fake_entry(hass: HomeAssistant) -> MockConfigEntry:
    entry = fake_entry()
    entry.add_to_hass(hass)
    return entry


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await setup(hass, entry)


async def start_then_shut_down(hass: HomeAssistant, entry: MockConfigEntry, minutes: int) -> None:
    """A session started, then Home Assistant stopped (the entry unloaded) while it runs."""
    await setup(hass, entry)
    await start(hass, minutes=minutes)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def start(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, **data}, blocking=True
    )


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float) -> None:
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    # The timer's stop and heat-off are entry tasks; the poller is a background task that runs
    # until unload, so background tasks are not waited for.
    await hass.async_block_till_done()


async def test_home_assistant_ends_the_session_and_heat(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=10, heat=True)
    assert (fake.status, fake.heat) == (Status.RUNNING, True)
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=10))) < timedelta(seconds=1)
    await advance(hass, freezer, minutes=9, seconds=59)
    assert fake.status is Status.RUNNING
    await advance(hass, freezer, seconds=2)
    assert (fake.status, fake.heat) == (Status.IDLE, False)
    assert hass.states.get(FAN).state == "off"
    assert hass.states.get("sensor.cushion_status").state == "finished"
    assert fake.commands == ["start", "stop"]


async def test_restart_after_the_end_stops_at_once_and_starts_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await start_then_shut_down(hass, fake_entry, minutes=10)
    freezer.tick(timedelta(minutes=25))  # Home Assistant was down past the session's end
    await setup(hass, fake_entry)
    assert fake.status is Status.IDLE
    assert fake.commands == ["start", "stop"]


async def test_restart_before_the_end_rearms_the_same_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=15)
    ends = hass.states.get(ENDS).state
    await hass.config_entries.async_unload(fake_entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=5))
    await setup(hass, fake_entry)
    assert fake.status is Status.RUNNING
    assert hass.states.get(ENDS).state == ends  # not extended by the restart
    await advance(hass, freezer, minutes=10, seconds=1)
    assert fake.status is Status.IDLE
    assert fake.commands == ["start", "stop"]


async def test_restart_with_an_idle_device_starts_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await start_then_shut_down(hass, fake_entry, minutes=10)
    fake.status = Status.IDLE  # switched off by hand while Home Assistant was down
    freezer.tick(timedelta(minutes=3))
    await setup(hass, fake_entry)
    await advance(hass, freezer, minutes=30)
    assert fake.status is Status.IDLE
    assert fake.commands == ["start"]


async def test_unreachable_at_restart_then_stopped_when_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await start_then_shut_down(hass, fake_entry, minutes=10)
    fake.reachable = False
    freezer.tick(timedelta(minutes=20))
    await setup(hass, fake_entry)
    assert fake_entry.state is ConfigEntryState.SETUP_RETRY
    fake.reachable = True
    await advance(hass, freezer, seconds=30)  # Home Assistant's set-up retry
    # The retry is a background task (so is the poller, which never ends): wait for the state,
    # yielding to the loop (its clock is frozen: a sleep would never end).
    await wait_for(hass, lambda: fake_entry.state is ConfigEntryState.LOADED)
    assert fake.status is Status.IDLE
    assert fake.commands == ["start", "stop"]


async def test_stop_that_cannot_reach_the_device_raises_a_repair_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)  # the loop clock is frozen
    await setup(hass, fake_entry)
    await start(hass, minutes=10)
    fake.reachable = False
    await advance(hass, freezer, minutes=10, seconds=1)
    issue_id = f"timer_stop_failed_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert fake.status is Status.RUNNING  # nothing could reach it
    fake.reachable = True
    await advance(hass, freezer, seconds=31)  # the next poll finds it past its end
    assert fake.status is Status.IDLE
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_stop_under_way_at_unload_raises_no_notice_and_stays_owed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timer's own unload (what the entry's unload calls) during the second try: the tries
    under way run to their end, no notice from the entry that is gone, and the next start-up
    stops the session.

    The entry's unload itself would wait for the try, whose backoff sleeps on the frozen clock.
    """
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)
    await setup(hass, fake_entry)
    timer = fake_entry.runtime_data.coordinator.timer
    assert timer is not None
    await start(hass, minutes=10)
    fake.reachable = False
    stop = fake.stop
    tries: list[None] = []

    async def unloaded_during_the_second_try() -> SessionState:
        tries.append(None)
        if len(tries) == 2:
            timer.async_unload()
        return await stop()

    monkeypatch.setattr(fake, "stop", unloaded_during_the_second_try)
    await advance(hass, freezer, minutes=10, seconds=1)
    assert len(tries) == session_timer.TIMER_STOP_ATTEMPTS
    issue_id = f"timer_stop_failed_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert fake.status is Status.RUNNING
    fake.reachable = True
    await restart(hass, fake_entry)
    assert fake.status is Status.IDLE  # the stored end was kept: past it, stopped at once


async def test_a_press_on_the_device_gets_the_default_length(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    fake.press_start()
    await advance(hass, freezer, seconds=31)  # idle polling finds it
    assert hass.states.get(FAN).state == "on"
    await advance(hass, freezer, minutes=15)
    assert fake.status is Status.IDLE
    assert fake.commands == ["stop"]


async def test_guard_stops_a_session_beyond_the_cap_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A device with a timer of its own that reports an end 30 days out (the issue's case).
    fake.capabilities = replace(FAKE_CAPABILITIES, device_timer=True)
    await setup(hass, fake_entry)
    fake.press_start()
    fake.reported_ends_at = dt_util.utcnow() + timedelta(days=30)
    with caplog.at_level(logging.WARNING):
        await advance(hass, freezer, seconds=31)
        await advance(hass, freezer, seconds=31)
    assert fake.status is Status.IDLE
    assert fake.commands == ["stop"]
    warnings = [r for r in caplog.records if "past its limit" in r.getMessage()]
    assert len(warnings) == 1
    issue_id = f"session_over_cap_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


async def test_guard_stops_a_session_that_runs_past_the_cap(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    # The device claims a timer and reports a plausible end time, but never stops.
    fake.capabilities = replace(FAKE_CAPABILITIES, device_timer=True)
    await setup(hass, fake_entry)
    await start(hass, minutes=30)
    fake.reported_ends_at = dt_util.utcnow() + timedelta(minutes=30)
    await advance(hass, freezer, minutes=31)
    assert fake.status is Status.RUNNING  # within cap + margin: the device's own business
    await advance(hass, freezer, minutes=1, seconds=1)
    assert fake.status is Status.IDLE
    assert fake.commands == ["start", "stop"]


async def test_heat_left_on_by_a_session_ended_on_the_device_is_switched_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=20, heat=True)
    fake.status, fake.started_at = Status.IDLE, None  # its own button: off, the pad stays on
    await advance(hass, freezer, seconds=31)  # polling finds it
    assert (fake.status, fake.heat) == (Status.IDLE, False)
    assert fake.commands == ["start", "change"]  # heat off; no stop, nothing started
    # Ended on the device, not by this timer: not reported as finished by it.
    assert hass.states.get("sensor.cushion_status").state == "idle"


async def test_a_routine_ended_on_the_device_does_not_go_on(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)
    await hass.services.async_call(
        DOMAIN,
        "run_routine",
        {
            "entity_id": FAN,
            "heat": True,
            "steps": [
                {"program": "kneading", "minutes": 10},
                {"program": "shiatsu", "minutes": 10},
            ],
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    assert (fake.status, fake.program, fake.heat) == (Status.RUNNING, "kneading", True)
    fake.status, fake.started_at = Status.IDLE, None  # stopped on the device, heat left on
    for _ in range(2):  # the routine waits for its step: not a background task to wait for
        freezer.tick(timedelta(seconds=31))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert fake.status is Status.IDLE  # the routine's next step did not start
    assert fake.program == "kneading"
    assert fake.heat is False
    assert ended[0].data["outcome"] == "stopped"


async def test_a_session_past_its_end_is_stopped_although_set_up_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await start_then_shut_down(hass, fake_entry, minutes=10)
    fake.info_fails = True  # the set-up after the restart fails past the state
    freezer.tick(timedelta(minutes=25))
    await setup(hass, fake_entry)
    assert fake_entry.state is ConfigEntryState.SETUP_RETRY
    assert fake.status is Status.IDLE
    assert fake.commands == ["start", "stop"]


async def test_a_wall_clock_stepped_back_does_not_stretch_the_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=10)
    step_wall_clock(hass, freezer, monkeypatch, hours=-1)  # NTP steps it back an hour
    await advance(hass, freezer, minutes=10, seconds=1)
    assert fake.status is Status.IDLE
    # Ended by the timer at its end, not by the guard as a session gone wrong.
    guard_issue = f"session_over_cap_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, guard_issue) is None
    assert hass.states.get("sensor.cushion_status").state == "finished"


async def test_heat_that_ignores_off_is_retried_then_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)  # the loop clock is frozen
    fake.heat_sticks = True
    await setup(hass, fake_entry)
    await start(hass, minutes=10, heat=True)
    await advance(hass, freezer, minutes=10, seconds=1)
    await advance(hass, freezer, seconds=1)
    assert fake.status is Status.IDLE
    assert fake.heat is True
    # Retried: the stop, then heat-off after heat-off, each read back, until it gives up.
    assert fake.commands.count("change") == session_timer.HEAT_OFF_ATTEMPTS
    issue_id = f"heat_off_failed_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    # The firmware obeys again (a reboot): the slow retry gets the heat off.
    fake.heat_sticks = False
    await advance(hass, freezer, seconds=session_timer.HEAT_OFF_SLOW_RETRY_S + 1)
    assert fake.heat is False
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_heat_that_goes_off_on_a_retry_raises_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)
    fake.heat_sticks = True
    await setup(hass, fake_entry)
    await start(hass, minutes=10, heat=True)
    original = fake.change_settings
    calls = 0

    async def obeys_the_second_time(settings: Any) -> Any:
        nonlocal calls
        calls += 1
        fake.heat_sticks = calls < 2
        return await original(settings)

    monkeypatch.setattr(fake, "change_settings", obeys_the_second_time)
    await advance(hass, freezer, minutes=10, seconds=1)
    await advance(hass, freezer, seconds=1)
    assert (fake.status, fake.heat, calls) == (Status.IDLE, False, 2)
    issue_id = f"heat_off_failed_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_wall_clock_stepped_forward_does_not_make_a_session_look_too_old(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=20)
    step_wall_clock(hass, freezer, monkeypatch, hours=1)  # NTP steps it an hour forward
    await advance(hass, freezer, minutes=5)
    assert fake.status is Status.RUNNING
    guard_issue = f"session_over_cap_{fake_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, guard_issue) is None
    await advance(hass, freezer, minutes=15, seconds=1)
    assert fake.status is Status.IDLE  # at its own end


async def test_a_massager_removed_mid_session_is_stopped_first(
    hass: HomeAssistant, fake: FakeMassager, fake_entry: MockConfigEntry
) -> None:
    """Nothing would end the session after the removal (its timer goes with the entry)."""
    await setup(hass, fake_entry)
    await start(hass, minutes=10, heat=True)
    assert (fake.status, fake.heat) == (Status.RUNNING, True)
    assert await hass.config_entries.async_remove(fake_entry.entry_id)
    await hass.async_block_till_done()
    assert (fake.status, fake.heat) == (Status.IDLE, False)
    assert fake.commands[-1] == "stop"


async def test_a_massager_removed_with_its_heat_on_alone_has_it_switched_off(
    hass: HomeAssistant, fake: FakeMassager, fake_entry: MockConfigEntry
) -> None:
    await setup(hass, fake_entry)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.cushion_heat"}, blocking=True
    )
    await hass.async_block_till_done()
    assert (fake.status, fake.heat) == (Status.IDLE, True)
    sent = len(fake.commands)
    assert await hass.config_entries.async_remove(fake_entry.entry_id)
    await hass.async_block_till_done()
    assert fake.heat is False
    assert fake.commands[sent:] == ["change"]  # the heat off alone: no stop


async def test_a_session_not_timed_by_home_assistant_is_left_at_removal(
    hass: HomeAssistant, fake: FakeMassager, fake_entry: MockConfigEntry
) -> None:
    """Only the heat was counted (the entry unloaded with it on alone); a session started on
    the device since is none Home Assistant timed: the removal leaves it and its heat."""
    await setup(hass, fake_entry)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.cushion_heat"}, blocking=True
    )
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(fake_entry.entry_id)
    await hass.async_block_till_done()
    fake.status, fake.started_at = Status.RUNNING, dt_util.utcnow()  # a press on the device
    sent = len(fake.commands)
    assert await hass.config_entries.async_remove(fake_entry.entry_id)
    await hass.async_block_till_done()
    assert (fake.status, fake.heat) == (Status.RUNNING, True)
    assert fake.commands[sent:] == []


async def test_a_massager_removed_idle_is_not_touched(
    hass: HomeAssistant, fake: FakeMassager, fake_entry: MockConfigEntry
) -> None:
    await setup(hass, fake_entry)
    sent = list(fake.commands)
    assert await hass.config_entries.async_remove(fake_entry.entry_id)
    await hass.async_block_till_done()
    assert fake.commands == sent
