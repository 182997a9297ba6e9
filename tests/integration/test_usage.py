"""Massage time and sessions: what a massager gave, kept as Home Assistant history.

The fake massager (Home Assistant times its sessions) and the reference emulator (its own timer,
and pause) over loopback; the clock is frozen and moved by the test.
"""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from emulators.reference import EmulatorServer
from pysmartmassager import Status
from tests.fake_massager import FakeMassager

from .test_session_timer import (  # the fake massager's fixtures and steps, shared
    FAN,
    added_fake_entry,
    advance,
    restart,
    setup,
    start,
)

__all__ = ["added_fake_entry"]  # the fixture fake_entry, used by name
pytestmark = pytest.mark.usefixtures("fake_transport")

MINUTES = "sensor.cushion_massage_time"


@pytest.fixture
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """As the package's, with the recorder first where a test asks for it.

    The harness sets the recorder up before `hass` only; the package's autouse fixtures ask for
    `hass`, so a recorder test gets its recorder here, before them.
    """
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_custom_integrations")


SESSIONS = "sensor.cushion_sessions"


def value(hass: HomeAssistant, entity_id: str) -> float:
    return float(hass.states.get(entity_id).state)


async def test_minutes_count_only_while_it_runs(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    assert (value(hass, MINUTES), value(hass, SESSIONS)) == (0, 0)
    state = hass.states.get(MINUTES)
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert state.attributes["unit_of_measurement"] == "min"
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=4)
    assert value(hass, MINUTES) == pytest.approx(4, abs=0.05)  # written as it runs
    await advance(hass, freezer, minutes=6, seconds=1)  # Home Assistant ends it at 10
    assert fake.status is Status.IDLE
    assert value(hass, MINUTES) == pytest.approx(10, abs=0.05)
    await advance(hass, freezer, minutes=30)  # idle: nothing more
    assert value(hass, MINUTES) == pytest.approx(10, abs=0.05)
    assert value(hass, SESSIONS) == 1
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=2)
    assert (value(hass, MINUTES), value(hass, SESSIONS)) == (pytest.approx(12, abs=0.05), 2)


async def test_a_restart_keeps_the_totals_and_counts_no_session_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    await setup(hass, fake_entry)
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=3)
    await restart(hass, fake_entry)  # the session runs on across it
    assert fake.status is Status.RUNNING
    assert value(hass, SESSIONS) == 1
    assert value(hass, MINUTES) == pytest.approx(3, abs=0.05)
    await advance(hass, freezer, minutes=7, seconds=1)
    assert fake.status is Status.IDLE
    assert value(hass, MINUTES) == pytest.approx(10, abs=0.05)
    await restart(hass, fake_entry)
    assert (value(hass, MINUTES), value(hass, SESSIONS)) == (pytest.approx(10, abs=0.05), 1)


async def test_paused_minutes_do_not_count(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    minutes, fan = "sensor.back_massager_massage_time", "fan.back_massager"
    await hass.services.async_call("fan", "turn_on", {"entity_id": fan}, blocking=True)
    await advance(hass, freezer, minutes=2)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.back_massager_pause"}, blocking=True
    )
    assert emulator.device.status.value == "paused"
    await advance(hass, freezer, minutes=5)
    assert value(hass, minutes) == pytest.approx(2, abs=0.05)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.back_massager_resume"}, blocking=True
    )
    await advance(hass, freezer, minutes=1)
    assert value(hass, minutes) == pytest.approx(3, abs=0.05)
    assert value(hass, "sensor.back_massager_sessions") == 1  # a resume is no new session


async def test_two_massagers_count_their_own(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
    init_integration: MockConfigEntry,
) -> None:
    # Setting up the integration set up both entries (the cushion's was added first).
    assert fake_entry.state is ConfigEntryState.LOADED
    await start(hass, minutes=10)
    await hass.services.async_call(
        "fan", "turn_on", {"entity_id": "fan.back_massager"}, blocking=True
    )
    await advance(hass, freezer, minutes=2)
    await hass.services.async_call("fan", "turn_off", {"entity_id": FAN}, blocking=True)
    await advance(hass, freezer, minutes=3)
    assert value(hass, MINUTES) == pytest.approx(2, abs=0.05)
    assert value(hass, "sensor.back_massager_massage_time") == pytest.approx(5, abs=0.05)


async def test_the_recorder_keeps_long_term_statistics(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    """Home Assistant's own recorder compiles statistics from the total, with no set-up."""
    freezer.move_to("2026-12-01 10:00:00+00:00")
    await setup(hass, fake_entry)
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=4)
    await async_wait_recording_done(hass)
    do_adhoc_statistics(hass, start=dt_util.parse_datetime("2026-12-01 10:00:00+00:00"))
    await async_wait_recording_done(hass)
    found = await recorder_mock.async_add_executor_job(
        statistics_during_period,
        hass,
        dt_util.parse_datetime("2026-12-01 09:00:00+00:00"),
        None,
        {MINUTES},
        "5minute",
        None,
        {"state", "sum"},
    )
    (row,) = found[MINUTES]
    assert row["state"] == pytest.approx(4, abs=0.05)
    assert row["sum"] == pytest.approx(4, abs=0.05)  # total_increasing: a sum, from zero


async def test_minutes_stop_while_the_massager_does_not_answer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake: FakeMassager,
    fake_entry: MockConfigEntry,
) -> None:
    """Its last confirmed state said running; that is not taken for minutes of massage."""
    await setup(hass, fake_entry)
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=2)
    fake.reachable = False  # unplugged
    for _ in range(5):
        await advance(hass, freezer, minutes=1)
    assert hass.states.get(MINUTES).state == "unavailable"
    fake.reachable = True  # back, still massaging: 7 minutes since the start, 5 of them unseen
    await advance(hass, freezer, minutes=1)
    assert fake.status is Status.RUNNING
    assert value(hass, MINUTES) < 4  # 2 before, at most 1 since, and the polls between: not 8
