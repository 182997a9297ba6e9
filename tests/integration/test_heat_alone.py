"""Heat on with no massage goes off after one session cap, across restarts, on every timer.

On the in-memory FakeMassager (Home Assistant is its timer; its longest session is 30 minutes)
and on the reference emulator over loopback (a device that times its own sessions but not its
heat alone). Restarts are the entry unloaded and set up again with the same storage.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager import session_timer
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.heat_alone import HEAT_OFF_SETTLED_S
from emulators.reference import EmulatorServer
from pysmartmassager import SessionSettings, SessionState, Status
from tests.fake_massager import IDLE_POLL_S, FakeMassager, fake_entry

from .conftest import advance, set_up, wait_for

pytestmark = pytest.mark.usefixtures("fake_transport")

HEAT = "switch.cushion_heat"


async def switch(hass: HomeAssistant, entity_id: str, *, on: bool) -> None:
    service = "turn_on" if on else "turn_off"
    await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)
    await hass.async_block_till_done()


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_heat_alone_goes_off_after_the_longest_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    assert (fake.status, fake.heat) == (Status.IDLE, True)
    await advance(hass, freezer, minutes=29, seconds=58)
    assert fake.heat is True
    with caplog.at_level(logging.INFO):
        await advance(hass, freezer, seconds=3)
    assert fake.heat is False
    assert hass.states.get(HEAT).state == "off"
    assert "was on with no massage for 30 minutes" in caplog.text
    assert fake.status is Status.IDLE  # nothing was started


async def test_a_restart_keeps_the_heats_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake: FakeMassager
) -> None:
    entry = await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    await advance(hass, freezer, minutes=20)
    await restart(hass, entry)
    await advance(hass, freezer, minutes=9, seconds=58)
    assert fake.heat is True  # not off early either
    await advance(hass, freezer, seconds=3)
    assert fake.heat is False  # 30 minutes from the first sight, not 30 from the restart


async def test_heat_found_on_past_its_cap_at_a_restart_goes_off_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake: FakeMassager
) -> None:
    entry = await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=45))  # Home Assistant was down
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert fake.heat is False


async def test_heat_off_for_a_while_counts_again_and_a_session_owns_its_heat(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake: FakeMassager
) -> None:
    await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    await advance(hass, freezer, minutes=20)
    await switch(hass, HEAT, on=False)
    await advance(hass, freezer, seconds=HEAT_OFF_SETTLED_S + 1)
    await switch(hass, HEAT, on=True)
    await advance(hass, freezer, minutes=20)
    assert fake.heat is True  # 45 minutes since the first on, 20 since this one
    # A session started with the heat on: its own timer ends it (10 minutes), heat and all.
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": "fan.cushion", "minutes": 10}, blocking=True
    )
    await advance(hass, freezer, minutes=9)
    assert (fake.status, fake.heat) == (Status.RUNNING, True)
    await advance(hass, freezer, minutes=1, seconds=2)
    assert (fake.status, fake.heat) == (Status.IDLE, False)


async def test_heat_that_reads_off_for_a_moment_keeps_its_count(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake: FakeMassager
) -> None:
    """A heat plug's integration blipping to unavailable (read as off) wins no new cap."""
    await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    await advance(hass, freezer, minutes=25)
    fake.heat = False  # what the next poll reads, for one poll
    await advance(hass, freezer, seconds=IDLE_POLL_S + 1)
    assert hass.states.get(HEAT).state == "off"
    fake.heat = True
    await advance(hass, freezer, seconds=IDLE_POLL_S + 1)
    assert hass.states.get(HEAT).state == "on"
    await advance(hass, freezer, minutes=4)
    assert fake.heat is False  # 30 minutes from the first on


async def test_a_start_stored_in_the_future_is_past_its_cap(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake: FakeMassager
) -> None:
    """The clock stepped back while Home Assistant was down: how long it was on is unknown."""
    entry = await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.move_to(dt_util.utcnow() - timedelta(hours=2))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert fake.heat is False


async def test_no_heat_off_after_the_entry_is_unloaded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tries under way when the entry goes make their attempts (a massager built from
    entities is still reachable); then no notice, no slow retry, and nothing new.

    The unload is HeatOff's own (what the entry's unload calls), made during the second try:
    the entry's unload itself would wait for the try, whose backoff sleeps on the frozen clock.
    """
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)
    entry = await set_up(hass, fake_entry())
    heat_off = entry.runtime_data.coordinator.heat_off
    assert heat_off is not None
    await switch(hass, HEAT, on=True)
    fake.heat_sticks = True
    change = fake.change_settings

    async def unloaded_during_the_second_try(settings: SessionSettings) -> SessionState:
        if fake.commands.count("change") == 2:
            heat_off.async_unload()
        return await change(settings)

    monkeypatch.setattr(fake, "change_settings", unloaded_during_the_second_try)
    await advance(hass, freezer, minutes=30, seconds=1)
    for _ in range(3):
        await advance(hass, freezer, seconds=session_timer.HEAT_OFF_SLOW_RETRY_S)
    tried = 1 + session_timer.HEAT_OFF_ATTEMPTS  # the heat switched on, and every try
    assert fake.commands.count("change") == tried
    assert ir.async_get(hass).async_get_issue(DOMAIN, heat_off.issue_id) is None
    heat_off.owe("a test")  # owed again after the unload: nothing is sent
    await hass.async_block_till_done()
    assert fake.commands.count("change") == tried


async def test_heat_that_will_not_go_off_is_retried_and_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)  # the loop clock is frozen
    entry = await set_up(hass, fake_entry())
    await switch(hass, HEAT, on=True)
    fake.heat_sticks = True  # firmware whose heat ignores every "off"
    await advance(hass, freezer, minutes=30, seconds=1)
    issue_id = f"heat_off_failed_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert fake.commands.count("change") >= 1 + session_timer.HEAT_OFF_ATTEMPTS
    fake.heat_sticks = False  # obeys again: the slow retry gets through and the notice goes
    await advance(hass, freezer, seconds=session_timer.HEAT_OFF_SLOW_RETRY_S + 1)
    assert fake.heat is False
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_massager_with_its_own_timer_gets_its_heat_alone_ended_too(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
) -> None:
    await set_up(hass, config_entry)
    await switch(hass, "switch.back_massager_heat", on=True)
    await wait_for(hass, lambda: emulator.device.heat is True)
    cap = emulator.device.catalogue.minutes_max
    await advance(hass, freezer, minutes=cap - 1)
    assert emulator.device.heat is True
    await advance(hass, freezer, minutes=1, seconds=1)
    await wait_for(hass, lambda: emulator.device.heat is False)
    await wait_for(hass, lambda: hass.states.get("switch.back_massager_heat").state == "off")
    await hass.config_entries.async_unload(config_entry.entry_id)
