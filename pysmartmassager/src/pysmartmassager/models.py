"""Typed models of docs/protocol.md: identity, info with capabilities, session state, settings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .decoding import (
    JsonObject,
    as_object,
    get_bool,
    get_int,
    get_list,
    get_str,
    get_time,
)
from .exceptions import MassagerResponseError

# A device clock closer than this to ours is trusted as is; beyond it, times are corrected.
CLOCK_SKEW_TOLERANCE = timedelta(seconds=2)


class Status(StrEnum):
    """Session status as the device reports it."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Choice:
    """A program or zone: a stable id and the device's display name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class LevelRange:
    """An integer range with a step, such as intensity levels or session minutes."""

    minimum: int
    maximum: int
    step: int = 1

    def __contains__(self, value: object) -> bool:
        """True when `value` is a whole number in range and on a step."""
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return self.minimum <= value <= self.maximum and (value - self.minimum) % self.step == 0

    @property
    def levels(self) -> int:
        """How many values the range holds (the fan's speed count for intensity)."""
        return (self.maximum - self.minimum) // self.step + 1

    def clamp(self, value: int) -> int:
        """The nearest valid value to `value` (used for "gentler by 3" at level 2)."""
        bounded = min(self.maximum, max(self.minimum, value))
        return bounded - (bounded - self.minimum) % self.step


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a device can do; the integration creates entities only for what is here."""

    programs: tuple[Choice, ...]
    zones: tuple[Choice, ...]
    intensity: LevelRange
    session_minutes: LevelRange
    default_minutes: int
    heat: bool
    pause: bool
    pause_timeout_minutes: int | None

    @property
    def program_ids(self) -> list[str]:
        """Program ids in the device's order."""
        return [program.id for program in self.programs]

    @property
    def zone_ids(self) -> list[str]:
        """Zone ids in the device's order."""
        return [zone.id for zone in self.zones]

    @classmethod
    def from_json(cls, value: object) -> Capabilities:
        """Parse the `capabilities` object."""
        data = as_object(value, "capabilities")
        intensity = as_object(data.get("intensity"), "capabilities.intensity")
        minutes = as_object(data.get("session_minutes"), "capabilities.session_minutes")
        pause = get_bool(data, "pause", "capabilities")
        capabilities = cls(
            programs=_choices(data, "programs"),
            zones=_choices(data, "zones"),
            intensity=_range(intensity, "capabilities.intensity"),
            session_minutes=_range(minutes, "capabilities.session_minutes"),
            default_minutes=get_int(minutes, "default", "capabilities.session_minutes"),
            heat=get_bool(data, "heat", "capabilities"),
            pause=pause,
            pause_timeout_minutes=(
                get_int(data, "pause_timeout_minutes", "capabilities") if pause else None
            ),
        )
        if capabilities.default_minutes not in capabilities.session_minutes:
            raise MassagerResponseError("capabilities.session_minutes.default is out of range")
        return capabilities


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who answers at an address (GET /api/v1/pair); available without a token."""

    serial: str
    name: str
    model: str
    pairing_open: bool
    protocol: int

    @classmethod
    def from_json(cls, value: object) -> DeviceIdentity:
        """Parse the identity object."""
        data = as_object(value, "identity")
        return cls(
            serial=get_str(data, "serial", "identity"),
            name=get_str(data, "name", "identity"),
            model=get_str(data, "model", "identity"),
            pairing_open=get_bool(data, "pairing_open", "identity"),
            protocol=get_int(data, "protocol", "identity"),
        )


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Device description and capabilities (GET /api/v1/info)."""

    serial: str
    name: str
    model: str
    manufacturer: str
    firmware: str
    protocol: int
    capabilities: Capabilities

    @classmethod
    def from_json(cls, value: object) -> DeviceInfo:
        """Parse the info object."""
        data = as_object(value, "info")
        return cls(
            serial=get_str(data, "serial", "info"),
            name=get_str(data, "name", "info"),
            model=get_str(data, "model", "info"),
            manufacturer=get_str(data, "manufacturer", "info"),
            firmware=get_str(data, "firmware", "info"),
            protocol=get_int(data, "protocol", "info"),
            capabilities=Capabilities.from_json(data.get("capabilities")),
        )


@dataclass(frozen=True, slots=True)
class DeviceError:
    """The error a device in status `error` reports."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SessionState:
    """The device's state: settings, session timing and status.

    `received_at` is our clock when the state arrived; with `device_time` it measures the device's
    clock skew, so that `local_ends_at` is right even when the device's clock is not.
    """

    status: Status
    program: str
    zone: str
    intensity: int
    heat: bool
    minutes: int
    started_at: datetime | None
    ends_at: datetime | None
    remaining_s: int
    pause_expires_at: datetime | None
    error: DeviceError | None
    device_time: datetime
    boot_id: str
    seq: int
    received_at: datetime

    @property
    def active(self) -> bool:
        """True while a session runs or is paused."""
        return self.status in (Status.RUNNING, Status.PAUSED)

    @property
    def clock_skew(self) -> timedelta:
        """How far the device's clock is ahead of ours (negative: behind), whole seconds.

        Rounded up: the device writes its time truncated to the second, so the difference we
        see falls short by up to a second; rounding it (not up) let a corrected end time land a
        second late, and "15 minutes left" showed as 16.
        """
        return timedelta(seconds=math.ceil((self.device_time - self.received_at).total_seconds()))

    @property
    def local_ends_at(self) -> datetime | None:
        """`ends_at` on our clock: as reported when the clocks agree, corrected when they do not."""
        if self.ends_at is None:
            return None
        skew = self.clock_skew
        return self.ends_at if abs(skew) <= CLOCK_SKEW_TOLERANCE else self.ends_at - skew

    def is_newer_than(self, other: SessionState | None) -> bool:
        """Whether this state should replace `other` (docs/protocol.md, `boot_id` and `seq`)."""
        return other is None or self.boot_id != other.boot_id or self.seq > other.seq

    @classmethod
    def from_json(cls, value: object, *, received_at: datetime | None = None) -> SessionState:
        """Parse a state object; `received_at` defaults to now."""
        data = as_object(value, "state")
        raw_status = get_str(data, "status", "state")
        try:
            status = Status(raw_status)
        except ValueError as err:
            raise MassagerResponseError(f"state.status: unknown status {raw_status!r}") from err
        device_time = get_time(data, "now", "state")
        if device_time is None:
            raise MassagerResponseError("state.now: missing")
        error = data.get("error")
        return cls(
            status=status,
            program=get_str(data, "program", "state"),
            zone=get_str(data, "zone", "state"),
            intensity=get_int(data, "intensity", "state"),
            heat=get_bool(data, "heat", "state"),
            minutes=get_int(data, "minutes", "state"),
            started_at=get_time(data, "started_at", "state"),
            ends_at=get_time(data, "ends_at", "state"),
            remaining_s=get_int(data, "remaining_s", "state"),
            pause_expires_at=get_time(data, "pause_expires_at", "state"),
            error=None if error is None else _device_error(error),
            device_time=device_time,
            boot_id=get_str(data, "boot_id", "state"),
            seq=get_int(data, "seq", "state"),
            received_at=received_at or datetime.now(UTC),
        )


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Settings for a start or a change; None leaves the device's current value."""

    program: str | None = None
    zone: str | None = None
    intensity: int | None = None
    minutes: int | None = None
    heat: bool | None = None

    def as_json(self) -> JsonObject:
        """The request body: only the fields that are set."""
        body: JsonObject = {}
        for key in ("program", "zone", "intensity", "minutes", "heat"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


def _choices(data: JsonObject, key: str) -> tuple[Choice, ...]:
    where = f"capabilities.{key}"
    items = tuple(
        Choice(id=get_str(item, "id", where), name=get_str(item, "name", where))
        for item in (as_object(entry, where) for entry in get_list(data, key, "capabilities"))
    )
    if not items:
        raise MassagerResponseError(f"{where}: the device lists none")
    return items


def _range(data: JsonObject, where: str) -> LevelRange:
    level_range = LevelRange(
        minimum=get_int(data, "min", where),
        maximum=get_int(data, "max", where),
        step=get_int(data, "step", where) if "step" in data else 1,
    )
    if level_range.step < 1 or level_range.maximum < level_range.minimum:
        raise MassagerResponseError(f"{where}: not a valid range")
    return level_range


def _device_error(value: object) -> DeviceError:
    data = as_object(value, "state.error")
    return DeviceError(
        code=get_str(data, "code", "state.error"),
        message=get_str(data, "message", "state.error"),
    )
