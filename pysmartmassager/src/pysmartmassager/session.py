"""The session rules every transport shares when its device cannot time a session by itself.

Such a device (`Capabilities.device_timer=False`: Tuya, MIoT, a massager built from other
entities) only says whether it runs. The host (Home Assistant's session timer) ends the session
and switches its heat off; the transport keeps the bookkeeping the host reads: when the session
it sees began, the length chosen for it, and an ordering revision. `HostTimedSession` is that
bookkeeping, written once; `MAX_SESSION_MINUTES` is the one cap on such a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Final

from .models import DeviceError, SessionState, Status

MAX_SESSION_MINUTES: Final = 30
"""The longest session the host times: consumer massagers commonly stop by themselves after
15-30 minutes (shared/design/massage-techniques.md), and a body-contact device with heat that
cannot stop by itself gets no longer one."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HostTimedSession:
    """When the session on a device without a timer began, its chosen length, the revision.

    The transport reports whether the device runs (`observe`); a session seen running for the
    first time starts now, whoever started it (a command, a press on the device). `state`
    builds the `SessionState` with these fields, leaving the end to the host.
    """

    def __init__(self, default_minutes: int, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.default_minutes = default_minutes
        self.minutes = default_minutes  # the length chosen for the next or the running session
        self.started_at: datetime | None = None
        self._revision = 0
        self._clock = clock

    def choose(self, minutes: int | None) -> None:
        """Keep a length the transport has validated (None keeps the current one)."""
        if minutes is not None:
            self.minutes = minutes

    def begin(self) -> None:
        """The host started a session now, whatever the device reports yet."""
        self.started_at = self._clock()

    def observe(self, running: bool) -> bool:
        """Follow the device; True when a session seen running has just ended."""
        if running:
            if self.started_at is None:
                self.started_at = self._clock()
            return False
        ended = self.started_at is not None
        self.started_at = None
        return ended

    def state(
        self,
        *,
        status: Status,
        program: str,
        zone: str,
        intensity: int,
        heat: bool,
        minutes: int = 0,
        remaining_s: int = 0,
        error: DeviceError | None = None,
        zone_levels: Mapping[str, int | None] | None = None,
        heat_level: str = "",
    ) -> SessionState:
        """The state to report, with this session's start, length and next revision.

        `minutes` is the device's own length where it holds one (0: the length chosen here);
        no end: the host is the timer.
        """
        self._revision += 1
        return SessionState(
            status=status,
            program=program,
            zone=zone,
            intensity=intensity,
            heat=heat,
            minutes=minutes or self.minutes,
            started_at=self.started_at,
            ends_at=None,
            remaining_s=remaining_s,
            pause_expires_at=None,
            error=error,
            revision=self._revision,
            zone_levels=zone_levels or {},
            heat_level=heat_level,
        )
