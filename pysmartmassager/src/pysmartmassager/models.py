"""Transport-neutral models: what any massager offers and reports, with no wire details.

Every transport (the reference HTTP protocol, and later Tuya, MIoT, ...) parses its own wire format
into these. Times are on the caller's clock (a transport corrects a device clock that is off), and
`revision` is an opaque number that only orders states of one massager: a larger one is newer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .const import MAX_INTENSITY_LEVELS


class Status(StrEnum):
    """Session status."""

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
    """Integer levels: a range with a step, or a fixed list (`values`, such as 10/15/20/30 min)."""

    minimum: int
    maximum: int
    step: int = 1
    values: tuple[int, ...] = ()

    @classmethod
    def on_grid(cls, low: int, high: int, step: int) -> LevelRange:
        """The levels low..high by `step`, at most MAX_INTENSITY_LEVELS of them.

        A device may declare a range of 2^31 levels: then they are reached in coarser steps that
        stay on the device's own grid (every level one the device takes).
        """
        count = (high - low) // step + 1
        if count > MAX_INTENSITY_LEVELS:
            step *= math.ceil(count / MAX_INTENSITY_LEVELS)
        return cls(low, high - (high - low) % step, step)

    @classmethod
    def of(cls, values: tuple[int, ...]) -> LevelRange:
        """A fixed list of levels (sorted, at least one)."""
        ordered = tuple(sorted(set(values)))
        return cls(minimum=ordered[0], maximum=ordered[-1], values=ordered)

    def __contains__(self, value: object) -> bool:
        """True when `value` is a whole number and one of the levels."""
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        if self.values:
            return value in self.values
        return self.minimum <= value <= self.maximum and (value - self.minimum) % self.step == 0

    @property
    def levels(self) -> int:
        """How many levels there are (the fan's speed count for intensity)."""
        return len(self.values) or (self.maximum - self.minimum) // self.step + 1

    @property
    def gentlest(self) -> int:
        """The lowest level that massages: a range from 0 has 0 as off (a bed zone's level)."""
        return self.at(2) if self.minimum == 0 and self.levels > 1 else self.minimum

    def moved(self, current: int, steps: int) -> int:
        """`current` moved by `steps` levels (gentler when negative), within the range.

        Gentler never goes below the gentlest level that massages ("gentler" on a zone at 1 of
        0-10 keeps it at 1 rather than switching it off), nor raises a zone that is off.
        """
        position = self.position(current)
        wanted = position + steps
        if steps < 0:
            wanted = max(wanted, min(position, self.position(self.gentlest)))
        return self.at(wanted)

    def position(self, value: int) -> int:
        """The 1-based position of the level nearest to `value`.

        Arithmetic for a range: a device may declare millions of levels, and this runs on
        every state a fan entity writes.
        """
        level = self.clamp(value)
        if self.values:
            return self.values.index(level) + 1
        return (level - self.minimum) // self.step + 1

    def at(self, position: int) -> int:
        """The level at a 1-based position (clamped to the ends)."""
        index = min(self.levels, max(1, position)) - 1
        return self.values[index] if self.values else self.minimum + index * self.step

    def clamp(self, value: int) -> int:
        """The nearest valid level to `value`, the lower one on a tie ("gentler by 3" at 2)."""
        if self.values:
            return min(self.values, key=lambda level: (abs(level - value), level))
        bounded = min(self.maximum, max(self.minimum, value))
        return bounded - (bounded - self.minimum) % self.step


@dataclass(frozen=True, slots=True)
class LevelZone:
    """A zone with an intensity of its own, beside the others (a bed's head and foot).

    Unlike `zones` (where the massage works, one at a time), every level zone runs at its own
    level at once; a level of 0, where the range has it, is that zone off.
    """

    id: str
    name: str
    levels: LevelRange


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a device can do; the integration creates entities only for what is here.

    `device_timer` says whether the device ends a session by itself; without it Home Assistant
    must be the timer. `programs` and `zones` may be empty and `intensity` None (a massager on a
    smart plug has none of them). A device with one intensity has no `level_zones`; one whose
    zones have levels of their own lists them there, and `intensity` is then all zones at once.
    """

    programs: tuple[Choice, ...]
    zones: tuple[Choice, ...]
    intensity: LevelRange | None
    session_minutes: LevelRange
    default_minutes: int
    heat: bool
    pause: bool
    pause_timeout_minutes: int | None
    device_timer: bool = True
    level_zones: tuple[LevelZone, ...] = ()
    # Heat in named levels, gentlest first (empty: heat is on/off only). `heat` is then on at
    # any of them; a session's heat switched on without a level is on at the gentlest.
    heat_levels: tuple[Choice, ...] = ()

    @property
    def program_ids(self) -> list[str]:
        """Program ids in the device's order."""
        return [program.id for program in self.programs]

    @property
    def zone_ids(self) -> list[str]:
        """Zone ids in the device's order."""
        return [zone.id for zone in self.zones]

    def level_zone(self, zone_id: str) -> LevelZone | None:
        """The level zone with this id, if the device has it."""
        return next((zone for zone in self.level_zones if zone.id == zone_id), None)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Device description and capabilities.

    `serial` is the device's stable identity (what unique ids are built from): a real serial
    where the device has one, else an id of the cloud it was paired with or of its
    configuration. `serial_number` is only a serial a person can read on the device or in its
    app; None when the transport knows only an id (Tuya's and Xiaomi's device ids are redacted in
    diagnostics, so they are not shown as a serial either). `firmware` is empty when unknown.
    """

    serial: str
    name: str
    model: str
    manufacturer: str
    firmware: str
    capabilities: Capabilities
    serial_number: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceError:
    """The error a device in status `error` reports."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SessionState:
    """The device's state: settings, session timing and status.

    `ends_at` and `pause_expires_at` are on the caller's clock. `program` and `zone` are empty
    strings on devices without programs or zones; `intensity` is 0 on devices without levels.
    `zone_levels` holds each level zone's level, None where the device cannot tell it now (a
    bed that lost its levels when it disconnected): a level is never assumed.
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
    revision: int
    zone_levels: Mapping[str, int | None] = field(default_factory=dict)
    heat_level: str = ""  # the heat level's id while heat is on at one of heat_levels, else ""

    @property
    def active(self) -> bool:
        """True while a session runs or is paused."""
        return self.status in (Status.RUNNING, Status.PAUSED)

    def is_newer_than(self, other: SessionState | None) -> bool:
        """Whether this state should replace `other` (a larger revision is newer)."""
        return other is None or self.revision > other.revision

    def same_as(self, other: SessionState | None) -> bool:
        """Equal in everything a user can see (the revision aside)."""
        return other is not None and _visible(self) == _visible(other)


def _visible(state: SessionState) -> tuple[object, ...]:
    return (
        state.status,
        state.program,
        state.zone,
        state.intensity,
        state.heat,
        state.minutes,
        state.started_at,
        state.ends_at,
        state.pause_expires_at,
        state.error,
        tuple(state.zone_levels.items()),
        state.heat_level,
    )


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Settings for a start or a change; None leaves the device's current value.

    `zone_levels` sets level zones one by one (the others keep theirs); `intensity` sets them all.
    `heat_level` is one of the capabilities' heat levels: heat on at it (only for a device that
    lists heat levels; heat False with a level is refused).
    """

    program: str | None = None
    zone: str | None = None
    intensity: int | None = None
    minutes: int | None = None
    heat: bool | None = None
    zone_levels: Mapping[str, int] | None = None
    heat_level: str | None = None

    def as_dict(self) -> dict[str, str | int | bool]:
        """Only the fields that are set (level zones aside: see `zone_levels`)."""
        body: dict[str, str | int | bool] = {}
        for key in ("program", "zone", "intensity", "minutes", "heat"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body

    @property
    def empty(self) -> bool:
        """True when nothing is set: a change that would change nothing."""
        return not self.as_dict() and not self.zone_levels and self.heat_level is None
