"""A Xiaomi MIoT massager behind the transport-neutral `Massager` interface.

The model's published spec gives each role its property (`spec.py`); this module reads and
writes them over the miio protocol. miio has no push, so a subscription polls (the kit's
`PollingSubscription`): every ACTIVE_POLL_S while a session runs (a press on the device shows
within about a second) and every IDLE_POLL_S otherwise, and a command wakes it at once. Polls
and commands share the device's one request lock, so they never overlap. Every command is
written, then read back: the state shown is the device's.

No standard MIoT property sets a session's length, so Home Assistant is the timer for every
model (`device_timer=False`); a model with `left-time` also shows its own countdown, and stops
when that runs out. Values the spec does not describe are shown as the device sends them.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.credential_doubts import CredentialDoubts
from pysmartmassager.decoding import OnceWarnings, brief, clean_text
from pysmartmassager.exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerResponseError,
)
from pysmartmassager.massager import (
    ConnectionCallback,
    Massager,
    StateCallback,
    checked_heat_level,
    invalid_setting,
    refuse_zone_levels,
)
from pysmartmassager.models import (
    Capabilities,
    Choice,
    DeviceError,
    DeviceInfo,
    LevelRange,
    SessionSettings,
    SessionState,
    Status,
)
from pysmartmassager.polling import PollingSubscription
from pysmartmassager.reconnect import Backoff
from pysmartmassager.session import MAX_SESSION_MINUTES, HostTimedSession

from .connection import DEFAULT_PORT, MiotConnection, MiotSilentError
from .protocol import MiotTokenError
from .spec import (
    AIRBAG_SUFFIX,
    ASSUMED_UNIT,
    UNREADABLE,
    MiotMap,
    MiotProperty,
    Value,
    airbag_zones,
    heat_values,
)

LOGGER = logging.getLogger(__package__)

ACTIVE_POLL_S = 1.0
DROP_AFTER_FAILURES = 3  # failed reads in a row before a property is no longer polled
IDLE_POLL_S = 10.0
RETRY_MIN_S = 1.0
RETRY_MAX_S = 30.0
# Sessions are timed by Home Assistant; the lengths offered, capped like every host-timed one.
SESSION_MINUTES = LevelRange(5, MAX_SESSION_MINUTES, 5)
DEFAULT_MINUTES = 15
# A device that answers hello but never a request may have a new token, or be busy starting
# up; answers whose checksum does not match the token may be a new token or packets corrupted
# on the way. Only evidence that persists (CredentialDoubts' one rule) asks the user for a new
# token; the host passes the same CredentialDoubts to each massager it builds for a device.
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    """An id from a spec's words: lower case, runs of anything else as one underscore."""
    return _SLUG.sub("_", text.casefold()).strip("_")


@dataclass(frozen=True, slots=True)
class MiotDevice:
    """Everything needed to reach one device and understand its properties."""

    host: str
    token: str = field(repr=False)  # a secret: kept out of any repr that reaches a log
    device_id: int = field(repr=False)  # names the device in Xiaomi's cloud
    mapping: MiotMap = field(repr=False)
    name: str = "Xiaomi massager"
    port: int = DEFAULT_PORT
    firmware: str = ""


def _choices(prop: MiotProperty | None) -> dict[str, Value]:
    """Stable ids for a value-list: the description as a slug, else the value itself.

    A value whose description is a placeholder ("NA") beside described ones is no choice to
    offer (the cushion's spec lists its mode 3 so): it was a program named "3". Reported by the
    device, it is still shown as its value.
    """
    if prop is None:
        return {}
    described = any(description for _value, description in prop.choices)
    ids: dict[str, Value] = {}
    for value, description in prop.choices:
        if described and not description:
            continue
        slug = _slug(description)
        key = slug if slug and slug not in ids else str(value)
        ids.setdefault(key, value)
    return ids


# More heat levels than this (a range 0-100) are not offered as a choice: heat is then on/off.
MAX_HEAT_LEVELS = 10
# Airbag zones by the first word of their switch: the ids the other zones use where they match.
_AIRBAG_IDS = {
    "shoulder": "shoulders",
    "all": "all",
    "arm": "arm",
    "leg": "leg",
    "back": "full_back",
}


def _airbag_id(prop: MiotProperty) -> str:
    word = prop.name.removesuffix(AIRBAG_SUFFIX)
    return _AIRBAG_IDS.get(word, _slug(word) or str(prop.piid))


def _airbag_name(prop: MiotProperty) -> str:
    """An airbag zone's name: its switch's first word ("Shoulder")."""
    return prop.name.removesuffix(AIRBAG_SUFFIX).replace("-", " ").capitalize()


def _heat_levels(prop: MiotProperty | None) -> dict[str, Value]:
    """Heat levels by id, gentlest first: the values above off, where there are two or more.

    A single one is heat on/off. Ids as for programs; a range's levels are its numbers.
    """
    values = heat_values(prop) if prop is not None and prop.format != "bool" else None
    if prop is None or values is None:
        return {}
    off = values[0]
    found: dict[str, int] = {}
    if prop.choices and isinstance(off, int):
        # The whole numbers above off, as heat_values counts them (the gentlest is the one heat
        # on uses); a level without a description goes by its number.
        for value, text in prop.choices:
            if isinstance(value, int) and not isinstance(value, bool) and value > off:
                slug = _slug(text)
                found[slug if slug and slug not in found else str(value)] = value
    elif prop.value_range is not None:
        low, high, step = prop.value_range
        if (high - low) / step > MAX_HEAT_LEVELS:
            return {}  # a range of hundreds of steps is no list to choose from: heat on/off
        found = {str(n): n for n in range(int(low + step), int(high) + 1, int(step))}
    ordered: dict[str, Value] = dict(sorted(found.items(), key=lambda item: item[1]))
    return ordered if len(ordered) > 1 else {}


class MiotProfile:
    """The model's roles seen as a massage session: capabilities, and state both ways."""

    def __init__(self, mapping: MiotMap) -> None:
        power = mapping.role("power")
        if power is None:  # MiotMap guarantees it; a hand-made one may not
            raise MassagerInvalidRequestError(
                "nothing on this device starts a massage", code="not_massager"
            )
        self.power = power
        self.program = mapping.role("program")
        self.zone = mapping.role("zone")
        self.intensity = mapping.role("intensity")
        heat = mapping.role("heat")
        # (off, on) of the heat, found once; a heat that cannot be switched off is never used
        # (a hand-made map may hold one).
        self.heat_switch = heat_values(heat) if heat is not None else None
        self.heat = heat if self.heat_switch is not None else None
        self.remaining = mapping.role("remaining")
        self.fault = mapping.role("fault")
        self.programs = _choices(self.program)
        self.zones = _choices(self.zone)
        # Without a zone property, the airbag switches are the zones: id -> its switch.
        self.airbags: dict[str, MiotProperty] = {}
        for prop in airbag_zones(mapping.roles, mapping.airbags):  # a hand-made map's too
            key = _airbag_id(prop)
            self.airbags[key if key not in self.airbags else f"{key}_{prop.piid}"] = prop
        self.heat_levels = _heat_levels(self.heat)
        self.properties = [p for p in (*mapping.roles.values(), *mapping.airbags) if p.readable]
        self._by_key = {p.key: p for p in self.properties}
        # Failed reads of a property that never read; past DROP_AFTER_FAILURES it is not polled
        # again (the m900 answered -4004 for three properties at every poll).
        self._failures: dict[tuple[int, int], int] = {}
        self._ever_read: set[tuple[int, int]] = set()  # a property that read once is kept
        self.dropped: dict[tuple[int, int], int] = {}  # property -> the device's last error code
        self._warnings = OnceWarnings(LOGGER)  # kinds of nonsense already logged for this device

    def take(self, read: dict[tuple[int, int], tuple[int, Any]]) -> dict[tuple[int, int], Any]:
        """The values a read answered, each in its property's format.

        A value its format cannot hold is left out (the last good one stays), logged once per
        property; an unreadable on/off is an error, never "off": a massage whose state cannot
        be read keeps its session, timed and ended by Home Assistant.
        """
        taken: dict[tuple[int, int], Any] = {}
        power_code = read.get(self.power.key, (0, None))[0]
        if power_code != 0:  # unknown is not "off": an error, as below
            raise MassagerResponseError(f"the device could not read its on/off ({power_code})")
        for key, (code, raw) in read.items():
            prop = self._by_key.get(key)
            if prop is None:
                continue
            if code != 0:
                # Counted only in a read whose on/off answered: a device that fails every
                # read at once (booting, overloaded) drops none of its properties.
                self._failed(prop, code)
                continue
            self._ever_read.add(key)
            value = prop.read(raw)
            if value is UNREADABLE:
                self._warn_once(
                    prop.name, f"reports {prop.name} as {brief(raw)}, not {prop.format}"
                )
                if prop.key == self.power.key:
                    raise MassagerResponseError(
                        f"the device reports its on/off as {brief(raw)}: it cannot be read"
                    )
                continue
            taken[key] = value
        return taken

    def _failed(self, prop: MiotProperty, code: int) -> None:
        """One more failed read; a property that never reads is dropped from the poll.

        Never the on/off (take() refuses a read without it): a massage whose state cannot be
        read must stay visible as an error.
        """
        # Only one that never read: a property that did is failing for now (it keeps being
        # asked; its last value stays until it answers again).
        if prop.key in self._ever_read:
            return
        failures = self._failures[prop.key] = self._failures.get(prop.key, 0) + 1
        if failures < DROP_AFTER_FAILURES:
            return
        self.properties = [p for p in self.properties if p.key != prop.key]
        self.dropped[prop.key] = code
        LOGGER.warning(
            "MIoT %s (siid %s, piid %s): %s failed reads in a row (error %s), no longer polled",
            prop.name,
            prop.siid,
            prop.piid,
            failures,
            code,
        )

    def diagnostics(self) -> dict[str, Any]:
        """Properties dropped from the poll, and a time left whose unit was assumed."""
        found: dict[str, Any] = {
            "dropped_properties": [
                {"name": self._by_key[key].name, "siid": key[0], "piid": key[1], "error": code}
                for key, code in sorted(self.dropped.items())
            ]
        }
        if self.remaining is not None and not self.remaining.unit:
            found["left_time_unit"] = f"not in the spec: taken as {ASSUMED_UNIT}"
        return found

    def _warn_once(self, kind: str, message: str) -> None:
        self._warnings.warn(kind, "MIoT device %s", message)

    def _labels(self, prop: MiotProperty | None, ids: dict[str, Value]) -> tuple[Choice, ...]:
        return tuple(
            Choice(key, prop.describe(value) if prop else key) for key, value in ids.items()
        )

    def capabilities(self) -> Capabilities:
        """What the roles allow; Home Assistant is the timer."""
        return Capabilities(
            programs=self._labels(self.program, self.programs),
            zones=self._labels(self.zone, self.zones)
            or tuple(Choice(key, _airbag_name(prop)) for key, prop in self.airbags.items()),
            intensity=self.intensity_levels(),
            session_minutes=SESSION_MINUTES,
            default_minutes=DEFAULT_MINUTES,
            heat=self.heat is not None,
            pause=False,  # no standard MIoT massager property pauses
            pause_timeout_minutes=None,
            device_timer=False,
            heat_levels=self._labels(self.heat, self.heat_levels),
        )

    def intensity_levels(self) -> LevelRange | None:
        """A value-list counts 1..n in the spec's order; a value-range keeps its own numbers."""
        prop = self.intensity
        if prop is None:
            return None
        if prop.choices or prop.value_range is None:  # the spec check gives it one of the two
            return LevelRange(1, len(prop.choices)) if prop.choices else None
        start, high, step = (int(n) for n in prop.value_range)
        # The lowest level on the device's grid that is at least 1 (0 would be "off", which is
        # the power's job).
        low = start if start >= 1 else start + step * math.ceil((1 - start) / step)
        return LevelRange.on_grid(low, high, step) if low <= high else None

    # -- reading ---------------------------------------------------------------------------------

    def state_of(self, values: dict[tuple[int, int], Any]) -> dict[str, Any]:
        """The session fields the values say (status, program, zone, intensity, heat, ...)."""
        running = values.get(self.power.key) is True
        error: DeviceError | None = None
        fault = values.get(self.fault.key) if self.fault else None
        if fault not in (None, 0, False) and self.fault is not None:
            text = self.fault.describe(fault)
            code = _slug(text)[:32] or "unknown"
            error = DeviceError(f"fault_{code}", f"The massager reports a fault: {text}")
        # Still massaging despite a fault: the session stays a running one, timed and ended.
        status = Status.RUNNING if running else Status.ERROR if error else Status.IDLE
        heat = self.heat_is_on(values)
        return {
            "status": status,
            "program": _id_of(
                self.programs, values.get(self.program.key) if self.program else None
            ),
            "zone": _id_of(self.zones, values.get(self.zone.key))
            if self.zone
            else self.airbag_zone_of(values),
            "intensity": self.intensity_of(values),
            "heat": heat,
            # Which level, while heat is on at one (a level the spec does not list: its value).
            "heat_level": _id_of(self.heat_levels, values.get(self.heat.key))
            if heat and self.heat is not None and self.heat_levels
            else "",
            "remaining_s": self.remaining_of(values) if running else 0,
            "error": error,
        }

    def heat_is_on(self, values: dict[tuple[int, int], Any]) -> bool:
        """Any level but off (values are read in their format already; a missing one is off)."""
        if self.heat is None or self.heat_switch is None or self.heat.key not in values:
            return False
        return bool(values[self.heat.key] != self.heat_switch[0])

    def heat_value(self, *, on: bool) -> Value:
        """The value that switches the heat on (its gentlest level) or off."""
        if self.heat_switch is None:
            raise invalid_setting("heat", None)
        return self.heat_switch[1] if on else self.heat_switch[0]

    def airbag_values(self, zone: str) -> dict[tuple[int, int], Any]:
        """One airbag zone at a time: its switch on, the others off."""
        if zone not in self.airbags:
            raise invalid_setting("zone", list(self.airbags))
        return {prop.key: key == zone for key, prop in self.airbags.items()}

    def airbag_zone_of(self, values: dict[tuple[int, int], Any]) -> str:
        """The airbag zone switched on (the first, should a device have several on); "" if none."""
        return next((key for key, p in self.airbags.items() if values.get(p.key) is True), "")

    def intensity_of(self, values: dict[tuple[int, int], Any]) -> int:
        """The level (1..n for a value-list); 0 when unknown."""
        prop = self.intensity
        value = values.get(prop.key) if prop else None
        if prop is None or value is None or isinstance(value, bool):
            return 0
        if prop.choices:
            listed = [known for known, _ in prop.choices]
            return listed.index(value) + 1 if value in listed else 0
        levels = self.intensity_levels()
        if not isinstance(value, int) or levels is None:
            return 0
        if not levels.minimum <= value <= levels.maximum:
            # Outside the spec's range (10^9 on a 1-5 scale): unknown, not shown as sent.
            self._warn_once("intensity range", f"reports an intensity of {brief(value)}")
            return 0
        return levels.clamp(value)  # on a range of more levels than shown: the nearest

    def remaining_of(self, values: dict[tuple[int, int], Any]) -> int:
        """Seconds left on the device's own countdown, where it has one."""
        prop = self.remaining
        value = values.get(prop.key) if prop else None
        if prop is None or not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return 0
        minutes = prop.unit in ("minutes", "")  # no unit: taken as minutes (ASSUMED_UNIT)
        return min(value * 60 if minutes else value, 24 * 3600)

    # -- writing ---------------------------------------------------------------------------------

    def values_for(self, settings: SessionSettings) -> dict[tuple[int, int], Any]:
        """Property values applying `settings`; MassagerInvalidRequestError names the allowed."""
        refuse_zone_levels(settings)  # a MIoT massager service has one intensity
        values: dict[tuple[int, int], Any] = {}
        if settings.zone is not None and self.zone is None and self.airbags:
            values.update(self.airbag_values(settings.zone))
            settings = replace(settings, zone=None)
        for name, chosen, prop, ids in (
            ("program", settings.program, self.program, self.programs),
            ("zone", settings.zone, self.zone, self.zones),
        ):
            if chosen is None:
                continue
            if prop is None or chosen not in ids:
                raise invalid_setting(name, list(ids))
            values[prop.key] = ids[chosen]
        if settings.intensity is not None:
            levels = self.intensity_levels()
            if self.intensity is None or levels is None or settings.intensity not in levels:
                raise invalid_setting("intensity", levels)
            choices = self.intensity.choices
            level = settings.intensity
            values[self.intensity.key] = choices[level - 1][0] if choices else level
            if not self.intensity.allows(values[self.intensity.key]):
                raise invalid_setting("intensity", levels)
        heat_level = checked_heat_level(settings, list(self.heat_levels))
        if heat_level is not None and self.heat is not None:  # levels exist only for a heat
            values[self.heat.key] = self.heat_levels[heat_level]
        elif settings.heat is not None:
            if self.heat is None:
                raise invalid_setting("heat", None)
            values[self.heat.key] = self.heat_value(on=settings.heat)
        if settings.minutes is not None and settings.minutes not in SESSION_MINUTES:
            raise invalid_setting("minutes", SESSION_MINUTES)
        return values


def _id_of(ids: dict[str, Value], value: Any) -> str:
    if value is None:
        return ""
    for key, known in ids.items():
        if known == value and not isinstance(value, bool):
            return key
    # A value the spec does not list: shown as the device sends it, cleaned like all device text.
    return clean_text(str(value), MAX_NAME_LENGTH)


class MiotMassager(Massager):
    """One MIoT massager over the miio local protocol."""

    def __init__(
        self,
        device: MiotDevice,
        *,
        timeout: float | None = None,
        doubts: CredentialDoubts | None = None,
    ) -> None:
        self.device = device
        self._doubts = CredentialDoubts() if doubts is None else doubts
        self.profile = MiotProfile(device.mapping)
        self.connection = MiotConnection(
            device.host, device.token, port=device.port, timeout=timeout
        )
        self._values: dict[tuple[int, int], Any] = {}
        # The length chosen for the next (or the running) session: no standard MIoT property
        # holds it, so it is kept here for Home Assistant's timer and the length entity.
        self._session = HostTimedSession(DEFAULT_MINUTES)
        self._poller: PollingSubscription | None = None  # a command asks it to look again

    async def _exchange(self, values: dict[tuple[int, int], Any] | None) -> SessionState:
        """Write `values` (if any), then read every role back: the device-confirmed state."""
        try:
            if values:
                codes = await self.connection.set_properties(values)
                refused = {key: code for key, code in codes.items() if code < 0}
                if refused or len(codes) < len(values):
                    raise MassagerResponseError(f"the device refused the values: {refused}")
            keys = [prop.key for prop in self.profile.properties]
            read = await self.connection.get_properties(keys)
        except MiotSilentError:
            self._doubt()
            raise
        except MiotTokenError as err:
            self._doubt()
            raise MassagerConnectionError(
                f"{self.device.host}: {err}; not yet taken as a new token"
            ) from err
        self._doubts.clear(str(self.device.device_id))
        # Only the roles' keys are kept (a hostile answer cannot grow this); a property the
        # device could not read this time keeps its last value.
        self._values.update(self.profile.take(read))
        if self._poller is not None:
            self._poller.wake()
        return self._state()

    def _doubt(self) -> None:
        """Silence or answers not under the token: a new token once the doubts say it persists."""
        if self._doubts.doubt(str(self.device.device_id)):
            raise MassagerAuthenticationError("the device no longer answers to the token")

    async def get_info(self) -> DeviceInfo:
        """Identity from the set-up; capabilities from the model's spec."""
        return DeviceInfo(
            serial=str(self.device.device_id),
            name=clean_text(self.device.name, MAX_NAME_LENGTH),
            model=clean_text(self.device.mapping.model, MAX_NAME_LENGTH),
            manufacturer="Xiaomi MIoT",
            firmware=self.device.firmware,
            capabilities=self.profile.capabilities(),
        )

    async def get_state(self) -> SessionState:
        """Every role's property, read from the device."""
        return await self._exchange(None)

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Settings and power in one request, then the confirmed state."""
        settings = settings or SessionSettings()
        values = self.profile.values_for(settings)
        values[self.profile.power.key] = True
        self._session.choose(settings.minutes)  # validated by values_for
        return await self._exchange(values)

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Settings as given; the device confirms them. The length only without a session."""
        values = self.profile.values_for(settings)
        if settings.minutes is not None:
            if self.profile.state_of(self._values)["status"] is Status.RUNNING:
                raise MassagerInvalidStateError(
                    "the session length cannot change during a session",
                    code="session_active",
                    field="minutes",
                )
            self._session.choose(settings.minutes)
        return await self._exchange(values)

    async def stop(self) -> SessionState:
        """Power off, and heat off with it."""
        values: dict[tuple[int, int], Any] = {self.profile.power.key: False}
        if self.profile.heat is not None:
            values[self.profile.heat.key] = self.profile.heat_value(on=False)
        return await self._exchange(values)

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> PollingSubscription:
        """Polling shaped like a push (the kit's): states are delivered only when they changed."""
        self._poller = PollingSubscription(
            self,
            on_state,
            on_connection,
            active_s=ACTIVE_POLL_S,
            idle_s=IDLE_POLL_S,
            retry=Backoff(RETRY_MIN_S, RETRY_MAX_S),
        )
        return self._poller

    async def close(self) -> None:
        """Release the socket."""
        await self.connection.close()

    def diagnostics(self) -> dict[str, Any]:
        """See MiotProfile.diagnostics."""
        return self.profile.diagnostics()

    # -- state -----------------------------------------------------------------------------------

    def _state(self) -> SessionState:
        fields = self.profile.state_of(self._values)
        # A session that ended with the heat on gets it switched off by the host's session
        # timer, the one owner of that rule; the transport only reports.
        self._session.observe(fields["status"] is Status.RUNNING)
        return self._session.state(**fields)
