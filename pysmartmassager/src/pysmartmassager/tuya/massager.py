"""A Tuya Wi-Fi massager behind the transport-neutral `Massager` interface.

The device's datapoints are mapped onto a session by the roles of a shipped map (see
`datapoints.py`): power runs the massage; program, zone and intensity are Enum (or Integer)
datapoints; heat a Boolean; the session length the minutes datapoint. No published Tuya
specification says that a massager ends a session by itself, so Home Assistant is the timer
(`device_timer=False`); the length is written to the device as well, where it has one, so a
device that does keep time stops at the same moment. Values the map does not know are shown as
the device sends them, never dropped.

One persistent connection carries commands and the device's own status messages (push); it is
re-established with capped backoff when it breaks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.credential_doubts import CredentialDoubts
from pysmartmassager.decoding import OnceWarnings, brief, clean_text
from pysmartmassager.exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
)
from pysmartmassager.massager import (
    ConnectionCallback,
    Massager,
    ReportingSubscription,
    StateCallback,
    StateSubscription,
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
from pysmartmassager.reconnect import Backoff
from pysmartmassager.session import MAX_SESSION_MINUTES, HostTimedSession

from .connection import DEFAULT_PORT, HEARTBEAT_S, REQUEST_TIMEOUT_S, TuyaConnection
from .datapoints import CategoryMap, Datapoint, DeviceMapping
from .probe import probe
from .protocol import TuyaKeyError, Version

LOGGER = logging.getLogger(__package__)

# Tuya's time_set allows 500 minutes: a session here is capped like every host-timed one.
DEFAULT_MINUTES = 15
FALLBACK_MINUTES = LevelRange(5, MAX_SESSION_MINUTES, 5)  # a massager without a minutes datapoint
RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 30.0
STABLE_S = 30.0  # a connection up this long resets the backoff

# A device hanging up on every version may have a new key, or its one local connection may be
# taken (the Smart Life app, another integration), or it may be starting; a frame that does not
# check out under the key may be a new key or one corrupted on the way. Only evidence that
# persists (CredentialDoubts' one rule) asks the user for a new key. The evidence must outlive
# a massager object (Home Assistant builds a new one at each set-up retry): the host passes
# the same CredentialDoubts to each; without one, a massager keeps its own.
CONNECT_ATTEMPTS = 2  # a link that broke since its last use is replaced once per command


@dataclass(frozen=True, slots=True)
class TuyaDevice:
    """Everything needed to reach one device and understand its datapoints."""

    host: str
    device_id: str = field(repr=False)  # names the device in Tuya's cloud: kept out of logs
    local_key: str = field(repr=False)  # a secret: kept out of any repr that reaches a log
    version: Version
    mapping: DeviceMapping
    category_map: CategoryMap
    name: str = "Tuya massager"
    port: int = DEFAULT_PORT


def _typed(mapping: DeviceMapping, code: str | None, *types: str) -> Datapoint | None:
    dp = mapping.by_code(code)
    return dp if dp is not None and dp.type in types else None


def _label(value: str) -> str:
    return clean_text(value.replace("_", " "), MAX_NAME_LENGTH).capitalize() or "?"


class TuyaProfile:
    """The device's datapoints seen as a massage session: capabilities, and state both ways."""

    def __init__(self, mapping: DeviceMapping, category_map: CategoryMap) -> None:
        roles = category_map.roles
        self.off_values = category_map.off_values
        power = _typed(mapping, roles.power, "Boolean")
        if power is None:
            raise MassagerInvalidRequestError(
                "no datapoint of this device starts a massage", code="not_massager"
            )
        self.power: Datapoint = power
        self.power_inverted = roles.power_inverted
        # A datapoint whose type in the device's own mapping does not fit its role is not used.
        self.programs = [dp for code in roles.programs if (dp := _typed(mapping, code, "Enum"))]
        self.zone = _typed(mapping, roles.zone, "Enum")
        self.intensity = _typed(mapping, roles.intensity, "Enum", "Integer")
        self.heat = _typed(mapping, roles.heat, "Boolean", "Enum")
        self._heat_order = self._heat_values()  # found once: every state reads the level
        self.minutes = _typed(mapping, roles.session_minutes, "Integer")
        self.remaining = _typed(mapping, roles.remaining, "Integer")
        self.fault = _typed(mapping, roles.fault, "Bitmap", "Enum", "Integer")
        self._warnings = OnceWarnings(LOGGER)  # kinds of nonsense already logged for this device
        # Program ids are the device's values; a value two modes share is told apart by its code.
        values = [v for dp in self.programs for v in self._on_values(dp)]
        self.program_values: dict[str, tuple[Datapoint, str]] = {}
        for dp in self.programs:
            for value in self._on_values(dp):
                key = value if values.count(value) == 1 else f"{dp.code}.{value}"
                self.program_values[key] = (dp, value)

    def _on_values(self, dp: Datapoint) -> list[str]:
        return [value for value in dp.enum_range if value != self.off_values.get(dp.code)]

    def running_of(self, dps: dict[str, Any]) -> bool:
        """Whether the power datapoint says the massage runs (unknown: it does not)."""
        return dps.get(self.power.dp_id) is (not self.power_inverted)

    def power_dps(self, on: bool) -> dict[str, Any]:
        """The power datapoint's value for on or off."""
        return {self.power.dp_id: on is not self.power_inverted}

    def heat_of(self, dps: dict[str, Any]) -> bool:
        """Whether the heat is on: a Boolean true, or an Enum on any value but its off."""
        if self.heat is None or (value := dps.get(self.heat.dp_id)) is None:
            return False
        if self.heat.type == "Enum":
            # Anything but its off is on, a value the map does not list too: heat that may be
            # on is reported on, so the session's end switches it off.
            return bool(value != self.off_values[self.heat.code])
        return value is True

    def heat_dps(self, on: bool) -> dict[str, Any]:
        """The heat datapoint's value for on or off (an Enum's first value that is not off)."""
        if self.heat is None:
            return {}
        if self.heat.type != "Enum":
            return {self.heat.dp_id: on}
        off = self.off_values[self.heat.code]  # required by the map's schema
        return {self.heat.dp_id: next(iter(self._heat_order), off) if on else off}

    def _heat_values(self) -> list[str]:
        """An Enum heat's values but off, gentlest first (heat on is the first).

        Bare numbers by their value, as the intensity's; others in the device's order.
        """
        values = self._on_values(self.heat) if self.heat and self.heat.type == "Enum" else []
        if values and all(value.isascii() and value.isdecimal() for value in values):
            return sorted(values, key=int)
        return values

    def heat_levels(self) -> list[str]:
        """The heat levels to choose from; none where there are fewer than two (on/off)."""
        return self._heat_order if len(self._heat_order) > 1 else []

    def heat_level_of(self, dps: dict[str, Any]) -> str:
        """The heat level while the heat is on at one of them, else ""."""
        value = dps.get(self.heat.dp_id) if self.heat else None
        return value if isinstance(value, str) and value in self.heat_levels() else ""

    # -- capabilities ----------------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        """What the datapoints allow; Home Assistant is the timer."""
        minutes = self.session_minutes()
        return Capabilities(
            programs=tuple(
                Choice(key, _label(value)) for key, (_, value) in self.program_values.items()
            ),
            zones=tuple(Choice(v, _label(v)) for v in self._on_values(self.zone))
            if self.zone
            else (),
            intensity=self.intensity_levels(),
            session_minutes=minutes,
            default_minutes=minutes.clamp(DEFAULT_MINUTES),
            heat=self.heat is not None,
            pause=False,  # no published Tuya datapoint pauses: the interface refuses
            pause_timeout_minutes=None,
            device_timer=False,
            heat_levels=tuple(Choice(v, _label(v)) for v in self.heat_levels()),
        )

    def levels(self) -> tuple[str, ...]:
        """An Enum intensity's values, weakest first.

        Bare numbers ("0".."15", as Tuya's reference neck massager has) by their value; others in
        the device's order (the published level_1, level_2, ...).
        """
        options = self.intensity.enum_range if self.intensity else ()
        if options and all(option.isascii() and option.isdecimal() for option in options):
            return tuple(sorted(options, key=int))
        return options

    def intensity_levels(self) -> LevelRange | None:
        """Enum levels count 1..n in the device's order; an Integer keeps its own range."""
        if self.intensity is None:
            return None
        if self.intensity.type == "Enum":
            return LevelRange(1, len(self.levels()))
        low, high, step, _ = self.intensity.integer_range
        return LevelRange.on_grid(low, high, step)

    def _in_minutes(self) -> Datapoint | None:
        """The minutes datapoint, if it really is whole minutes (not seconds, not an Enum)."""
        dp = self.minutes
        if dp is None or dp.type != "Integer" or dp.integer_range[3]:
            return None
        return dp if dp.values.get("unit", "min") in ("min", "minute", "minutes") else None

    def session_minutes(self) -> LevelRange:
        """The device's minutes range, capped at MAX_SESSION_MINUTES."""
        if (dp := self._in_minutes()) is None:
            return FALLBACK_MINUTES
        low, high, step, _ = dp.integer_range
        low = max(low, step if low < 1 else low)
        high = min(high, MAX_SESSION_MINUTES)
        if low > high:
            return FALLBACK_MINUTES
        return LevelRange(low, high - (high - low) % step, step)

    # -- reading ---------------------------------------------------------------------------------

    def status_of(self, dps: dict[str, Any]) -> tuple[Status, DeviceError | None]:
        """Running or idle, and the device's fault if it reports one."""
        running = self.running_of(dps)
        fault = dps.get(self.fault.dp_id) if self.fault else None
        if fault in (None, 0, False, "", "0"):
            return (Status.RUNNING if running else Status.IDLE), None
        # Fault values are device-specific: shown as the device sends them.
        code = str(fault)[:32]
        error = DeviceError(f"fault_{code}", f"The massager reports fault {code}")
        # Still massaging despite the fault: the session stays a running one, so Home Assistant
        # keeps timing it (and ends it, heat too).
        return (Status.RUNNING if running else Status.ERROR), error

    def program_of(self, dps: dict[str, Any]) -> str:
        """The program that is on: its id, or the device's own value when the map lacks it."""
        for dp in self.programs:
            value = dps.get(dp.dp_id)
            if value is None or value == self.off_values.get(dp.code):
                continue
            for key, (owner, known) in self.program_values.items():
                if owner is dp and known == value:
                    return key
            return clean_text(str(value), MAX_NAME_LENGTH)
        return ""

    def zone_of(self, dps: dict[str, Any]) -> str:
        """The zone, or the device's own value when the map lacks it."""
        if self.zone is None or (value := dps.get(self.zone.dp_id)) is None:
            return ""
        if value == self.off_values.get(self.zone.code):
            return ""
        return clean_text(str(value), MAX_NAME_LENGTH)

    def intensity_of(self, dps: dict[str, Any]) -> int:
        """The level (1..n for Enum levels); 0 when unknown."""
        if self.intensity is None or (value := dps.get(self.intensity.dp_id)) is None:
            return 0
        if self.intensity.type == "Enum":
            options = self.levels()
            return options.index(value) + 1 if value in options else 0
        levels = self.intensity_levels()
        declared = self._declared(self.intensity, value, "intensity")
        return 0 if declared is None or levels is None else levels.clamp(declared)

    def _declared(self, dp: Datapoint, value: object, kind: str) -> int | None:
        """An Integer datapoint's value if it is a whole number in its declared range, else None.

        Outside it (10^300 on 1-3) the value is unknown, not shown as sent; that is logged once
        per kind of value for this device, not at every status.
        """
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        low, high, _, _ = dp.integer_range
        if low <= value <= high:
            return value
        self._warnings.warn(
            kind,
            "Tuya device reports %s %s, outside its declared range %s..%s: shown as unknown",
            kind,
            brief(value),
            low,
            high,
        )
        return None

    def minutes_of(self, dps: dict[str, Any]) -> int:
        """The session length set on the device (0 when it has none or it is out of range)."""
        if (dp := self._in_minutes()) is None:
            return 0
        value = dps.get(dp.dp_id)
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value in self.session_minutes()
        ):
            return value
        return 0

    def remaining_of(self, dps: dict[str, Any]) -> int:
        """Seconds left by the device's own countdown, where it reports one."""
        if self.remaining is None or self.remaining.values.get("scale", 0):
            return 0
        value = self._declared(self.remaining, dps.get(self.remaining.dp_id), "time left")
        if value is None or value < 0:
            return 0
        unit = self.remaining.values.get("unit", "")
        return value * 60 if unit.startswith("min") else value if unit in ("s", "sec") else 0

    # -- writing ---------------------------------------------------------------------------------

    def datapoints_for(self, settings: SessionSettings) -> dict[str, Any]:
        """Datapoints applying `settings`; MassagerInvalidRequestError names what is allowed."""
        refuse_zone_levels(settings)  # Tuya's massage codes have one intensity
        dps: dict[str, Any] = {}
        if settings.program is not None:
            dps.update(self._program_dps(settings.program))
        if settings.zone is not None:
            allowed = self._on_values(self.zone) if self.zone else []
            if self.zone is None or settings.zone not in allowed:
                raise invalid_setting("zone", allowed)
            dps[self.zone.dp_id] = settings.zone
        if settings.intensity is not None:
            dps.update(self._intensity_dps(settings.intensity))
        heat_level = checked_heat_level(settings, self.heat_levels())
        if heat_level is not None and self.heat is not None:  # levels exist only for a heat
            dps[self.heat.dp_id] = heat_level
        elif settings.heat is not None:
            if self.heat is None:
                raise invalid_setting("heat", None)
            dps.update(self.heat_dps(settings.heat))
        if settings.minutes is not None:
            allowed_minutes = self.session_minutes()
            if settings.minutes not in allowed_minutes:
                raise invalid_setting("minutes", allowed_minutes)
            if (dp := self._in_minutes()) is not None:
                dps[dp.dp_id] = settings.minutes
        return dps

    def _program_dps(self, program: str) -> dict[str, Any]:
        if program not in self.program_values:
            raise invalid_setting("program", list(self.program_values))
        chosen, value = self.program_values[program]
        dps: dict[str, Any] = {}
        for dp in self.programs:
            off = self.off_values.get(dp.code)
            if dp is chosen:
                dps[dp.dp_id] = value
            elif off is not None:
                dps[dp.dp_id] = off  # one mode at a time: the others are closed
        return dps

    def _intensity_dps(self, level: int) -> dict[str, Any]:
        levels = self.intensity_levels()
        if self.intensity is None or levels is None or level not in levels:
            raise invalid_setting("intensity", levels)
        if self.intensity.type == "Enum":
            return {self.intensity.dp_id: self.levels()[level - 1]}
        return {self.intensity.dp_id: level}


class TuyaMassager(Massager):
    """One Tuya massager over the local protocol."""

    def __init__(
        self,
        device: TuyaDevice,
        *,
        timeout: float = REQUEST_TIMEOUT_S,
        heartbeat: float = HEARTBEAT_S,
        on_version: Callable[[Version], None] | None = None,
        doubts: CredentialDoubts | None = None,
    ) -> None:
        self.device = device
        self._doubts = CredentialDoubts() if doubts is None else doubts
        # Told when the device turns out to speak another version, so its owner can keep it.
        self._on_version = on_version
        self.profile = TuyaProfile(device.mapping, device.category_map)
        self._timeout = timeout
        self._heartbeat = heartbeat
        self._link: TuyaConnection | None = None
        self._link_lock = asyncio.Lock()
        self._dps: dict[str, Any] = {}
        self._subscription: _TuyaSubscription | None = None
        self._closing = False
        # The length chosen is kept for a device with no minutes datapoint to hold it (the
        # length entity shows it, Home Assistant's timer uses it).
        self._session = HostTimedSession(self.profile.capabilities().default_minutes)
        self._known_ids = {dp.dp_id for dp in device.mapping.datapoints}

    # -- the connection --------------------------------------------------------------------------

    async def _connection(self) -> TuyaConnection:
        async with self._link_lock:
            if self._link is not None and self._link.is_open:
                return self._link
            if self._link is not None:
                await self._link.close()  # ended by the device: its heartbeat task still sleeps
            if self._closing:
                raise MassagerConnectionError("the massager was closed")
            link = TuyaConnection(
                self.device.host,
                self.device.device_id,
                self.device.local_key,
                self.device.version,
                port=self.device.port,
                on_status=self._on_status,
                timeout=self._timeout,
                heartbeat=self._heartbeat,
            )
            self._link = link  # also when it fails: _exchange looks at how far it got
            await link.open()
            return link

    async def _exchange(self, dps: dict[str, Any] | None) -> SessionState:
        """Send datapoints (if any), then read them all back: the device-confirmed state.

        A link that broke since its last use is replaced once; a refused key is not retried.
        """
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            link: TuyaConnection | None = None
            try:
                link = await self._connection()
                if dps:
                    await link.control(dps)
                self._take(await link.query())
            except TuyaKeyError as err:
                if link is not None:
                    await link.close(err)
                raise self._key_doubted(err) from err
            except MassagerConnectionError:
                if link is not None:
                    await link.close()
                failed = self._link
                if failed is not None and failed.tcp_connected and not failed.key_proven:
                    # It accepted the connection and hung up before one frame under our key
                    # came back: a new local key or a firmware on another version.
                    await self._diagnose()
                if attempt == CONNECT_ATTEMPTS:
                    raise
                continue
            self._doubts.clear(self.device.device_id)
            return self._state()
        raise AssertionError("unreachable")

    def _key_doubted(self, err: TuyaKeyError) -> MassagerError:
        """What a frame that did not check out under the key means, as the error to raise.

        A changed key (MassagerAuthenticationError) only once the evidence persists (the doubts):
        until then one corrupted frame on a fresh connection is a connection problem.
        """
        if self._doubts.doubt(self.device.device_id):
            return MassagerAuthenticationError("the device keeps refusing the local key")
        return MassagerConnectionError(f"{self.device.host}: {err}; not yet taken as a new key")

    async def _diagnose(self) -> None:
        """Find the version the device answers in now; MassagerAuthenticationError if none."""
        try:
            version, _ = await probe(
                self.device.host,
                self.device.device_id,
                self.device.local_key,
                port=self.device.port,
                answer_within=self._timeout,
            )
        except TuyaKeyError as err:  # a hang-up on every version, or an answer under another key
            doubted = self._key_doubted(err)
            if isinstance(doubted, MassagerAuthenticationError):
                raise doubted from err
            return  # a connection problem for now
        except MassagerError:
            return  # unreachable again, or answering oddly: a connection problem for the caller
        if version is not self.device.version:
            LOGGER.info("%s now speaks protocol %s", self.device.name, version.value)
            self.device = replace(self.device, version=version)
            if self._on_version is not None:
                self._on_version(version)

    # -- the interface ---------------------------------------------------------------------------

    async def get_info(self) -> DeviceInfo:
        """Identity from the configuration; capabilities from the datapoints."""
        category = self.device.category_map
        return DeviceInfo(
            serial=self.device.device_id,
            name=self.device.name,
            model=category.name,
            manufacturer="Tuya",
            firmware=f"protocol {self.device.version.value}",
            capabilities=self.profile.capabilities(),
        )

    async def get_state(self) -> SessionState:
        """Every datapoint, read from the device."""
        return await self._exchange(None)

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Settings and power in one command, then the confirmed state."""
        settings = settings or SessionSettings()
        dps = self.profile.datapoints_for(settings)
        self._session.choose(settings.minutes)  # validated by datapoints_for
        if self.profile.minutes is not None and self.profile.minutes.dp_id not in dps:
            minutes = (
                self.profile.minutes_of(self._dps) or self.profile.capabilities().default_minutes
            )
            dps.update(self.profile.datapoints_for(SessionSettings(minutes=minutes)))
        dps.update(self.profile.power_dps(on=True))
        return await self._exchange(dps)

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Settings as given; the device confirms them."""
        dps = self.profile.datapoints_for(settings)
        self._session.choose(settings.minutes)
        return await self._exchange(dps)

    async def stop(self) -> SessionState:
        """Power off, and heat off with it."""
        dps = {**self.profile.power_dps(on=False), **self.profile.heat_dps(on=False)}
        return await self._exchange(dps)

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> StateSubscription:
        """The device's own status messages, over the persistent connection."""
        self._subscription = _TuyaSubscription(self, on_state, on_connection)
        return self._subscription

    async def close(self) -> None:
        """Close the connection; nothing reconnects afterwards."""
        self._closing = True
        if self._link is not None:
            await self._link.close()

    # -- state -----------------------------------------------------------------------------------

    def _take(self, dps: dict[str, Any]) -> None:
        """Merge reported datapoints, keeping the last value of any an answer leaves out.

        Only the device's mapped ids are kept: a hostile device cannot grow this.
        """
        self._dps.update((key, value) for key, value in dps.items() if key in self._known_ids)

    def _on_status(self, dps: dict[str, Any]) -> None:
        """A status the device sent by itself (a press on it, its own timer, our command)."""
        self._take(dps)
        state = self._state()
        if self._subscription is not None:
            self._subscription.deliver(state)

    def _state(self) -> SessionState:
        profile = self.profile
        dps = self._dps
        status, error = profile.status_of(dps)
        running = profile.running_of(dps)
        # A session that ended with the heat on gets it switched off by the host's session
        # timer, the one owner of that rule; the transport only reports.
        self._session.observe(running)
        return self._session.state(
            status=status,
            program=profile.program_of(dps),
            zone=profile.zone_of(dps),
            intensity=profile.intensity_of(dps),
            heat=profile.heat_of(dps),
            heat_level=profile.heat_level_of(dps),
            # Without a minutes datapoint, the length chosen (Home Assistant times it).
            minutes=profile.minutes_of(dps),
            remaining_s=profile.remaining_of(dps) if running else 0,
            error=error,
        )


class _TuyaSubscription(ReportingSubscription):
    """Keeps the connection up and reports states; capped exponential backoff between tries."""

    def __init__(
        self,
        massager: TuyaMassager,
        on_state: StateCallback,
        on_connection: ConnectionCallback | None,
    ) -> None:
        super().__init__(on_state, on_connection)
        self._massager = massager

    async def run(self) -> None:
        """Until cancelled; MassagerAuthenticationError when the local key no longer fits."""
        backoff = Backoff(RECONNECT_MIN_S, RECONNECT_MAX_S)
        massager = self._massager
        try:
            while True:
                try:
                    state = await massager.get_state()  # opens the connection if it is down
                    link = await massager._connection()  # noqa: SLF001  # same module family
                except MassagerAuthenticationError:
                    raise
                except MassagerError as err:
                    self._set_connected(False)
                    LOGGER.debug(
                        "%s unreachable (%s); retrying in about %.0f s",
                        massager.device.host,
                        err,
                        backoff.delay,
                    )
                    await backoff.wait()
                    continue
                self._set_connected(True)
                self.deliver(state)
                up_since = time.monotonic()
                error = await asyncio.shield(link.closed)
                if time.monotonic() - up_since >= STABLE_S:
                    backoff.reset()  # a device that drops us at once keeps its backoff
                if isinstance(error, TuyaKeyError):
                    doubted = massager._key_doubted(error)  # noqa: SLF001
                    if isinstance(doubted, MassagerAuthenticationError):
                        raise doubted from error
                self._set_connected(False)
                await backoff.wait()  # not a tight loop against a device that drops us
        finally:
            self._set_connected(False)
