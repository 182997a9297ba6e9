"""A virtual massager: session state, settings validation, pairing and device-side safety.

No HTTP here: the server in server.py translates requests into these calls. Every rule of
docs/protocol.md's "Behaviour" section lives in this module, so it can be read in one place.

Clocks, as on real hardware: every deadline (session end, pause timeout, pairing window, the
lockout after wrong tokens) is measured on a monotonic clock, which only moves forward at a steady
rate. The wall clock can be stepped by NTP or simply be wrong; it only labels times for display
(`now`, `started_at`, `ends_at`, `pause_expires_at`). A session timed on the wall clock ran for
210 minutes instead of 30 when NTP stepped the clock back 3 hours.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .auth import (
    HINT_PATTERN,
    NONCE_PATTERN,
    FailureLimiter,
    challenge_proof,
    match_hint,
    match_token,
)
from .catalogue import Catalogue

if TYPE_CHECKING:
    from collections.abc import Callable

SETTING_FIELDS = ("program", "zone", "intensity", "minutes", "heat", "zone_levels")
PAIRING_WINDOW = timedelta(seconds=120)


def utc_now() -> datetime:
    """Wall-clock time in UTC (freezegun patches this in tests that freeze time)."""
    return datetime.now(UTC)


def monotonic_now() -> float:
    """Seconds on the OS's monotonic clock.

    Looked up at every call, not bound once, so that freezegun's patched time.monotonic (tests
    that freeze time) moves the device's deadlines as it moves the event loop's clock.
    """
    return time.monotonic()


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with a Z suffix, whole seconds, as the protocol writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Status(StrEnum):
    """The session status the device reports."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ERROR = "error"


class ProtocolError(Exception):
    """A request the device refuses; carries the HTTP status and the protocol's error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        allowed: object = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.allowed = allowed
        self.retry_after_s = retry_after_s  # sent as the Retry-After header (429)

    def as_json(self) -> dict[str, object]:
        """The error body of docs/protocol.md."""
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.allowed is not None:
            error["allowed"] = self.allowed
        return {"error": error}


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """Validated settings from a request; None means "keep the current value"."""

    program: str | None = None
    zone: str | None = None
    intensity: int | None = None
    minutes: int | None = None
    heat: bool | None = None
    zone_levels: dict[str, int] | None = None


class VirtualMassager:
    """One emulated massager. Calls `on_change` listeners after every state change."""

    def __init__(
        self,
        *,
        serial: str,
        name: str,
        model: str = "SM-Back One",
        manufacturer: str = "Smart Massager",
        firmware: str = "1.4.2",
        catalogue: Catalogue | None = None,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = monotonic_now,
    ) -> None:
        self.serial = serial
        self.name = name
        self.model = model
        self.manufacturer = manufacturer
        self.firmware = firmware
        self.catalogue = catalogue or Catalogue()
        self._wall_clock = clock
        self._monotonic_clock = monotonic
        # Time skipped ahead on both clocks, as if that long had passed (tests; a real device
        # cannot). The loop timer does not know about it: call check_deadlines() afterwards.
        self.clock_offset = timedelta()
        # Fault: the wall clock alone is this far off (an NTP step, an RTC that was never set).
        # It moves every displayed time and no deadline.
        self.wall_clock_error = timedelta()
        self.listeners: list[Callable[[], None]] = []
        self.tokens: set[str] = set()
        self.failures = FailureLimiter(self.monotonic)
        self.pairing_always_open = False
        self._pairing_deadline: float | None = None

        cat = self.catalogue
        self.program = next(iter(cat.programs))
        self.zone = next(iter(cat.zones))
        self.intensity = cat.intensity_min + (cat.intensity_max - cat.intensity_min) // 2
        self.minutes = cat.minutes_default
        self.heat = False
        self.zone_levels = dict.fromkeys(cat.level_zones, 0)
        self.status = Status.IDLE
        self.paused_remaining_s = 0
        # Moments and deadlines, in seconds on the monotonic clock (see the module docstring).
        self._started: float | None = None
        self._session_deadline: float | None = None
        self._pause_deadline: float | None = None
        self.error: dict[str, str] | None = None
        self.seq = 0
        self.boot_id = secrets.token_hex(4)
        self._timer: asyncio.TimerHandle | None = None

    # -- clocks ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The device's wall clock, for display only: skipped time plus the wall-clock fault."""
        return self._wall_clock() + self.clock_offset + self.wall_clock_error

    def monotonic(self) -> float:
        """The device's monotonic clock in seconds (plus skipped time): every deadline's clock."""
        return self._monotonic_clock() + self.clock_offset.total_seconds()

    def _as_wall_time(self, moment: float | None) -> datetime | None:
        """A monotonic moment shown as wall-clock time: wall now + the time until it (or since)."""
        if moment is None:
            return None
        return self.now() + timedelta(seconds=moment - self.monotonic())

    @property
    def started_at(self) -> datetime | None:
        """When the session started, on the wall clock as it is now (None without a session)."""
        return self._as_wall_time(self._started)

    @property
    def ends_at(self) -> datetime | None:
        """When the running session ends, on the wall clock (None unless running)."""
        if self.status is not Status.RUNNING:
            return None
        return self._as_wall_time(self._session_deadline)

    @property
    def pause_expires_at(self) -> datetime | None:
        """When the paused session ends by itself, on the wall clock (None unless paused)."""
        if self.status is not Status.PAUSED:
            return None
        return self._as_wall_time(self._pause_deadline)

    # -- pairing -----------------------------------------------------------------------------

    @property
    def pairing_open(self) -> bool:
        """True while the pairing button window is open (or pairing is always open)."""
        if self.pairing_always_open:
            return True
        return self._pairing_deadline is not None and self.monotonic() < self._pairing_deadline

    def open_pairing(self, window: timedelta = PAIRING_WINDOW) -> None:
        """What holding the device's button does."""
        self._pairing_deadline = self.monotonic() + window.total_seconds()

    def close_pairing(self) -> None:
        """End the pairing window (and the always-open demo mode)."""
        self._pairing_deadline = None
        self.pairing_always_open = False

    def pair(self) -> str:
        """Issue a token, only in pairing mode."""
        if not self.pairing_open:
            raise ProtocolError(
                403,
                "pairing_not_enabled",
                "pairing mode is off: hold the massager's button for 3 seconds, then try again",
            )
        token = secrets.token_hex(24)
        self.tokens.add(token)
        return token

    def revoke_tokens(self) -> None:
        """What a factory reset does to pairings."""
        self.tokens.clear()

    # -- authentication ----------------------------------------------------------------------

    def authorize(self, presented: str | None, peer: str) -> str:
        """The stored token a request presented (None: it presented none).

        401 `unauthorized` if no token matches; only a presented, wrong token counts as a guess
        against `peer` (an address). 429 `too_many_attempts` while `peer` is locked out.
        """
        self._refuse_locked_out(peer)
        token = None if presented is None else match_token(self.tokens, presented)
        if token is None:
            if presented is not None:
                self.failures.failed(peer)
            raise ProtocolError(401, "unauthorized", "missing, wrong or revoked token")
        return token

    def challenge(self, body: object, peer: str) -> dict[str, object]:
        """POST /api/v1/challenge: prove that this device holds the token named by a hint."""
        nonce, hint = _challenge_fields(body)
        self._refuse_locked_out(peer)
        token = match_hint(self.tokens, hint)
        if token is None:
            self.failures.failed(peer)
            raise ProtocolError(401, "invalid_token", "no paired token has this hint")
        return {"proof": challenge_proof(token, nonce, self.serial), "serial": self.serial}

    def _refuse_locked_out(self, peer: str) -> None:
        retry_after = self.failures.retry_after(peer)
        if retry_after:
            raise ProtocolError(
                429,
                "too_many_attempts",
                f"too many wrong tokens from this address: try again in {retry_after} s",
                retry_after_s=retry_after,
            )

    # -- views -------------------------------------------------------------------------------

    def identity_json(self) -> dict[str, object]:
        """GET /api/v1/pair."""
        return {
            "protocol": 1,
            "challenge": True,  # protocol v1.1: POST /api/v1/challenge is served
            "serial": self.serial,
            "name": self.name,
            "model": self.model,
            "pairing_open": self.pairing_open,
        }

    def info_json(self) -> dict[str, object]:
        """GET /api/v1/info."""
        return {
            "protocol": 1,
            "serial": self.serial,
            "name": self.name,
            "model": self.model,
            "manufacturer": self.manufacturer,
            "firmware": self.firmware,
            "capabilities": self.catalogue.as_json(),
        }

    def remaining_s(self) -> int:
        """Seconds left in the session; frozen while paused."""
        if self.status is Status.RUNNING and self._session_deadline is not None:
            return max(0, math.ceil(self._session_deadline - self.monotonic()))
        if self.status is Status.PAUSED:
            return self.paused_remaining_s
        return 0

    def state_json(self) -> dict[str, object]:
        """GET /api/v1/state and every event."""
        return {
            "status": self.status.value,
            "program": self.program,
            "zone": self.zone,
            "intensity": self.intensity,
            "heat": self.heat,
            "minutes": self.minutes,
            "started_at": iso(self.started_at),
            "ends_at": iso(self.ends_at),
            "remaining_s": self.remaining_s(),
            "pause_expires_at": iso(self.pause_expires_at),
            "error": dict(self.error) if self.error else None,
            "now": iso(self.now()),
            "boot_id": self.boot_id,
            "seq": self.seq,
            **(
                {"zone_levels": {z: self.zone_levels.get(z, 0) for z in self.catalogue.level_zones}}
                if self.catalogue.level_zones
                else {}
            ),
        }

    # -- validation --------------------------------------------------------------------------

    def validate(self, body: object) -> SettingsChange:
        """Check every field before anything changes: an invalid request changes nothing."""
        if not isinstance(body, dict):
            raise ProtocolError(400, "invalid_json", "the body must be a JSON object")
        for key in body:
            if key not in SETTING_FIELDS:
                raise ProtocolError(
                    422,
                    "unknown_field",
                    f"unknown setting {key!r}",
                    field=str(key),
                    allowed=list(SETTING_FIELDS),
                )
        cat = self.catalogue
        return SettingsChange(
            program=_choice(body, "program", cat.programs, "unknown_program"),
            zone=_choice(body, "zone", cat.zones, "unknown_zone"),
            intensity=_level(body, cat),
            minutes=_minutes(body, cat),
            heat=_heat(body, cat),
            zone_levels=_zone_levels(body, cat),
        )

    # -- commands ----------------------------------------------------------------------------

    def start(self, body: object) -> None:
        """POST /api/v1/session/start."""
        change = self.validate(body)
        if self.status in (Status.RUNNING, Status.PAUSED):
            raise ProtocolError(
                409, "session_active", "a session is already active: stop it before starting"
            )
        self._apply(change)
        self.status = Status.RUNNING
        self.error = None
        self._started = self.monotonic()
        self._session_deadline = self._started + self.minutes * 60
        self._pause_deadline = None
        self._schedule(self._session_deadline)
        self._changed()

    def change(self, body: object) -> None:
        """PATCH /api/v1/settings."""
        change = self.validate(body)
        if change.minutes is not None and self.status in (Status.RUNNING, Status.PAUSED):
            raise ProtocolError(
                409,
                "session_active",
                "the session length cannot change during a session",
                field="minutes",
            )
        if self._apply(change):
            self._changed()

    def pause(self) -> None:
        """POST /api/v1/session/pause."""
        if not self.catalogue.pause:
            raise ProtocolError(422, "not_supported", "this massager cannot pause")
        if self.status is not Status.RUNNING:
            raise ProtocolError(409, "invalid_state", f"cannot pause while {self.status.value}")
        self.paused_remaining_s = self.remaining_s()
        self.status = Status.PAUSED
        self._session_deadline = None
        self._pause_deadline = self.monotonic() + self.catalogue.pause_timeout_minutes * 60
        self._schedule(self._pause_deadline)
        self._changed()

    def resume(self) -> None:
        """POST /api/v1/session/resume."""
        if not self.catalogue.pause:
            raise ProtocolError(422, "not_supported", "this massager cannot pause")
        if self.status is not Status.PAUSED:
            raise ProtocolError(409, "invalid_state", f"cannot resume while {self.status.value}")
        self.status = Status.RUNNING
        self._session_deadline = self.monotonic() + self.paused_remaining_s
        self._pause_deadline = None
        self._schedule(self._session_deadline)
        self._changed()

    def stop(self) -> None:
        """POST /api/v1/session/stop: always allowed, also without a session."""
        if self.status is Status.IDLE and not self.heat:
            return
        self._end(Status.IDLE)

    def press(self, body: object) -> None:
        """A local change on the device (its buttons): settings and/or an action, then pushed."""
        if not isinstance(body, dict):
            raise ProtocolError(400, "invalid_json", "the body must be a JSON object")
        settings = {key: value for key, value in body.items() if key != "action"}
        action = body.get("action")
        actions: dict[object, Callable[[], None]] = {
            "start": lambda: self.start(settings),
            "stop": self.stop,
            "pause": self.pause,
            "resume": self.resume,
        }
        if action is None:
            self.change(settings)
        elif action in actions:
            if action != "start":
                self.change(settings)
            actions[action]()
        else:
            raise ProtocolError(
                422, "invalid_value", "unknown action", field="action", allowed=list(actions)
            )

    def fail(self, code: str, message: str) -> None:
        """Fault: the device reports an error (for example overheating); the session ends."""
        self.error = {"code": code, "message": message}
        self._end(Status.ERROR)

    def reboot(self) -> None:
        """Fault: power cycle. The session is lost; pairings survive (they are in flash)."""
        self.error = None
        self.boot_id = secrets.token_hex(4)
        self.seq = 0
        self._end(Status.IDLE)

    def shutdown(self) -> None:
        """Cancel the session timer (the emulator process is stopping)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- internals ---------------------------------------------------------------------------

    def _apply(self, change: SettingsChange) -> bool:
        before = (self.program, self.zone, self.intensity, self.minutes, self.heat)
        levels_before = dict(self.zone_levels)
        self.zone_levels.update(change.zone_levels or {})
        if change.program is not None:
            self.program = change.program
        if change.zone is not None:
            self.zone = change.zone
        if change.intensity is not None:
            self.intensity = change.intensity
        if change.minutes is not None:
            self.minutes = change.minutes
        if change.heat is not None:
            self.heat = change.heat
        return levels_before != self.zone_levels or before != (
            self.program,
            self.zone,
            self.intensity,
            self.minutes,
            self.heat,
        )

    def _end(self, status: Status) -> None:
        # Safety: whatever ends a session also switches the heat off.
        self.shutdown()
        self.status = status
        self.heat = False
        self._started = None
        self._session_deadline = None
        self.paused_remaining_s = 0
        self._pause_deadline = None
        self._changed()

    def _schedule(self, deadline: float) -> None:
        """Call `check_deadlines` at `deadline`, a time on the device's monotonic clock."""
        self.shutdown()
        delay = max(0.0, deadline - self.monotonic())
        self._timer = asyncio.get_running_loop().call_later(delay, self.check_deadlines)

    @property
    def timer_delay(self) -> float | None:
        """Seconds until the device's own timer fires (None without one); for tests."""
        if self._timer is None:
            return None
        return self._timer.when() - asyncio.get_running_loop().time()

    def check_deadlines(self) -> None:
        """End a session whose end, or a pause whose timeout, has passed on the monotonic clock.

        The loop timer calls this at the deadline. Tests call it directly after skipping time
        (`clock_offset`, an injected monotonic clock), and then it may be early against the
        device's clock: it re-arms until that clock says the deadline has passed.
        """
        self.shutdown()  # when called directly, the pending timer must not fire later as well
        now = self.monotonic()
        if self.status is Status.RUNNING and self._session_deadline is not None:
            if now >= self._session_deadline:
                self._end(Status.FINISHED)
            else:
                self._schedule(self._session_deadline)
        elif self.status is Status.PAUSED and self._pause_deadline is not None:
            if now >= self._pause_deadline:
                self._end(Status.IDLE)
            else:
                self._schedule(self._pause_deadline)

    def _changed(self) -> None:
        self.seq += 1
        for listener in list(self.listeners):
            listener()


def _challenge_fields(body: object) -> tuple[str, str]:
    """`nonce` and `token_hint` of a challenge body, or 400 naming the field at fault."""
    if not isinstance(body, dict):
        raise ProtocolError(400, "invalid_json", "the body must be a JSON object")
    for key, pattern, shape in (
        ("nonce", NONCE_PATTERN, "16 to 64 lower-case hex characters"),
        ("token_hint", HINT_PATTERN, "16 lower-case hex characters"),
    ):
        value = body.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ProtocolError(400, "invalid_challenge", f"{key} must be {shape}", field=key)
    return body["nonce"], body["token_hint"]


def _choice(body: dict[Any, Any], key: str, options: dict[str, str], code: str) -> str | None:
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, str) or value not in options:
        raise ProtocolError(
            422,
            code,
            f"{key} {value!r} is not one of this massager's",
            field=key,
            allowed=list(options),
        )
    return value


def _is_int(value: object) -> bool:
    # bool is an int subclass in Python, but `true` is not a level.
    return isinstance(value, int) and not isinstance(value, bool)


def _level(body: dict[Any, Any], cat: Catalogue) -> int | None:
    if "intensity" not in body:
        return None
    value = body["intensity"]
    allowed = {"min": cat.intensity_min, "max": cat.intensity_max, "step": cat.intensity_step}
    if (
        not _is_int(value)
        or not cat.intensity_min <= value <= cat.intensity_max
        or (value - cat.intensity_min) % cat.intensity_step
    ):
        raise ProtocolError(
            422,
            "invalid_value",
            f"intensity must be a whole number from {cat.intensity_min} to {cat.intensity_max}"
            f" in steps of {cat.intensity_step}",
            field="intensity",
            allowed=allowed,
        )
    return int(value)


def _minutes(body: dict[Any, Any], cat: Catalogue) -> int | None:
    if "minutes" not in body:
        return None
    value = body["minutes"]
    allowed = {"min": cat.minutes_min, "max": cat.minutes_max, "step": 1}
    if _is_int(value) and value > cat.minutes_max:
        raise ProtocolError(
            422,
            "minutes_above_cap",
            f"sessions are limited to {cat.minutes_max} minutes on this massager",
            field="minutes",
            allowed=allowed,
        )
    if not _is_int(value) or value < cat.minutes_min:
        raise ProtocolError(
            422,
            "invalid_value",
            f"minutes must be a whole number from {cat.minutes_min} to {cat.minutes_max}",
            field="minutes",
            allowed=allowed,
        )
    return int(value)


def _heat(body: dict[Any, Any], cat: Catalogue) -> bool | None:
    if "heat" not in body:
        return None
    value = body["heat"]
    if not isinstance(value, bool):
        raise ProtocolError(422, "invalid_value", "heat must be true or false", field="heat")
    if value and not cat.heat:
        raise ProtocolError(422, "not_supported", "this massager has no heat", field="heat")
    return value


def _zone_levels(body: dict[Any, Any], cat: Catalogue) -> dict[str, int] | None:
    if "zone_levels" not in body:
        return None
    value = body["zone_levels"]
    if not cat.level_zones:
        raise ProtocolError(
            422, "not_supported", "this massager's zones have no levels", field="zone_levels"
        )
    if not isinstance(value, dict):
        raise ProtocolError(
            422, "invalid_value", "zone_levels must be an object", field="zone_levels"
        )
    allowed = {"min": 0, "max": cat.intensity_max, "step": 1}
    for zone, level in value.items():
        if zone not in cat.level_zones:
            raise ProtocolError(
                422,
                "unknown_zone",
                f"unknown level zone {zone!r}",
                field="zone_levels",
                allowed=list(cat.level_zones),
            )
        if not _is_int(level) or not 0 <= level <= cat.intensity_max:
            raise ProtocolError(
                422,
                "invalid_value",
                f"a zone's level must be a whole number from 0 to {cat.intensity_max}",
                field="zone_levels",
                allowed=allowed,
            )
    return {str(zone): int(level) for zone, level in value.items()}
