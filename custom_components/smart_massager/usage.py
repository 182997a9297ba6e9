"""How much massage a massager gave: minutes while it ran, and sessions started.

Counted from the states the coordinator confirms, on a monotonic clock (a wall clock stepped by
NTP adds or takes away no minute). Only running counts: paused, idle and error do not. The
totals only grow; the sensors that show them keep them across restarts, so Home Assistant's
recorder builds long-term statistics from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.helpers.restore_state import ExtraStoredData

from pysmartmassager import SessionState, Status

SECONDS_PER_MINUTE = 60
MAX_TOTAL = 1e9  # minutes or sessions: a stored total beyond it is damage, not use


@dataclass
class Usage(ExtraStoredData):
    """The totals, and what it takes to go on counting after a restart."""

    minutes: float = 0.0
    sessions: int = 0
    # When the last session counted started (wall clock, ISO), and whether one was active: a
    # session running across a restart is not counted twice.
    last_session: str | None = None
    was_active: bool = False

    def as_dict(self) -> dict[str, Any]:
        """For Home Assistant's restore-state store."""
        return {
            "minutes": self.minutes,
            "sessions": self.sessions,
            "last_session": self.last_session,
            "was_active": self.was_active,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Usage:
        """The stored totals; zero for anything missing or not a number (a damaged store)."""
        data = data or {}
        last = data.get("last_session")
        return cls(
            minutes=float(_count(data.get("minutes"))),
            sessions=int(_count(data.get("sessions"))),
            last_session=last if isinstance(last, str) else None,
            was_active=data.get("was_active") is True,
        )


def _count(value: object) -> float:
    """A stored total if it is one (a number from 0 to MAX_TOTAL), else 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < MAX_TOTAL:
        return float(value)
    return 0.0


class UsageCounter:
    """Adds up running time and sessions from confirmed states (`observe`) on a monotonic clock."""

    def __init__(self, usage: Usage) -> None:
        self.usage = usage
        self._running_since: float | None = None

    @property
    def running(self) -> bool:
        """Whether minutes are being counted now."""
        return self._running_since is not None

    def observe(
        self, state: SessionState, now: float, *, started: datetime, confirmed: bool
    ) -> None:
        """A state at monotonic time `now`; `confirmed` False when the device is not answering.

        A session is counted when one becomes active (a resume, or a restart of Home Assistant
        during a session, is none: `was_active` is kept across restarts); `started` is the wall
        time kept for it where the state gives none. Minutes stop while the device does not
        answer: the last state it confirmed is not taken for one that goes on running.
        """
        usage = self.usage
        self._close(now)
        if not confirmed:
            return
        if state.status is Status.RUNNING:
            self._running_since = now
        if state.active and not usage.was_active:
            usage.sessions += 1
            usage.last_session = (state.started_at or started).isoformat()
        usage.was_active = state.active

    def minutes(self, now: float) -> float:
        """Minutes of massage up to `now` (the running stretch so far included)."""
        if self._running_since is not None:
            self._close(now)
            self._running_since = now
        return self.usage.minutes

    def _close(self, now: float) -> None:
        """Add the running stretch up to `now` to the total."""
        if self._running_since is not None:
            self.usage.minutes += max(0.0, now - self._running_since) / SECONDS_PER_MINUTE
            self._running_since = None
