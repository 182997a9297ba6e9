"""A massager built from entities Home Assistant already has: a smart plug, another integration.

The one transport that lives in the component, because it talks to Home Assistant itself. It
implements the same `Massager` interface as every other transport; the factory builds it.

- Power: a switch, light, fan or input_boolean (on/off with a state), or a button that toggles the
  massager (no state to read: the state is what Home Assistant last commanded).
- Optional: a select/input_select for programs (or the power fan's preset modes), a
  number/input_number for intensity (or the power fan's percentage, or "stronger"/"gentler"
  buttons: then the level is what Home Assistant last commanded), a switch/input_boolean for
  heat, and a sensor whose value above a threshold says the massager really runs (power draw).
- Such a massager has no timer of its own (`device_timer=False`): Home Assistant ends its sessions
  (session_timer.py). State changes of the source entities are pushed at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from pysmartmassager import (
    Capabilities,
    Choice,
    ConnectionCallback,
    DeviceInfo,
    LevelRange,
    Massager,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerResponseError,
    ReportingSubscription,
    SessionSettings,
    SessionState,
    StateCallback,
    StateSubscription,
    Status,
)

from .const import LOGGER

CONF_POWER = "power_entity"
CONF_PROGRAM = "program_entity"
CONF_INTENSITY = "intensity_entity"
CONF_STRONGER = "stronger_entity"
CONF_GENTLER = "gentler_entity"
CONF_LEVELS = "intensity_levels"
CONF_HEAT = "heat_entity"
CONF_RUNNING = "running_entity"
CONF_RUNNING_ABOVE = "running_above"
CONF_MIN_MINUTES = "min_minutes"
CONF_MAX_MINUTES = "max_minutes"
CONF_DEFAULT_MINUTES_ENTITIES = "session_minutes"

POWER_DOMAINS = ["switch", "light", "fan", "input_boolean", "button", "input_button"]
PROGRAM_DOMAINS = ["select", "input_select"]
INTENSITY_DOMAINS = ["number", "input_number"]
BUTTON_DOMAINS = ["button", "input_button"]
HEAT_DOMAINS = ["switch", "input_boolean"]
RUNNING_DOMAINS = ["sensor", "binary_sensor", "input_number"]

_BAD_STATES = (STATE_UNAVAILABLE, STATE_UNKNOWN)
# How long a power entity may take to show "on" after its action returned.
POWER_ON_TIMEOUT_S = 5.0


def _domain(entity_id: str) -> str:
    return entity_id.split(".", 1)[0]


def _choice_id(option: str) -> str:
    """A program id from an option's text: lower case, words joined by underscores."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in option.casefold())
    return "_".join(part for part in cleaned.split("_") if part)[:64] or "program"


@dataclass
class _Commanded:
    """What Home Assistant last commanded, for sources that have no state to read."""

    on: bool = False
    level: int = 1
    started_at: datetime | None = None


class EntitiesMassager(Massager):
    """A massager whose parts are other entities."""

    def __init__(
        self, hass: HomeAssistant, serial: str, name: str, config: Mapping[str, Any]
    ) -> None:
        self._hass = hass
        self._serial = serial
        self._name = name
        self._config = dict(config)
        self._power: str = config[CONF_POWER]
        self._commanded = _Commanded(level=1)
        self._default_minutes = int(config.get(CONF_DEFAULT_MINUTES_ENTITIES, 15))
        self._minutes = self._default_minutes
        self._revision = 0
        self._was_on = False
        self.heat_left_on = False  # the massager went off by itself with heat still on

    # -- what the sources offer ------------------------------------------------------------------

    def _state(self, entity_id: str | None) -> State | None:
        return None if entity_id is None else self._hass.states.get(entity_id)

    @property
    def _power_is_button(self) -> bool:
        return _domain(self._power) in BUTTON_DOMAINS

    def _program_options(self) -> list[str]:
        if (entity := self._config.get(CONF_PROGRAM)) is not None:
            state = self._state(entity)
            return list(state.attributes.get("options", [])) if state else []
        if _domain(self._power) == "fan" and (state := self._state(self._power)) is not None:
            return list(state.attributes.get("preset_modes") or [])
        return []

    def _levels(self) -> LevelRange | None:
        if (entity := self._config.get(CONF_INTENSITY)) is not None:
            state = self._state(entity)
            if state is None:
                return None
            low = round(float(state.attributes.get("min", 1)))
            high = round(float(state.attributes.get("max", 10)))
            step = max(1, round(float(state.attributes.get("step", 1))))
            return LevelRange(low, max(low, high), step)
        if self._config.get(CONF_STRONGER) or self._config.get(CONF_GENTLER):
            return LevelRange(1, max(1, int(self._config.get(CONF_LEVELS, 5))))
        if _domain(self._power) == "fan":
            state = self._state(self._power)
            steps = state.attributes.get("percentage_step") if state else None
            if steps:
                return LevelRange(1, max(1, round(100 / float(steps))))
        return None

    def capabilities(self) -> Capabilities:
        """What the chosen entities make possible (read from them now)."""
        low = int(self._config.get(CONF_MIN_MINUTES, 5))
        high = int(self._config.get(CONF_MAX_MINUTES, 30))
        return Capabilities(
            programs=tuple(
                Choice(_choice_id(option), option) for option in self._program_options()[:64]
            ),
            zones=(),
            intensity=self._levels(),
            session_minutes=LevelRange(low, high),
            default_minutes=min(high, max(low, self._minutes)),
            heat=self._config.get(CONF_HEAT) is not None,
            pause=False,
            pause_timeout_minutes=None,
            device_timer=False,
        )

    # -- Massager --------------------------------------------------------------------------------

    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities; the power entity must exist."""
        self._require(self._power)
        return DeviceInfo(
            serial=self._serial,
            name=self._name,
            model="Built from entities",
            manufacturer="Smart Massager",
            firmware="-",
            capabilities=self.capabilities(),
        )

    async def get_state(self) -> SessionState:
        """The state read from the source entities (or last commanded, for buttons)."""
        self._require(self._power)
        return self._read()

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Apply the settings, then switch the massager on."""
        self._require(self._power)
        settings = settings or SessionSettings()
        if settings.minutes is not None:
            self._minutes = settings.minutes
        # Power first: some sources (a fan) reset their mode when switched on.
        if not self._is_on():
            await self._power_on()
        self._commanded.started_at = dt_util.utcnow()
        try:
            await self._apply(settings)
        except MassagerInvalidRequestError, MassagerResponseError:
            await self.stop()  # no session with settings other than the ones asked for
            raise
        return self._read()

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Program, intensity, heat; the length only between sessions."""
        self._require(self._power)
        if settings.minutes is not None:
            self._minutes = settings.minutes
        await self._apply(settings)
        return self._read()

    async def stop(self) -> SessionState:
        """Heat off and power off; always attempted, whatever the sources' availability."""
        errors: list[str] = []
        if (heat := self._config.get(CONF_HEAT)) is not None:
            try:
                await self._call(heat, "turn_off")
            except MassagerResponseError as err:
                errors.append(str(err))
        if self._power_is_button:
            if self._commanded.on:
                await self._call(self._power, "press")
                self._commanded.on = False
        else:
            try:
                await self._call(self._power, "turn_off")
            except MassagerResponseError as err:
                errors.append(str(err))
        if errors:
            raise MassagerResponseError("; ".join(errors))
        self._commanded.started_at = None
        return self._read()

    async def heat_off(self) -> None:
        """Switch heat off (after the massager went off by itself)."""
        self.heat_left_on = False
        if (heat := self._config.get(CONF_HEAT)) is not None:
            await self._call(heat, "turn_off")

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> StateSubscription:
        """Every change of a source entity is pushed at once."""
        return _EntitiesSubscription(self, on_state, on_connection)

    # -- reading ---------------------------------------------------------------------------------

    def source_entities(self) -> list[str]:
        """Every entity this massager is built from."""
        keys = (CONF_POWER, CONF_PROGRAM, CONF_INTENSITY, CONF_HEAT, CONF_RUNNING)
        return [self._config[key] for key in keys if self._config.get(key)]

    def available(self) -> bool:
        """Whether the power entity can be used."""
        state = self._state(self._power)
        return state is not None and state.state != STATE_UNAVAILABLE

    def _require(self, entity_id: str) -> None:
        state = self._state(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            raise MassagerConnectionError(f"{entity_id} is unavailable")

    def _is_on(self) -> bool:
        if self._power_is_button:
            return self._commanded.on
        state = self._state(self._power)
        return state is not None and state.state == STATE_ON

    def _running(self) -> bool:
        """On, and (with a running sensor) really drawing power."""
        if not self._is_on():
            return False
        sensor = self._state(self._config.get(CONF_RUNNING))
        if sensor is None or sensor.state in _BAD_STATES:
            return True
        if _domain(sensor.entity_id) == "binary_sensor":
            return sensor.state == STATE_ON
        try:
            return float(sensor.state) > float(self._config.get(CONF_RUNNING_ABOVE, 0))
        except ValueError:
            return True

    def _read(self) -> SessionState:
        running = self._running()
        if running and not self._was_on and self._commanded.started_at is None:
            # Switched on outside a session (the massager's own button): a session from now.
            self._commanded.started_at = dt_util.utcnow()
        heat = self._state(self._config.get(CONF_HEAT))
        if not running:
            self._commanded.started_at = None
            if self._was_on:
                # A session ended: the next one starts from the default length, and heat
                # must not outlive the massage.
                self._minutes = self._default_minutes
                self.heat_left_on = heat is not None and heat.state == STATE_ON
        self._was_on = running
        self._revision += 1
        return SessionState(
            status=Status.RUNNING if running else Status.IDLE,
            program=self._program(),
            zone="",
            intensity=self._level(),
            heat=heat is not None and heat.state == STATE_ON,
            minutes=self._minutes,
            started_at=self._commanded.started_at,
            ends_at=None,  # Home Assistant is the timer
            remaining_s=0,
            pause_expires_at=None,
            error=None,
            revision=self._revision,
        )

    def _program(self) -> str:
        entity = self._config.get(CONF_PROGRAM) or (
            self._power if _domain(self._power) == "fan" else None
        )
        state = self._state(entity)
        if state is None:
            return ""
        option = state.attributes.get("preset_mode") if entity == self._power else state.state
        return _choice_id(option) if isinstance(option, str) and option not in _BAD_STATES else ""

    def _level(self) -> int:
        levels = self._levels()
        if levels is None:
            return 0
        if (entity := self._config.get(CONF_INTENSITY)) is not None:
            state = self._state(entity)
            try:
                return levels.clamp(round(float(state.state))) if state else levels.minimum
            except ValueError:
                return levels.minimum
        if self._config.get(CONF_STRONGER) or self._config.get(CONF_GENTLER):
            return levels.clamp(self._commanded.level)
        state = self._state(self._power)
        percentage = state.attributes.get("percentage") if state else None
        if not percentage:
            return levels.minimum
        return levels.at(max(1, round(float(percentage) * levels.levels / 100)))

    # -- commanding ------------------------------------------------------------------------------

    async def _apply(self, settings: SessionSettings) -> None:
        if settings.program is not None:
            await self._set_program(settings.program)
        if settings.intensity is not None:
            await self._set_level(settings.intensity)
        if settings.heat is not None:
            if (heat := self._config.get(CONF_HEAT)) is not None:
                await self._call(heat, "turn_on" if settings.heat else "turn_off")
            elif settings.heat:
                raise MassagerInvalidRequestError("no heat", code="not_supported", status=400)
        if settings.zone:
            raise MassagerInvalidRequestError("no zones", code="invalid_value", status=422)

    async def _set_program(self, program: str) -> None:
        options = {_choice_id(option): option for option in self._program_options()}
        if program not in options:
            raise MassagerInvalidRequestError(
                f"unknown program {program!r:.40}",
                code="invalid_value",
                status=422,
                field="program",
                allowed=list(options),
            )
        if (entity := self._config.get(CONF_PROGRAM)) is not None:
            await self._call(entity, "select_option", option=options[program])
        else:
            await self._call(self._power, "set_preset_mode", preset_mode=options[program])

    async def _set_level(self, level: int) -> None:
        levels = self._levels()
        if levels is None or level not in levels:
            raise MassagerInvalidRequestError(
                f"intensity {level} is not available", code="invalid_value", status=422
            )
        if (entity := self._config.get(CONF_INTENSITY)) is not None:
            await self._call(entity, "set_value", value=level)
            return
        stronger, gentler = self._config.get(CONF_STRONGER), self._config.get(CONF_GENTLER)
        if stronger or gentler:
            current = levels.clamp(self._commanded.level)
            button = stronger if level > current else gentler
            if button is None and level != current:
                raise MassagerInvalidRequestError(
                    "this massager can only step one way", code="not_supported", status=400
                )
            for _ in range(abs(levels.position(level) - levels.position(current))):
                await self._call(button or "", "press")
            self._commanded.level = level
            return
        await self._call(
            self._power, "set_percentage", percentage=round(100 * level / levels.levels)
        )

    async def _power_on(self) -> None:
        if self._power_is_button:
            await self._call(self._power, "press")
            self._commanded.on = True
        else:
            await self._call(self._power, "turn_on")
            await self._wait_until_on()

    async def _wait_until_on(self) -> None:
        """Some integrations write the new state a moment after their action returns."""
        if self._is_on():
            return
        turned_on = asyncio.Event()

        @callback
        def changed(_event: Event[EventStateChangedData]) -> None:
            if self._is_on():
                turned_on.set()

        remove = async_track_state_change_event(self._hass, [self._power], changed)
        try:
            async with asyncio.timeout(POWER_ON_TIMEOUT_S):
                await turned_on.wait()
        except TimeoutError as err:
            raise MassagerResponseError(f"{self._power} did not turn on") from err
        finally:
            remove()

    async def _call(self, entity_id: str, service: str, **data: Any) -> None:
        """Call the source's own action; its refusal becomes the library's typed error."""
        try:
            await self._hass.services.async_call(
                _domain(entity_id), service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
            )
        except (HomeAssistantError, ValueError) as err:
            raise MassagerResponseError(f"{entity_id} refused {service}: {err}") from err


class _EntitiesSubscription(ReportingSubscription):
    """Pushes a state whenever a source entity changes; reports the power entity's availability.

    Connected while the power entity is available.
    """

    def __init__(
        self,
        massager: EntitiesMassager,
        on_state: StateCallback,
        on_connection: ConnectionCallback | None,
    ) -> None:
        super().__init__(on_connection)
        self._massager = massager
        self._on_state = on_state

    async def run(self) -> None:
        """Listen until cancelled."""
        massager = self._massager

        @callback
        def changed(_event: Event[EventStateChangedData]) -> None:
            available = massager.available()
            self._set_connected(available)
            if available:
                self._on_state(massager._read())  # noqa: SLF001  # the transport's own reader
            if massager.heat_left_on:
                massager._hass.async_create_task(  # noqa: SLF001
                    _quietly(massager.heat_off()), "smart_massager heat off"
                )

        self._connected = massager.available()
        remove = async_track_state_change_event(
            massager._hass,  # noqa: SLF001
            massager.source_entities(),
            changed,
        )
        try:
            await asyncio.Event().wait()  # until cancelled with the entry
        finally:
            remove()


async def _quietly(command: Coroutine[Any, Any, None]) -> None:
    """Run a follow-up command whose failure is logged, not raised (no caller to tell)."""
    try:
        await command
    except MassagerResponseError as err:
        LOGGER.warning("Could not switch heat off: %s", err)
