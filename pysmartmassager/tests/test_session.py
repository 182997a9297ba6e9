"""The session kit: one bookkeeping of host-timed sessions and one cap, for every such transport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pysmartmassager import SessionState, Status
from pysmartmassager.miot.massager import SESSION_MINUTES
from pysmartmassager.session import MAX_SESSION_MINUTES, HostTimedSession
from pysmartmassager.tuya.massager import FALLBACK_MINUTES

T0 = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


class Clock:
    """A wall clock the test moves (injected: nothing process-wide is patched)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def idle(session: HostTimedSession, minutes: int = 0) -> SessionState:
    return session.state(
        status=Status.IDLE, program="", zone="", intensity=0, heat=False, minutes=minutes
    )


def test_a_session_seen_running_starts_then_and_ends_when_it_stops() -> None:
    clock = Clock()
    session = HostTimedSession(15, clock=clock)
    assert session.observe(False) is False  # nothing ran: nothing ended
    clock.now = T0 + timedelta(minutes=1)
    assert session.observe(True) is False
    assert session.started_at == T0 + timedelta(minutes=1)
    clock.now = T0 + timedelta(minutes=5)
    session.observe(True)  # still the same session: its start does not move
    assert session.started_at == T0 + timedelta(minutes=1)
    assert session.observe(False) is True
    assert session.started_at is None


def test_a_session_the_host_started_is_timed_from_the_command() -> None:
    clock = Clock()
    session = HostTimedSession(15, clock=clock)
    session.begin()
    clock.now = T0 + timedelta(seconds=3)  # the device reports it running a little later
    session.observe(True)
    assert session.started_at == T0


def test_the_chosen_length_is_kept_and_the_devices_own_wins() -> None:
    session = HostTimedSession(15)
    assert idle(session).minutes == 15
    session.choose(None)
    assert session.minutes == 15
    session.choose(20)
    assert idle(session).minutes == 20
    assert idle(session, minutes=25).minutes == 25


def test_every_state_is_newer_than_the_last_and_has_no_end() -> None:
    session = HostTimedSession(15)
    first, second = idle(session), idle(session)
    assert second.is_newer_than(first)
    assert (second.ends_at, second.pause_expires_at) == (None, None)


def test_one_cap_for_every_host_timed_transport() -> None:
    assert SESSION_MINUTES.maximum == FALLBACK_MINUTES.maximum == MAX_SESSION_MINUTES
