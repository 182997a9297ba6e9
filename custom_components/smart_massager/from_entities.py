"""A massager built from entities Home Assistant already has: a smart plug, another integration.

The one transport that lives in the component, because it talks to Home Assistant itself. It
implements the same `Massager` interface as every other transport; the factory builds it.

- Power: a switch, light, fan or input_boolean (on/off with a state), or a button that toggles the
  massager (no state to read: the state is what Home Assistant last commanded, kept in a Store so
  a restart mid-session still ends the session with a press).
- Optional: a select/input_select for programs (or the power fan's preset modes), a
  number/input_number for intensity (or the power fan's percentage, or "stronger"/"gentler"
  buttons: then the level is what Home Assistant last commanded), a switch/input_boolean for
  heat, and a sensor whose value above a threshold says the massager really runs (power draw).
- A stop button (a bed's "massage off"): pressed for every stop and every session end, so a
  toggle is never pressed to stop. The device's own timer (a bed's massage timer select, a
  plug's auto-off countdown): armed for every session, so the massage ends even while Home
  Assistant is down, and disarmed on stop. A mode-step button (a bed's "massage mode"): its
  modes are the programs, reached by stepping; which one runs is what Home Assistant last
  commanded, from the first mode after every stop.
- Zones with levels of their own (a bed's head, foot and wave; level_zones.py): each a number to
  set or stronger/gentler buttons, optionally a sensor reading the level back. The massager's
  one intensity is then all zones at once. A device whose massage has no on/off of its own (a
  bed with levels and a "massage off" button) needs no power entity: its levels start it, the
  stop button ends it.
- Such a massager has no timer of its own (`device_timer=False`): Home Assistant ends its sessions
  (session_timer.py). State changes of the source entities are pushed at once.

Sources are stored by entity registry id where they have one (as Home Assistant's helpers do) and
resolved to their current entity id at every use, so a rename is followed. A source that is
missing, `unavailable` or (with a state to read) `unknown` makes the massager unavailable: its
session is neither ended nor restarted by that, and a stop that cannot be confirmed is an error
(the timer retries it and tells the user), never taken as done. Attributes and states of the
sources are untrusted input: read bounded, never fatal.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_state_change_event,
    async_track_state_report_event,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from pysmartmassager import (
    Capabilities,
    Choice,
    ConnectionCallback,
    DeviceInfo,
    LevelRange,
    LevelZone,
    Massager,
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
    MassagerResponseError,
    ReportingSubscription,
    SessionSettings,
    SessionState,
    StateCallback,
    StateSubscription,
    Status,
)
from pysmartmassager.const import MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text
from pysmartmassager.massager import invalid_setting, refuse_heat_level
from pysmartmassager.session import MAX_SESSION_MINUTES, HostTimedSession

from .const import DOMAIN, LOGGER
from .level_zones import (
    NUMBER,
    ZONE_SOURCE_KEYS,
    ZoneSources,
    configured_zones,
    zone_key,
    zone_name,
)
from .repair_issues import raise_issue

CONF_POWER = "power_entity"
CONF_PROGRAM = "program_entity"
CONF_INTENSITY = "intensity_entity"
CONF_STRONGER = "stronger_entity"
CONF_GENTLER = "gentler_entity"
CONF_LEVELS = "intensity_levels"
CONF_HEAT = "heat_entity"
CONF_RUNNING = "running_entity"
CONF_STOP = "stop_entity"
CONF_TIMER = "timer_entity"
CONF_MODE_STEP = "mode_step_entity"
CONF_MODES = "modes"
CONF_HIDE_SOURCES = "hide_sources"
CONF_RUNNING_ABOVE = "running_above"
CONF_MIN_MINUTES = "min_minutes"
CONF_MAX_MINUTES = "max_minutes"
CONF_DEFAULT_MINUTES_ENTITIES = "session_minutes"

# Every field of the entry that names a source entity.
SOURCE_KEYS = (
    CONF_POWER,
    CONF_PROGRAM,
    CONF_INTENSITY,
    CONF_STRONGER,
    CONF_GENTLER,
    CONF_HEAT,
    CONF_RUNNING,
    CONF_STOP,
    CONF_TIMER,
    CONF_MODE_STEP,
    *ZONE_SOURCE_KEYS,
)

POWER_DOMAINS = ["switch", "light", "fan", "input_boolean", "button", "input_button"]
PROGRAM_DOMAINS = ["select", "input_select"]
INTENSITY_DOMAINS = ["number", "input_number"]
BUTTON_DOMAINS = ["button", "input_button"]
HEAT_DOMAINS = ["switch", "input_boolean"]
RUNNING_DOMAINS = ["sensor", "binary_sensor", "input_number"]
# The device's own timer: a bed's massage timer select, a plug's auto-off countdown number.
TIMER_DOMAINS = ["select", "input_select", "number", "input_number"]

_BAD_STATES = (STATE_UNAVAILABLE, STATE_UNKNOWN)
# How long a power entity may take to show "on" or "off" after its action returned.
POWER_SWITCH_TIMEOUT_S = 5.0
# A running sensor (power draw) must stay below its threshold this long before a session that
# it saw running is taken as ended: programs pause their motors for seconds at a time.
RUNNING_DROP_S = 60.0
# How long after Home Assistant's stop a level read back that says "running" means the stop
# failed (four of a bed's 30 s polls); later, it is a session started on the device.
STOP_VERIFY_S = 120.0
# Bounds on what a source's attributes may declare: a number entity is untrusted input.
MAX_SOURCE_LEVELS = 100
_LEVEL_BOUND = 1_000_000
MAX_PROGRAMS = 64
# A countdown number is armed to the session plus this much: Home Assistant's own end comes
# first, the device's timer is the one that ends the massage while Home Assistant is down.
DEVICE_TIMER_MARGIN_MINUTES = 2
_OFF_WORDS = frozenset({"off", "aus", "none", "disabled", "0"})
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "min": 60, "minutes": 60, "h": 3600}
STORAGE_VERSION = 1


def domain_of(entity_id: str) -> str:
    """The domain part of an entity id."""
    return entity_id.split(".", 1)[0]


def _role(key: str) -> str:
    """The role a source field plays, for messages: "power", "head intensity"."""
    return key.removesuffix("_entity").replace("_", " ")


def _choice_id(option: str) -> str:
    """A program id from an option's text: lower case, words joined by underscores."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in option[:256].casefold())
    return "_".join(part for part in cleaned.split("_") if part)[:64] or "program"


def _finite(value: object, default: float) -> float:
    """A source's number, or `default` for anything not a finite number within bounds."""
    if isinstance(value, bool):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except TypeError, ValueError, OverflowError:
        return default
    return number if math.isfinite(number) and abs(number) <= _LEVEL_BOUND else default


def bounded_levels(low: float, high: float, step: float) -> LevelRange:
    """Whole levels from a source's min/max/step, at most MAX_SOURCE_LEVELS of them."""
    minimum = round(low)
    maximum = max(minimum, round(high))
    step_size = max(1, round(step))
    if (maximum - minimum) // step_size + 1 > MAX_SOURCE_LEVELS:
        step_size = math.ceil((maximum - minimum) / (MAX_SOURCE_LEVELS - 1))
    return LevelRange(minimum, maximum, step_size)


def source_ref(registry: er.EntityRegistry, entity_id: str) -> str:
    """What the entry stores for a source: its registry id where it has one (renames follow)."""
    entry = registry.async_get(entity_id)
    return entry.id if entry is not None else entity_id


def sources_as_refs(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with every source entity id replaced by what the entry stores for it."""
    registry = er.async_get(hass)
    return {
        key: source_ref(registry, value) if key in SOURCE_KEYS and isinstance(value, str) else value
        for key, value in data.items()
    }


def sources_as_entity_ids(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with every stored source resolved to its entity id now (for forms)."""
    registry = er.async_get(hass)
    resolved: dict[str, Any] = {}
    for key, value in data.items():
        if key in SOURCE_KEYS and isinstance(value, str):
            entity_id = er.async_resolve_entity_id(registry, value)
            if entity_id is None:
                continue  # a source that no longer exists: the form asks for it again
            resolved[key] = entity_id
        else:
            resolved[key] = value
    return resolved


def _off_keys(data: Mapping[str, Any]) -> list[str]:
    """The fields that can switch the massage off, in order, those set in `data`.

    The power entity, else what stops a bed whose massage has no on/off of its own: its stop
    button, its zones' numbers, its intensity number.
    """
    zone_numbers = [zone.number for zone in configured_zones(dict(data)) if zone.number]
    return [
        key
        for key in (CONF_POWER, CONF_STOP, *zone_numbers, CONF_INTENSITY)
        if isinstance(data.get(key), str) and data[key]
    ]


def identity_source(data: Mapping[str, Any]) -> str:
    """The source a massager built from entities is known by, for its unique id."""
    keys = _off_keys(data)
    return str(data[keys[0]]) if keys else ""


def source_refs(config: Mapping[str, Any]) -> set[str]:
    """The stored references (registry ids, or entity ids) of every source in `config`."""
    return {ref for key in SOURCE_KEYS if isinstance(ref := config.get(key), str)}


@callback
def async_set_hidden(hass: HomeAssistant, refs: Iterable[str], *, hide: bool) -> None:
    """Hide these sources (as switch_as_x does), or show again those this integration hid.

    Hidden, a bed's raw buttons stay out of dashboards and voice assistants, which reach the
    massager instead. Only entities nobody else hid or showed are changed (never the user's).
    """
    registry = er.async_get(hass)
    for ref in refs:
        entity_id = er.async_resolve_entity_id(registry, ref)
        entry = registry.async_get(entity_id) if entity_id else None
        if entry is None:
            continue
        if hide and entry.hidden_by is None:
            registry.async_update_entity(
                entry.entity_id, hidden_by=er.RegistryEntryHider.INTEGRATION
            )
        elif not hide and entry.hidden_by is er.RegistryEntryHider.INTEGRATION:
            registry.async_update_entity(entry.entity_id, hidden_by=None)


@dataclass
class _Commanded:
    """What Home Assistant last commanded, for sources that have no state to read."""

    on: bool = False
    level: int = 1
    mode: int = 1  # 1-based, of a mode-step button's modes
    # Levels of zones set by buttons, counted since Home Assistant started the session.
    zone_levels: dict[str, int] = field(default_factory=dict)


def commanded_store(hass: HomeAssistant, serial: str) -> Store[dict[str, Any]]:
    """Where a massager built from entities keeps what it last commanded (a toggle's state)."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.commanded.{serial}")


class EntitiesMassager(Massager):
    """A massager whose parts are other entities."""

    def __init__(
        self, hass: HomeAssistant, serial: str, name: str, config: Mapping[str, Any]
    ) -> None:
        self._hass = hass
        self._serial = serial
        self._name = name
        self._config = dict(config)
        self._zones = configured_zones(self._config)
        self._commanded = _Commanded(level=1)
        self._store = commanded_store(hass, serial)
        self._loaded = False
        self._hidden = False  # whether this massager has hidden its sources (kept)
        # The session under way as Home Assistant times it (the sources hold no length).
        default = int(_finite(config.get(CONF_DEFAULT_MINUTES_ENTITIES), 15))
        self._session = HostTimedSession(min(default, MAX_SESSION_MINUTES), clock=dt_util.utcnow)
        self._was_on = False
        # Whether the running sensor has shown the session under way drawing power, and since
        # when (loop time) the sensor reads below its threshold.
        self._seen_drawing = False
        self._below_since: float | None = None
        self._recheck: CALLBACK_TYPE | None = None
        # When Home Assistant last started or stopped it: only levels reported since tell
        # whether it runs (a bed's numbers keep the level from before until they are polled).
        self._command_at: datetime | None = None
        # Verifying the last stop by the levels read since, for STOP_VERIFY_S (loop time of the
        # stop): "" (nothing to do yet), "again" (stopping once more), "retried", "told" (the
        # second stop was not obeyed either: repair raised).
        self._stopped_loop: float | None = None
        self._stop_check = ""
        self._stop_task: asyncio.Task[None] | None = None
        self.notify: Callable[[], None] | None = None  # set by the subscription
        self._missing_logged: set[str] = set()

    # -- the sources -----------------------------------------------------------------------------

    def entity_id(self, key: str) -> str | None:
        """The current entity id of a configured source (None: not configured, or gone)."""
        ref = self._config.get(key)
        if not isinstance(ref, str) or not ref:
            return None
        entity_id = er.async_resolve_entity_id(er.async_get(self._hass), ref)
        if entity_id is None and key not in self._missing_logged:
            self._missing_logged.add(key)
            LOGGER.warning("%s: its %s entity no longer exists", self._name, _role(key))
        elif entity_id is not None:
            self._missing_logged.discard(key)
        return entity_id

    def _state_of(self, key: str) -> State | None:
        entity_id = self.entity_id(key)
        return None if entity_id is None else self._hass.states.get(entity_id)

    @property
    def _has_power(self) -> bool:
        """Whether the massage has an on/off of its own (else its levels start it)."""
        return bool(self._config.get(CONF_POWER))

    @property
    def _power_is_button(self) -> bool:
        if not self._has_power:
            return False
        return domain_of(str(self._config[CONF_POWER])) in BUTTON_DOMAINS or (
            (entity_id := self.entity_id(CONF_POWER)) is not None
            and domain_of(entity_id) in BUTTON_DOMAINS
        )

    def _power_is_fan(self) -> bool:
        entity_id = self.entity_id(CONF_POWER)
        return entity_id is not None and domain_of(entity_id) == "fan"

    def _program_options(self) -> list[str]:
        if self._config.get(CONF_PROGRAM):
            state = self._state_of(CONF_PROGRAM)
            options = state.attributes.get("options") if state else None
        elif self._power_is_fan() and (state := self._state_of(CONF_POWER)) is not None:
            options = state.attributes.get("preset_modes")
        elif self._config.get(CONF_MODE_STEP):
            return [f"Mode {mode}" for mode in range(1, self._modes() + 1)]
        else:
            return []
        if not isinstance(options, list | tuple):
            return []
        return [option for option in options[:MAX_PROGRAMS] if isinstance(option, str)]

    def _modes(self) -> int:
        return min(MAX_PROGRAMS, max(2, int(_finite(self._config.get(CONF_MODES), 3))))

    def _number_levels(self, key: str, lowest: float) -> LevelRange | None:
        """A number source's levels from its attributes (None while it is gone), bounded."""
        state = self._state_of(key)
        if state is None:
            return None
        attributes = state.attributes
        return bounded_levels(
            _finite(attributes.get("min"), lowest),
            _finite(attributes.get("max"), 10),
            _finite(attributes.get("step"), 1),
        )

    def _levels(self) -> LevelRange | None:
        if self._config.get(CONF_INTENSITY):
            return self._number_levels(CONF_INTENSITY, 1)
        if self._config.get(CONF_STRONGER) or self._config.get(CONF_GENTLER):
            return self._stepped_levels()
        if self._power_is_fan():
            state = self._state_of(CONF_POWER)
            steps = _finite(state.attributes.get("percentage_step") if state else None, 0)
            if steps > 0:
                return LevelRange(1, min(MAX_SOURCE_LEVELS, max(1, round(100 / steps))))
        # All zones at once: the first zone's levels (each zone is set within its own).
        return next((levels for _zone, levels in self._zone_ranges()), None)

    @property
    def _all_zones_source(self) -> bool:
        """Whether one source sets every zone's level (else setting the intensity sets each)."""
        return bool(
            self._config.get(CONF_INTENSITY)
            or self._config.get(CONF_STRONGER)
            or self._config.get(CONF_GENTLER)
            or self._power_is_fan()
        )

    def _stepped_levels(self) -> LevelRange:
        levels = int(_finite(self._config.get(CONF_LEVELS), 5))
        return LevelRange(1, min(MAX_SOURCE_LEVELS, max(1, levels)))

    def _zone_range(self, zone: ZoneSources) -> LevelRange | None:
        """A zone's levels: its number's range, or counted steps; None while its number is gone."""
        if zone.number is None:
            return self._stepped_levels()
        return self._number_levels(zone.number, 0)

    def _zone_ranges(self) -> list[tuple[ZoneSources, LevelRange]]:
        return [(zone, levels) for zone in self._zones if (levels := self._zone_range(zone))]

    def _level_zones(self) -> tuple[LevelZone, ...]:
        language = self._hass.config.language
        return tuple(
            LevelZone(zone.zone, zone_name(zone.zone, language), levels)
            for zone, levels in self._zone_ranges()
        )

    def capabilities(self) -> Capabilities:
        """What the chosen entities make possible (read from them now)."""
        # Entries saved before the one cap (up to 60 minutes) are held to it too.
        low = min(int(_finite(self._config.get(CONF_MIN_MINUTES), 5)), MAX_SESSION_MINUTES)
        longest = int(_finite(self._config.get(CONF_MAX_MINUTES), 30))
        high = min(max(low, longest), MAX_SESSION_MINUTES)
        return Capabilities(
            programs=tuple(
                Choice(
                    _choice_id(option), clean_text(option, MAX_NAME_LENGTH) or _choice_id(option)
                )
                for option in self._program_options()
            ),
            zones=(),
            intensity=self._levels(),
            level_zones=self._level_zones(),
            session_minutes=LevelRange(low, high),
            default_minutes=min(high, max(low, self._session.minutes)),
            heat=bool(self._config.get(CONF_HEAT)),
            pause=False,
            pause_timeout_minutes=None,
            device_timer=False,
        )

    # -- Massager --------------------------------------------------------------------------------

    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities; the power entity must exist."""
        await self._load()
        self._require_power()
        await self._apply_hiding()
        return DeviceInfo(
            serial=self._serial,
            name=self._name,
            model="Built from entities",
            manufacturer="Smart Massager",
            firmware="",  # entities have no firmware: the device page shows none
            capabilities=self.capabilities(),
        )

    async def get_state(self) -> SessionState:
        """The state read from the source entities (or last commanded, for buttons)."""
        self._require_power()
        return self._read()

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Apply the settings, then switch the massager on; timed from this command."""
        self._require_power()
        settings = settings or SessionSettings()
        refuse_heat_level(settings)  # a heat entity is on/off
        self._session.choose(settings.minutes)
        on = self._is_on()
        self._end_stop_check()  # a new session: the last stop needs no verifying
        ir.async_delete_issue(self._hass, DOMAIN, self.stop_issue_id)
        # Power first: some sources (a fan) reset their mode when switched on.
        if not on:
            self._command_at = dt_util.utcnow()
            await self._power_on(settings)
            # A device starts its zones from its own first level, whatever was counted before.
            self._commanded.zone_levels = {
                zone.zone: self._stepped_levels().minimum for zone in self._zones if zone.stepped
            }
        if self._session.started_at is None:
            # Home Assistant started it: a session from now, whatever a power sensor says yet.
            self._new_session()
        await self._arm_device_timer(self._session.minutes)
        try:
            await self._apply(settings)
        except MassagerInvalidRequestError, MassagerResponseError:
            await self.stop()  # no session with settings other than the ones asked for
            raise
        return self._read()

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Program, intensity, heat; the length only between sessions."""
        self._require_power()
        refuse_heat_level(settings)  # a heat entity is on/off
        self._session.choose(settings.minutes)
        await self._apply(settings)
        return self._read()

    async def stop(self, *, retry: bool = False) -> SessionState:
        """Heat off and power off, both attempted; an off that is not confirmed is an error.

        A toggle button is pressed only when Home Assistant commanded the massage on and
        nothing has said it went off since: pressing it otherwise would switch the massage on.
        Where levels can be read back, they verify the stop afterwards (`_verify_stop`);
        `retry` is that verification's second stop.
        """
        await self._load()
        # Whether it is on, by the levels read since Home Assistant's last command where there
        # are any (switched off on its remote: its toggle must not be pressed), before this one.
        on = self._is_on()
        self._command_at = dt_util.utcnow()
        self._stopped_loop = self._hass.loop.time()
        if not retry:
            self._stop_check = ""
        failures: list[MassagerError] = []
        if self._config.get(CONF_HEAT):
            try:
                await self._switch(CONF_HEAT, on=False)
            except MassagerError as err:
                failures.append(err)
        try:
            if self._config.get(CONF_STOP):
                await self._call(self._need(CONF_STOP), "press")  # a real off, never a toggle
            elif not self._has_power:
                await self._zones_off()
            if self._has_power and not self._power_is_button:
                await self._switch(CONF_POWER, on=False)
            elif self._power_is_button and on and not self._config.get(CONF_STOP):
                await self._call(self._need(CONF_POWER), "press")
            if self._commanded.on and not (self._has_power and not self._power_is_button):
                await self._remember(on=False)
        except MassagerError as err:
            failures.insert(0, err)  # the power's failure is the one that matters most
        if self._config.get(CONF_TIMER):
            await self._disarm_device_timer()
        if failures:
            raise failures[0]
        # Counted steps start again after a stop: the device starts its next massage from its
        # own first mode and level, not from ours.
        self._commanded.mode = self._commanded.level = 1
        self._commanded.zone_levels = {}
        return self._read()

    async def _zones_off(self) -> None:
        """Every zone's number to its lowest level (0: off), for a device with no off of its own."""
        for key, levels in self._level_numbers():
            await self._call(self._need(key), "set_value", value=levels.minimum)

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> StateSubscription:
        """Every change of a source entity is pushed at once; renames are followed."""
        return _EntitiesSubscription(self, on_state, on_connection)

    async def close(self) -> None:
        """Nothing to close but the running sensor's pending re-check and a second stop."""
        self._cancel_recheck()
        self._end_stop_check()

    # -- reading ---------------------------------------------------------------------------------

    def source_entities(self) -> list[str]:
        """The current entity id of every source this massager reads (states pushed from)."""
        keys = [CONF_POWER, CONF_STOP, CONF_PROGRAM, CONF_INTENSITY, CONF_HEAT, CONF_RUNNING]
        keys += [key for zone in self._zones for key in (zone.number, zone.level) if key]
        return [entity_id for key in keys if (entity_id := self.entity_id(key)) is not None]

    def level_sources(self) -> list[str]:
        """The entity ids that read levels back: their repeated reports verify a stop.

        From the entry, not from the states: a bed's entities may not be there yet.
        """
        keys = [key for zone in self._zones for key in (zone.number, zone.level) if key]
        keys += [CONF_INTENSITY] if self._config.get(CONF_INTENSITY) else []
        return [entity_id for key in keys if (entity_id := self.entity_id(key)) is not None]

    def _power_problem(self) -> str | None:
        """Why the power entity cannot be read or used now; None when it can.

        Without a power entity, what stops it must be there: the stop button, else the first
        zone's number. A massage that could not be stopped must not be started.
        """
        key = self._off_key()
        power = self.entity_id(key)
        if power is None:
            return f"its {_role(key)} entity no longer exists"
        state = self._hass.states.get(power)
        if state is None or state.state == STATE_UNAVAILABLE:
            return f"{power} is unavailable"
        if state.state == STATE_UNKNOWN and domain_of(power) not in BUTTON_DOMAINS:
            # A button's state is the time of its last press: `unknown` until first pressed.
            return f"{power} is unknown"
        return None

    def _off_key(self) -> str:
        return next(iter(_off_keys(self._config)), CONF_POWER)

    def available(self) -> bool:
        """Whether the power entity can be read and used."""
        return self._power_problem() is None

    def _require_power(self) -> None:
        if (problem := self._power_problem()) is not None:
            raise MassagerConnectionError(problem)

    def _is_on(self) -> bool:
        if self._power_is_button or not self._has_power:
            # Levels read back since Home Assistant's last command are the truth where there
            # are any: started or stopped on the bed's remote, or a stop that did not work.
            said = self._levels_say()
            return self._commanded.on if said is None else said
        state = self._state_of(CONF_POWER)
        return state is not None and state.state == STATE_ON

    def _drawing(self) -> bool | None:
        """What the running sensor says: drawing power or not; None without a readable one."""
        sensor = self._state_of(CONF_RUNNING) if self._config.get(CONF_RUNNING) else None
        if sensor is None or sensor.state in _BAD_STATES:
            return None
        if domain_of(sensor.entity_id) == "binary_sensor":
            return sensor.state == STATE_ON
        value = _finite(sensor.state, math.nan) if sensor.state else math.nan
        if math.isnan(value):
            return None
        return value > _finite(self._config.get(CONF_RUNNING_ABOVE), 0)

    def _running(self) -> bool:
        """On, and (with a running sensor) really running.

        A session under way ends by the sensor only after it has shown the massager drawing
        power and then reads below the threshold for RUNNING_DROP_S: not while the motor spins
        up after Home Assistant switched it on, not during a program's pause.
        """
        if not self._is_on():
            return False
        drawing = self._drawing()
        if drawing is None:
            return True
        if drawing:
            self._seen_drawing = True
            self._below_since = None
            self._cancel_recheck()
            return True
        if self._session.started_at is None:
            return False  # plug on, massager idle: no session
        if not self._seen_drawing:
            return True
        now = self._hass.loop.time()
        if self._below_since is None:
            self._below_since = now
            self._recheck = async_call_later(self._hass, RUNNING_DROP_S, self._recheck_running)
        return now - self._below_since < RUNNING_DROP_S

    @callback
    def _recheck_running(self, _now: datetime) -> None:
        self._recheck = None
        if self.notify is not None:
            self.notify()

    def _cancel_recheck(self) -> None:
        if self._recheck is not None:
            self._recheck()
            self._recheck = None

    def _new_session(self) -> None:
        self._session.begin()
        self._seen_drawing = False
        self._below_since = None
        self._cancel_recheck()

    def _read(self) -> SessionState:
        running = self._running()
        if running and self._stopped_loop is not None:
            self._verify_stop()
        if running and self._session.started_at is None:
            # Switched on outside Home Assistant (the massager's own button): a session from now.
            self._new_session()
        heat = self._state_of(CONF_HEAT) if self._config.get(CONF_HEAT) else None
        self._session.observe(running)
        if not running:
            self._below_since = None
            self._cancel_recheck()
            if self._was_on:
                # A session ended: the next one starts from the default length.
                self._session.choose(self._session.default_minutes)
        self._was_on = running
        return self._session.state(
            status=Status.RUNNING if running else Status.IDLE,
            program=self._program(),
            zone="",
            intensity=self._level(),
            zone_levels=self._zone_levels(),
            heat=heat is not None and heat.state == STATE_ON,
        )

    def _program(self) -> str:
        if self._config.get(CONF_PROGRAM):
            state = self._state_of(CONF_PROGRAM)
            option = state.state if state else None
        elif self._power_is_fan():
            state = self._state_of(CONF_POWER)
            option = state.attributes.get("preset_mode") if state else None
        elif self._config.get(CONF_MODE_STEP):
            option = f"Mode {self._commanded.mode}"
        else:
            return ""
        return _choice_id(option) if isinstance(option, str) and option not in _BAD_STATES else ""

    def _read_zone(self, zone: ZoneSources, levels: LevelRange) -> int | None:
        """A zone's level as read now, None when nothing tells it (never a remembered guess).

        Its level sensor where it has a readable one, else its number, else (buttons) what Home
        Assistant counted since it started the session.
        """
        for key in (zone.level, zone.number):
            if key and (value := self._raw_reading(key)) is not None:
                return levels.clamp(round(value))
        if zone.number is None:
            return self._commanded.zone_levels.get(zone.zone)
        return None

    def _raw_reading(self, key: str, *, since: datetime | None = None) -> float | None:
        """A level source's value; with `since`, only if it was reported after that.

        Reported, not updated: a bed polled after a stop that did nothing writes the same level
        again, and that is the reading that says the stop failed.
        """
        state = self._state_of(key)
        if state is None or state.state in _BAD_STATES:
            return None
        if since is not None and state.last_reported <= since:
            return None
        value = _finite(state.state, math.nan)
        return None if math.isnan(value) else value

    def _levels_say(self) -> bool | None:
        """Whether the levels read back since Home Assistant's last command say it runs.

        A level above 0 is a zone massaging, 0 is off; a number that cannot be 0 cannot say
        "off" and is not asked. None when nothing was read since (or nothing reads levels).
        """
        keys = [key for key, levels in self._level_numbers() if levels.minimum <= 0]
        keys += [zone.level for zone in self._zones if zone.level]
        readings = [
            value
            for key in keys
            if (value := self._raw_reading(key, since=self._command_at)) is not None
        ]
        return any(value > 0 for value in readings) if readings else None

    def _end_stop_check(self) -> None:
        """No stop to verify any more (a new session, a level set, the massager closed)."""
        self._stopped_loop = None
        self._stop_check = ""
        if self._stop_task is not None and not self._stop_task.done():
            self._stop_task.cancel()
        self._stop_task = None

    @callback
    def _verify_stop(self) -> None:
        """A stop the levels contradict: pressed once more, then a repair issue tells the user."""
        stopped = self._stopped_loop
        if stopped is None or self._stop_check == "told" or self._levels_say() is not True:
            return  # (running, but by what Home Assistant commanded: nothing read contradicts)
        if self._hass.loop.time() - stopped > STOP_VERIFY_S:
            self._stopped_loop = None  # from now, a level above 0 is a session on the device
            return
        if self._stop_check == "":
            self._stop_check = "again"
            LOGGER.warning("%s: its levels say the massage still runs: stopping again", self._name)
            self._stop_task = self._hass.async_create_task(
                self._stop_again(), f"{DOMAIN} stop again"
            )
            return
        if self._stop_check != "retried":
            return  # the second stop is under way
        self._stop_check = "told"
        LOGGER.error("%s: its levels say the massage still runs after two stops", self._name)
        raise_issue(self._hass, self.stop_issue_id, "stop_not_confirmed", name=self._name)

    async def _stop_again(self) -> None:
        try:
            await self.stop(retry=True)
        except MassagerError as err:
            LOGGER.warning("%s: the second stop failed: %s", self._name, err)
        self._stop_check = "retried"  # from now, a level read says whether it was obeyed
        if self.notify is not None:
            self.notify()

    @property
    def stop_issue_id(self) -> str:
        """The repair issue raised when the levels say a stop did not work."""
        return f"stop_not_confirmed_{self._serial}"

    def _level_numbers(self) -> list[tuple[str, LevelRange]]:
        """The numbers that set a level (every zone's, or the one for all), with their levels."""
        numbers = [(zone.number, levels) for zone, levels in self._zone_ranges() if zone.number]
        if self._config.get(CONF_INTENSITY) and (levels := self._levels()) is not None:
            numbers.append((CONF_INTENSITY, levels))
        return numbers

    def _zone_levels(self) -> dict[str, int | None]:
        return {zone.zone: self._read_zone(zone, levels) for zone, levels in self._zone_ranges()}

    def _level(self) -> int:
        levels = self._levels()
        if levels is None:
            return 0
        if not self._all_zones_source:
            known = [level for level in self._zone_levels().values() if level is not None]
            return levels.clamp(max(known)) if known else levels.minimum
        if self._config.get(CONF_INTENSITY):
            state = self._state_of(CONF_INTENSITY)
            value = _finite(state.state if state else None, math.nan)
            return levels.minimum if math.isnan(value) else levels.clamp(round(value))
        if self._config.get(CONF_STRONGER) or self._config.get(CONF_GENTLER):
            return levels.clamp(self._commanded.level)
        state = self._state_of(CONF_POWER)
        percentage = _finite(state.attributes.get("percentage") if state else None, 0)
        if percentage <= 0:
            return levels.minimum
        return levels.at(max(1, round(min(100.0, percentage) * levels.levels / 100)))

    # -- what Home Assistant commanded, kept across restarts -------------------------------------

    async def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            self._commanded.on = stored.get("on") is True
            self._hidden = stored.get("hidden") is True

    async def _remember(self, *, on: bool) -> None:
        # Only whether it is on: that decides whether a stop presses the toggle. A level
        # counted in steps is not kept: the device may have lost it (a bed resets its levels
        # when it disconnects), so after a restart counting starts again from the lowest.
        self._commanded.on = on
        await self._save()

    async def _save(self) -> None:
        await self._store.async_save({"on": self._commanded.on, "hidden": self._hidden})

    async def _apply_hiding(self) -> None:
        """Hide the sources once when the option is set, show them once when it is cleared.

        Not at every start: a source the user shows again afterwards stays shown.
        """
        wanted = bool(self._config.get(CONF_HIDE_SOURCES))
        if wanted != self._hidden:
            async_set_hidden(self._hass, source_refs(self._config), hide=wanted)
            self._hidden = wanted
            await self._save()

    # -- commanding ------------------------------------------------------------------------------

    async def _apply(self, settings: SessionSettings) -> None:
        if settings.intensity is not None or settings.zone_levels:
            self._end_stop_check()  # a level set now is the user's, not a failed stop
        if settings.program is not None:
            await self._set_program(settings.program)
        if settings.intensity is not None:
            if self._all_zones_source or not self._zones:
                await self._set_level(settings.intensity)
            else:
                for zone, levels in self._zone_ranges():
                    await self._set_zone_level(zone, levels.clamp(settings.intensity))
        for zone_id, level in (settings.zone_levels or {}).items():
            await self._set_zone(zone_id, level)
        if settings.heat is not None:
            if self._config.get(CONF_HEAT):
                await self._switch(CONF_HEAT, on=settings.heat, confirm=False)
            elif settings.heat:
                raise MassagerInvalidRequestError("no heat", code="not_supported")
        if settings.zone:
            raise MassagerInvalidRequestError("no zones", code="invalid_value")

    async def _set_program(self, program: str) -> None:
        options = {_choice_id(option): option for option in self._program_options()}
        if program not in options:
            raise MassagerInvalidRequestError(
                f"unknown program {program!r:.40}",
                code="invalid_value",
                field="program",
                allowed=list(options),
            )
        if self._config.get(CONF_PROGRAM):
            await self._call(self._need(CONF_PROGRAM), "select_option", option=options[program])
        elif not self._power_is_fan() and self._config.get(CONF_MODE_STEP):
            wanted = list(options).index(program) + 1
            for _ in range((wanted - self._commanded.mode) % self._modes()):
                await self._call(self._need(CONF_MODE_STEP), "press")
            self._commanded.mode = wanted
        else:
            await self._call(
                self._need(CONF_POWER), "set_preset_mode", preset_mode=options[program]
            )

    async def _set_level(self, level: int) -> None:
        levels = self._levels()
        if levels is None or level not in levels:
            raise MassagerInvalidRequestError(
                f"intensity {level} is not available", code="invalid_value"
            )
        if self._config.get(CONF_INTENSITY):
            await self._call(self._need(CONF_INTENSITY), "set_value", value=level)
            return
        if self._config.get(CONF_STRONGER) or self._config.get(CONF_GENTLER):
            current = levels.clamp(self._commanded.level)
            key = CONF_STRONGER if level > current else CONF_GENTLER
            if not self._config.get(key) and level != current:
                raise MassagerInvalidRequestError(
                    "this massager can only step one way", code="not_supported"
                )
            for _ in range(abs(levels.position(level) - levels.position(current))):
                await self._call(self._need(key), "press")
            self._commanded.level = level
            return
        await self._call(
            self._need(CONF_POWER), "set_percentage", percentage=round(100 * level / levels.levels)
        )

    async def _set_zone(self, zone_id: str, level: int) -> None:
        """Set one level zone, named by its id; refused for a zone or level it does not have."""
        ranges = {zone.zone: (zone, levels) for zone, levels in self._zone_ranges()}
        if zone_id not in ranges:
            raise invalid_setting("zone_levels", list(ranges))
        zone, levels = ranges[zone_id]
        if level not in levels:
            raise invalid_setting("zone_levels", levels)
        await self._set_zone_level(zone, level)

    async def _set_zone_level(self, zone: ZoneSources, level: int) -> None:
        """A number is set; buttons are pressed from the level read or counted now.

        A zone whose level nothing tells (a bed that lost it on disconnecting) is not stepped:
        pressing from a guessed level would land anywhere.
        """
        if zone.number is not None:
            await self._call(self._need(zone.number), "set_value", value=level)
            return
        levels = self._stepped_levels()
        current = self._read_zone(zone, levels)
        if current is None:
            raise MassagerInvalidRequestError(
                f"the {zone.zone} level is not known now", code="level_unknown"
            )
        key = zone.stronger if level > current else zone.gentler
        if level != current and key is None:
            raise MassagerInvalidRequestError(
                "this massager can only step one way", code="not_supported"
            )
        for _ in range(abs(levels.position(level) - levels.position(current))):
            await self._call(self._need(key or ""), "press")
        self._commanded.zone_levels[zone.zone] = level

    def _need(self, key: str) -> str:
        """The current entity id of a source about to be commanded."""
        if (entity_id := self.entity_id(key)) is None:
            raise MassagerConnectionError(f"{self._name}: its {_role(key)} entity is missing")
        return entity_id

    # -- the device's own timer --------------------------------------------------------------

    def _timer_options(self) -> tuple[dict[str, int], str | None]:
        """A timer select's options with their minutes, and its "off" option."""
        state = self._state_of(CONF_TIMER)
        options = state.attributes.get("options") if state else None
        minutes: dict[str, int] = {}
        off: str | None = None
        for option in options[:MAX_PROGRAMS] if isinstance(options, list | tuple) else ():
            if not isinstance(option, str):
                continue
            words = option.casefold().split()
            if not words or words[0] in _OFF_WORDS:
                off = off or option
                continue
            number = _finite(words[0], math.nan)
            if not math.isnan(number) and number > 0:
                unit = _UNIT_SECONDS.get(words[1] if len(words) > 1 else "min", 60)
                minutes[option] = math.ceil(number * unit / 60)
        return minutes, off

    async def _arm_device_timer(self, minutes: int) -> None:
        """Arm the device's own timer for a session of `minutes` (a failure is only logged).

        A select gets the shortest option not shorter than the session (the longest if all are
        shorter); a countdown number the session plus a margin, in its own unit, within its range.
        """
        if not self._config.get(CONF_TIMER):
            return
        try:
            entity_id = self._need(CONF_TIMER)
            if domain_of(entity_id) in PROGRAM_DOMAINS:
                options, _off = self._timer_options()
                if not options:
                    raise MassagerResponseError(f"{entity_id} offers no timer length")
                long_enough = [option for option, value in options.items() if value >= minutes]
                chosen = (
                    min(long_enough, key=options.__getitem__)
                    if long_enough
                    else max(options, key=options.__getitem__)
                )
                await self._call(entity_id, "select_option", option=chosen)
            else:
                state = self._hass.states.get(entity_id)
                attributes = state.attributes if state else {}
                unit = str(attributes.get("unit_of_measurement") or "min").casefold()
                seconds = (minutes + DEVICE_TIMER_MARGIN_MINUTES) * 60
                value = math.ceil(seconds / _UNIT_SECONDS.get(unit, 60))
                high = _finite(attributes.get("max"), value)
                await self._call(entity_id, "set_value", value=min(value, high))
        except MassagerError as err:
            # Home Assistant's own timer still ends the session; the device's is the backup.
            LOGGER.warning("%s: could not arm its own timer: %s", self._name, err)

    async def _disarm_device_timer(self) -> None:
        try:
            entity_id = self._need(CONF_TIMER)
            if domain_of(entity_id) in PROGRAM_DOMAINS:
                if (off := self._timer_options()[1]) is not None:
                    await self._call(entity_id, "select_option", option=off)
            else:
                state = self._hass.states.get(entity_id)
                if _finite(state.attributes.get("min") if state else None, 0) <= 0:
                    await self._call(entity_id, "set_value", value=0)
        except MassagerError as err:
            LOGGER.warning("%s: could not disarm its own timer: %s", self._name, err)

    async def _power_on(self, settings: SessionSettings) -> None:
        if not self._has_power:
            # Its levels are its on: every zone not set by the settings starts at its gentlest.
            await self._remember(on=True)
            if settings.intensity is None:
                asked = {zone_key(zone, NUMBER) for zone in settings.zone_levels or {}}
                for key, levels in self._level_numbers():
                    if key not in asked:
                        await self._call(self._need(key), "set_value", value=levels.gentlest)
            return
        if self._power_is_button:
            await self._call(self._need(CONF_POWER), "press")
            await self._remember(on=True)
        else:
            await self._switch(CONF_POWER, on=True)

    async def _switch(self, key: str, *, on: bool, confirm: bool = True) -> None:
        """Switch a source on or off; with `confirm`, wait until its state says so.

        An action on a missing or unavailable entity does nothing in Home Assistant and raises
        nothing: without the confirmation a stop would be taken as done with the plug still on.
        """
        entity_id = self._need(key)
        wanted = STATE_ON if on else STATE_OFF
        await self._call(entity_id, "turn_on" if on else "turn_off")
        if not confirm:
            return
        state = self._hass.states.get(entity_id)
        if state is None or state.state in _BAD_STATES:
            now = "missing" if state is None else state.state
            raise MassagerConnectionError(f"{entity_id} is {now}: it could not be turned {wanted}")
        await self._wait_for_state(entity_id, wanted)

    async def _wait_for_state(self, entity_id: str, wanted: str) -> None:
        """Some integrations write the new state a moment after their action returns."""

        def reached() -> bool:
            state = self._hass.states.get(entity_id)
            return state is not None and state.state == wanted

        if reached():
            return
        done = asyncio.Event()

        @callback
        def changed(_event: Event[EventStateChangedData]) -> None:
            if reached():
                done.set()

        remove = async_track_state_change_event(self._hass, [entity_id], changed)
        try:
            async with asyncio.timeout(POWER_SWITCH_TIMEOUT_S):
                await done.wait()
        except TimeoutError as err:
            state = self._hass.states.get(entity_id)
            now = "missing" if state is None else clean_text(state.state, MAX_NAME_LENGTH)
            raise MassagerResponseError(f"{entity_id} did not turn {wanted} (it is {now})") from err
        finally:
            remove()

    async def _call(self, entity_id: str, service: str, **data: Any) -> None:
        """Call the source's own action; its refusal becomes the library's typed error.

        Home Assistant skips an unavailable entity without an error: a stop button pressed so
        would count as a stop done. Refused here instead, so the stop is retried and reported.
        """
        state = self._hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            raise MassagerConnectionError(f"{entity_id} is unavailable: {service} not sent")
        try:
            await self._hass.services.async_call(
                domain_of(entity_id), service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
            )
        except (HomeAssistantError, ValueError) as err:
            reason = clean_text(str(err), MAX_MESSAGE_LENGTH)
            raise MassagerResponseError(f"{entity_id} refused {service}: {reason}") from err


class _EntitiesSubscription(ReportingSubscription):
    """Pushes a state whenever a source entity changes; reports the power entity's availability.

    Connected while the power entity can be read. A source renamed in the entity registry is
    tracked under its new id from then on.
    """

    def __init__(
        self,
        massager: EntitiesMassager,
        on_state: StateCallback,
        on_connection: ConnectionCallback | None,
    ) -> None:
        super().__init__(on_state, on_connection)
        self._massager = massager

    async def run(self) -> None:
        """Listen until cancelled."""
        massager = self._massager
        hass = massager._hass  # noqa: SLF001  # the transport's own Home Assistant
        remove_tracking: CALLBACK_TYPE | None = None

        @callback
        def changed(_event: Event[Any] | None = None) -> None:
            available = massager.available()
            self._set_connected(available)
            if available:
                self.deliver(massager._read())  # noqa: SLF001  # the transport's own reader

        tracked: set[str] = set()

        @callback
        def track() -> None:
            nonlocal remove_tracking
            if remove_tracking is not None:
                remove_tracking()
            tracked.clear()
            tracked.update(massager.source_entities())
            remove_changes = async_track_state_change_event(hass, tracked, changed)
            # A level written again unchanged (a bed's poll) is a report, not a change.
            remove_reports = async_track_state_report_event(hass, massager.level_sources(), changed)

            def remove_both() -> None:
                remove_changes()
                remove_reports()

            remove_tracking = remove_both

        @callback
        def registry_changed(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
            data = event.data
            if data["action"] == "create" or not (
                data["entity_id"] in tracked or data.get("old_entity_id") in tracked
            ):
                return
            # A source renamed or removed: track the sources under their ids now.
            track()
            changed()

        self._connected = massager.available()
        massager.notify = changed
        track()
        remove_registry = hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, registry_changed)
        try:
            await asyncio.Event().wait()  # until cancelled with the entry
        finally:
            massager.notify = None
            remove_registry()
            if remove_tracking is not None:
                remove_tracking()
