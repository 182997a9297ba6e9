"""The reference protocol's JSON (docs/protocol.md) into the neutral models, and back.

Everything wire-specific lives here: field names, `boot_id` + `seq` ordering (with wrap-around),
the device clock's skew correction. The neutral models never see any of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pysmartmassager.const import MAX_CHOICES
from pysmartmassager.decoding import (
    JsonObject,
    as_object,
    get_bool,
    get_bounded_list,
    get_id,
    get_int,
    get_name,
    get_str,
    get_time,
    is_id,
)
from pysmartmassager.exceptions import MassagerResponseError
from pysmartmassager.massager import refuse_heat_level
from pysmartmassager.models import (
    Capabilities,
    Choice,
    DeviceError,
    DeviceInfo,
    LevelRange,
    LevelZone,
    SessionSettings,
    SessionState,
    Status,
)

# A device clock closer than this to ours is trusted as is; beyond it, times are corrected.
CLOCK_SKEW_TOLERANCE = timedelta(seconds=2)
# How much one clock measure may differ from the last without being a new skew.
SKEW_JITTER = timedelta(seconds=1)
# `seq` is an unsigned 32-bit counter that may wrap (docs/protocol.md); compared as serial numbers.
SEQ_MODULUS = 2**32
# Old boot ids remembered, so that a late answer from before a reboot is not taken as a new boot.
_BOOTS_REMEMBERED = 8


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who answers at an address (GET /api/v1/pair); available without a token."""

    serial: str
    name: str
    model: str
    pairing_open: bool
    protocol: int


def parse_identity(value: object) -> DeviceIdentity:
    """The identity object."""
    data = as_object(value, "identity")
    return DeviceIdentity(
        serial=get_str(data, "serial", "identity"),
        name=get_str(data, "name", "identity"),
        model=get_str(data, "model", "identity"),
        pairing_open=get_bool(data, "pairing_open", "identity"),
        protocol=get_int(data, "protocol", "identity"),
    )


def parse_info(value: object) -> DeviceInfo:
    """The info object, with its capabilities (the device ends its own sessions)."""
    data = as_object(value, "info")
    get_int(data, "protocol", "info")  # required by the protocol; not part of the neutral model
    serial = get_str(data, "serial", "info")
    return DeviceInfo(
        serial=serial,
        serial_number=serial,  # the reference protocol's serial is the device's own
        name=get_name(data, "name", "info"),
        model=get_str(data, "model", "info"),
        manufacturer=get_str(data, "manufacturer", "info"),
        firmware=get_str(data, "firmware", "info"),
        capabilities=parse_capabilities(data.get("capabilities")),
    )


def parse_capabilities(value: object) -> Capabilities:
    """The `capabilities` object."""
    data = as_object(value, "capabilities")
    intensity = as_object(data.get("intensity"), "capabilities.intensity")
    minutes = as_object(data.get("session_minutes"), "capabilities.session_minutes")
    pause = get_bool(data, "pause", "capabilities")
    capabilities = Capabilities(
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
        device_timer=True,  # protocol v1 devices always time their own sessions
        level_zones=_level_zones(data),
    )
    if capabilities.default_minutes not in capabilities.session_minutes:
        raise MassagerResponseError("capabilities.session_minutes.default is out of range")
    return capabilities


class StateReader:
    """Parses one device's states, ordering them and correcting its clock.

    One per client: it remembers the newest (`boot_id`, `seq`) seen, so it can give every state
    an opaque revision that grows with `seq` across a wrap (4294967295 then 0) and jumps on a
    new `boot_id`, while an answer from an older boot still counts as older.
    """

    def __init__(self) -> None:
        self._boot_id: str | None = None
        self._seq = 0
        self._revision = 0
        self._old_boots: list[str] = []
        self._skew: timedelta | None = None  # the correction in use, kept while it still fits

    def _steady_skew(self, measured: timedelta) -> timedelta:
        """The correction to use: the one in use while a new measure is within a second of it.

        Each measure is off by up to a second (the device's time is truncated, the answer takes
        a while), so without this a skewed device's corrected start time moved by a second from
        one state to the next, and a routine took its own session for another one.
        """
        if self._skew is None or abs(measured - self._skew) > SKEW_JITTER:
            self._skew = measured
        return self._skew

    def parse(self, value: object, *, received_at: datetime | None = None) -> SessionState:
        """A state object; `received_at` (default now) measures the device's clock skew."""
        data = as_object(value, "state")
        raw_status = get_str(data, "status", "state")
        try:
            status = Status(raw_status)
        except ValueError as err:
            raise MassagerResponseError(f"state.status: unknown status {raw_status!r:.40}") from err
        device_time = get_time(data, "now", "state")
        if device_time is None:
            raise MassagerResponseError("state.now: missing")
        error = data.get("error")
        seq = get_int(data, "seq", "state")
        if not 0 <= seq < SEQ_MODULUS:
            raise MassagerResponseError("state.seq: not an unsigned 32-bit number")
        boot_id = get_str(data, "boot_id", "state")
        skew = self._steady_skew(_skew(device_time, received_at or datetime.now(UTC)))
        return SessionState(
            status=status,
            program=get_str(data, "program", "state"),
            zone=get_str(data, "zone", "state"),
            intensity=get_int(data, "intensity", "state"),
            heat=get_bool(data, "heat", "state"),
            minutes=get_int(data, "minutes", "state"),
            started_at=_local(get_time(data, "started_at", "state"), skew),
            ends_at=_local(get_time(data, "ends_at", "state"), skew),
            remaining_s=get_int(data, "remaining_s", "state"),
            pause_expires_at=_local(get_time(data, "pause_expires_at", "state"), skew),
            error=None if error is None else _device_error(error),
            revision=self._order(boot_id, seq),
            zone_levels=_zone_levels(data),
        )

    def _order(self, boot_id: str, seq: int) -> int:
        if self._boot_id is None or (boot_id != self._boot_id and boot_id not in self._old_boots):
            if self._boot_id is not None:
                self._old_boots = [*self._old_boots, self._boot_id][-_BOOTS_REMEMBERED:]
            # A new boot: newer than anything before, whatever its seq.
            self._boot_id, self._seq = boot_id, seq
            self._revision += SEQ_MODULUS
            return self._revision
        if boot_id != self._boot_id:
            return self._revision - SEQ_MODULUS  # a late answer from before a reboot
        ahead = (seq - self._seq) % SEQ_MODULUS
        if 0 < ahead < SEQ_MODULUS // 2:
            self._seq = seq
            self._revision += ahead
            return self._revision
        # Equal or behind (as serial numbers): not newer than what is held.
        return self._revision - (self._seq - seq) % SEQ_MODULUS


def settings_body(settings: SessionSettings) -> JsonObject:
    """The request body of a start or a settings change: only the fields that are set.

    The protocol has heat on/off only (docs/protocol.md): a heat level is refused, not dropped.
    """
    refuse_heat_level(settings)
    body: JsonObject = dict(settings.as_dict())
    if settings.zone_levels:
        body["zone_levels"] = dict(settings.zone_levels)
    return body


def _skew(device_time: datetime, received_at: datetime) -> timedelta:
    """How far the device's clock is ahead of ours (negative: behind), whole seconds.

    Rounded up: the device writes its time truncated to the second, so the difference we see
    falls short by up to a second; rounding it (not up) let a corrected end time land a second
    late, and "15 minutes left" showed as 16.
    """
    return timedelta(seconds=math.ceil((device_time - received_at).total_seconds()))


def _local(moment: datetime | None, skew: timedelta) -> datetime | None:
    """A device time on our clock: as reported when the clocks agree, corrected when not."""
    if moment is None or abs(skew) <= CLOCK_SKEW_TOLERANCE:
        return moment
    try:
        return moment - skew
    except OverflowError as err:
        raise MassagerResponseError("state: a time out of range after clock correction") from err


def _choices(data: JsonObject, key: str) -> tuple[Choice, ...]:
    where = f"capabilities.{key}"
    # Ids follow the protocol's syntax, names are cleaned and cut, lists are bounded: device
    # data reaches voice sentence files and LLM prompts.
    entries = get_bounded_list(data, key, "capabilities", MAX_CHOICES)
    items = tuple(
        Choice(id=get_id(item, "id", where), name=get_name(item, "name", where))
        for item in (as_object(entry, where) for entry in entries)
    )
    if not items:
        raise MassagerResponseError(f"{where}: the device lists none")
    return items


def _level_zones(data: JsonObject) -> tuple[LevelZone, ...]:
    """Optional `level_zones`: zones with an intensity of their own, each with its range."""
    if "level_zones" not in data:
        return ()
    where = "capabilities.level_zones"
    entries = get_bounded_list(data, "level_zones", "capabilities", MAX_CHOICES)
    zones = tuple(
        LevelZone(
            id=get_id(item, "id", where),
            name=get_name(item, "name", where),
            levels=_range(item, where),
        )
        for item in (as_object(entry, where) for entry in entries)
    )
    if len({zone.id for zone in zones}) != len(zones):
        raise MassagerResponseError(f"{where}: a zone is listed twice")  # one entity per id
    return zones


def _zone_levels(data: JsonObject) -> dict[str, int | None]:
    """Optional `zone_levels`: each level zone's level; one that is not a number is unknown."""
    if "zone_levels" not in data:
        return {}
    levels = as_object(data["zone_levels"], "state.zone_levels")
    if len(levels) > MAX_CHOICES:
        raise MassagerResponseError("state.zone_levels: too many zones")
    return {
        zone: value if isinstance(value, int) and not isinstance(value, bool) else None
        for zone, value in levels.items()
        if is_id(zone)
    }


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
