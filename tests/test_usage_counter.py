"""The usage counter's rules, on states made here (no Home Assistant instance needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from custom_components.smart_massager.usage import Usage, UsageCounter
from pysmartmassager import SessionState, Status

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
IDLE = SessionState(
    status=Status.IDLE,
    program="",
    zone="",
    intensity=0,
    heat=False,
    minutes=10,
    started_at=None,
    ends_at=None,
    remaining_s=0,
    pause_expires_at=None,
    error=None,
    revision=1,
)
RUNNING = replace(IDLE, status=Status.RUNNING, started_at=T0)


def test_a_start_that_moves_during_a_session_is_one_session() -> None:
    """A host-timed transport rebuilt at a restart, or a device clock corrected by a second."""
    counter = UsageCounter(Usage())
    for second in range(5):
        moved = replace(RUNNING, started_at=T0 + timedelta(seconds=second))
        counter.observe(moved, float(second), started=T0, confirmed=True)
    assert counter.usage.sessions == 1
    counter.observe(IDLE, 10.0, started=T0, confirmed=True)
    counter.observe(RUNNING, 20.0, started=T0, confirmed=True)
    assert counter.usage.sessions == 2


def test_a_session_across_a_restart_is_counted_once() -> None:
    counter = UsageCounter(Usage())
    counter.observe(RUNNING, 0.0, started=T0, confirmed=True)
    stored = Usage.from_dict(counter.usage.as_dict())
    after = UsageCounter(stored)  # Home Assistant restarted; the session runs on
    after.observe(replace(RUNNING, started_at=None), 100.0, started=T0, confirmed=True)
    assert after.usage.sessions == 1
    assert after.usage.last_session == T0.isoformat()  # the known start is kept


def test_a_start_without_a_time_is_kept_as_when_it_was_seen() -> None:
    counter = UsageCounter(Usage())
    counter.observe(replace(RUNNING, started_at=None), 0.0, started=T0, confirmed=True)
    assert counter.usage.last_session == T0.isoformat()


def test_unconfirmed_states_add_no_minutes_and_no_session() -> None:
    counter = UsageCounter(Usage())
    counter.observe(RUNNING, 0.0, started=T0, confirmed=True)
    counter.observe(RUNNING, 60.0, started=T0, confirmed=False)  # the device stopped answering
    assert counter.minutes(3600.0) == 1.0
    assert not counter.running


def test_a_damaged_store_starts_from_zero() -> None:
    usage = Usage.from_dict({"minutes": "lots", "sessions": float("nan"), "was_active": "yes"})
    assert (usage.minutes, usage.sessions, usage.was_active) == (0.0, 0, False)
