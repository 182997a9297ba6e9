"""Actions: start_session, stop_session, adjust, run_routine, stop_routine.

Every action checks its input against each targeted massager's capabilities before anything is
sent; a refusal names what is allowed and leaves the device unchanged.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_extract_config_entry_ids

from pysmartmassager import LevelZone, SessionSettings

from .const import (
    CONF_DEFAULT_INTENSITY,
    CONF_DEFAULT_MINUTES,
    DOMAIN,
    LOGGER,
)
from .coordinator import Command, MassagerConfigEntry, change_command, start_command
from .routine_catalogue import (
    BUILTIN_ROUTINES,
    CUSTOM_ROUTINE,
    Routine,
    RoutineStep,
)
from .routine_plan import routine_settings
from .validation import (
    check_level,
    check_settings,
    intensity_levels,
    refusal,
)

SERVICE_START_SESSION = "start_session"
SERVICE_STOP_SESSION = "stop_session"
SERVICE_ADJUST = "adjust"
SERVICE_RUN_ROUTINE = "run_routine"
SERVICE_STOP_ROUTINE = "stop_routine"

ATTR_PROGRAM = "program"
ATTR_ZONE = "zone"
ATTR_INTENSITY = "intensity"
ATTR_MINUTES = "minutes"
ATTR_HEAT = "heat"
ATTR_GENTLER = "gentler"
ATTR_FIRMER = "firmer"
ATTR_ROUTINE = "routine"
ATTR_STEPS = "steps"
ATTR_INTENSITY_OFFSET = "intensity_offset"

_SETTINGS_FIELDS = {
    vol.Optional(ATTR_PROGRAM): cv.string,
    vol.Optional(ATTR_ZONE): cv.string,
    vol.Optional(ATTR_INTENSITY): vol.Coerce(int),
    vol.Optional(ATTR_HEAT): cv.boolean,
}
TARGET_SCHEMA = vol.Schema(cv.TARGET_SERVICE_FIELDS)
START_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        **_SETTINGS_FIELDS,
        vol.Optional(ATTR_MINUTES): vol.Coerce(int),
    }
)
ADJUST_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        **_SETTINGS_FIELDS,
        vol.Optional(ATTR_GENTLER): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional(ATTR_FIRMER): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)
STEP_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_PROGRAM): cv.string,
        vol.Required(ATTR_MINUTES): vol.Coerce(int),
        vol.Optional(ATTR_ZONE): cv.string,
        vol.Optional(ATTR_INTENSITY): vol.Coerce(int),
    }
)
RUN_ROUTINE_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        vol.Optional(ATTR_ROUTINE): cv.string,
        vol.Optional(ATTR_STEPS): vol.All(cv.ensure_list, [STEP_SCHEMA]),
        vol.Optional(ATTR_ZONE): cv.string,
        vol.Optional(ATTR_INTENSITY_OFFSET): vol.Coerce(int),
        vol.Optional(ATTR_HEAT): cv.boolean,
    }
)


async def _target_entries(call: ServiceCall) -> tuple[list[MassagerConfigEntry], list[str]]:
    """The call's massager entries: (loaded ones, titles of those not loaded)."""
    loaded: list[MassagerConfigEntry] = []
    not_loaded: list[str] = []
    for entry_id in sorted(await async_extract_config_entry_ids(call)):
        entry = call.hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if entry.state is ConfigEntryState.LOADED:
            loaded.append(entry)
        else:
            not_loaded.append(entry.title)
    if not loaded and not not_loaded:
        raise refusal("not_a_massager")
    return loaded, not_loaded


async def _targets(call: ServiceCall) -> list[MassagerConfigEntry]:
    """The loaded massagers the call targets; refused whole if one of them is not loaded."""
    loaded, not_loaded = await _target_entries(call)
    if not_loaded:
        raise refusal("massager_not_loaded", name=not_loaded[0])
    return loaded


def _refuse_if_active(entry: MassagerConfigEntry) -> None:
    if entry.runtime_data.busy:
        raise refusal("session_active", name=entry.title)


def _start_settings(entry: MassagerConfigEntry, data: dict[str, Any]) -> SessionSettings:
    """The call's settings, falling back to the entry's options (then the device's current)."""
    caps = entry.runtime_data.info.capabilities
    return check_settings(
        caps,
        program=data.get(ATTR_PROGRAM),
        zone=data.get(ATTR_ZONE),
        intensity=data.get(ATTR_INTENSITY, entry.options.get(CONF_DEFAULT_INTENSITY)),
        minutes=data.get(ATTR_MINUTES, entry.options.get(CONF_DEFAULT_MINUTES)),
        heat=data.get(ATTR_HEAT),
    )


def _adjust_settings(entry: MassagerConfigEntry, data: dict[str, Any]) -> SessionSettings:
    """Absolute or relative (gentler/firmer, clamped to the device's range) changes."""
    caps = entry.runtime_data.info.capabilities
    relative = [key for key in (ATTR_INTENSITY, ATTR_GENTLER, ATTR_FIRMER) if key in data]
    if len(relative) > 1:
        raise refusal("adjust_one_intensity")
    intensity: int | None = data.get(ATTR_INTENSITY)
    zone = data.get(ATTR_ZONE)
    if zone is not None and (level_zone := caps.level_zone(zone)) is not None and relative:
        # "make the foot massage stronger": that zone's level only, the others keep theirs.
        return replace(
            check_settings(caps, program=data.get(ATTR_PROGRAM), heat=data.get(ATTR_HEAT)),
            zone_levels={zone: zone_target(level_zone, entry, data)},
        )
    current = entry.runtime_data.coordinator.data.intensity
    if ATTR_GENTLER in data:
        levels = intensity_levels(caps)
        intensity = levels.moved(current, -data[ATTR_GENTLER])
    elif ATTR_FIRMER in data:
        levels = intensity_levels(caps)
        intensity = levels.moved(current, data[ATTR_FIRMER])
    settings = check_settings(
        caps,
        program=data.get(ATTR_PROGRAM),
        zone=data.get(ATTR_ZONE),
        intensity=intensity,
        heat=data.get(ATTR_HEAT),
    )
    if settings.empty:
        raise refusal("nothing_to_adjust")
    return settings


def zone_target(level_zone: LevelZone, entry: MassagerConfigEntry, data: dict[str, Any]) -> int:
    """The level an adjust call asks of one level zone: absolute, or moved from its level now."""
    levels = level_zone.levels
    if ATTR_INTENSITY in data:
        return check_level(levels, data[ATTR_INTENSITY])
    current = entry.runtime_data.coordinator.data.zone_levels.get(level_zone.id)
    if current is None:
        raise refusal("zone_level_unknown", zone=level_zone.name)
    steps = data[ATTR_FIRMER] if ATTR_FIRMER in data else -data[ATTR_GENTLER]
    return levels.moved(current, steps)


def routine_for_call(data: dict[str, Any]) -> Routine:
    """The built-in routine named in the call, or the call's own steps as a routine."""
    if (ATTR_ROUTINE in data) == (ATTR_STEPS in data):
        raise refusal("routine_or_steps", allowed=", ".join(BUILTIN_ROUTINES))
    if ATTR_ROUTINE in data:
        if (routine := BUILTIN_ROUTINES.get(data[ATTR_ROUTINE])) is None:
            raise refusal(
                "invalid_routine", value=data[ATTR_ROUTINE], allowed=", ".join(BUILTIN_ROUTINES)
            )
        return routine
    if not data[ATTR_STEPS]:
        raise refusal("empty_steps")
    steps = tuple(
        RoutineStep(
            program=step[ATTR_PROGRAM],
            minutes=step[ATTR_MINUTES],
            zone=step.get(ATTR_ZONE),
            intensity=step.get(ATTR_INTENSITY),
        )
        for step in data[ATTR_STEPS]
    )
    return Routine(id=CUSTOM_ROUTINE, steps=steps)


async def _start_session(call: ServiceCall) -> None:
    entries = await _targets(call)
    plans = []
    for entry in entries:
        _refuse_if_active(entry)
        plans.append((entry, _start_settings(entry, call.data)))
    for entry, settings in plans:
        await _send(entry, start_command(settings))


async def _stop_session(call: ServiceCall) -> None:
    """Stop every reachable target, all at once; then name the ones that could not be stopped.

    A safety stop (the safety_stop blueprint targets several massagers) must not give up on the
    others because one is unloaded or unreachable.
    """
    loaded, failed = await _target_entries(call)

    async def stop(entry: MassagerConfigEntry) -> None:
        await entry.runtime_data.routines.async_stop()
        await _send(entry, lambda massager: massager.stop())

    results = await asyncio.gather(*(stop(entry) for entry in loaded), return_exceptions=True)
    for entry, result in zip(loaded, results, strict=True):
        if isinstance(result, BaseException):
            LOGGER.warning("Could not stop %s: %s", entry.title, result)
            failed.append(entry.title)
    if failed:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="stop_failed",
            translation_placeholders={"names": ", ".join(failed)},
        )


async def _adjust(call: ServiceCall) -> None:
    entries = await _targets(call)
    plans = [(entry, _adjust_settings(entry, call.data)) for entry in entries]
    for entry, settings in plans:
        await _send(entry, change_command(settings))


async def _run_routine(call: ServiceCall) -> None:
    routine = routine_for_call(call.data)
    entries = await _targets(call)
    plans = []
    for entry in entries:
        _refuse_if_active(entry)
        steps = routine_settings(
            entry.runtime_data.info.capabilities,
            routine,
            zone=call.data.get(ATTR_ZONE),
            intensity_offset=call.data.get(ATTR_INTENSITY_OFFSET, 0),
            heat=call.data.get(ATTR_HEAT, False),
        )
        plans.append((entry, steps))
    for entry, steps in plans:
        entry.runtime_data.routines.async_start(routine, steps)


async def _stop_routine(call: ServiceCall) -> None:
    for entry in await _targets(call):
        # The routine and the step it started; a session started by hand is left alone.
        if await entry.runtime_data.routines.async_stop():
            await _send(entry, lambda massager: massager.stop())


async def _send(entry: MassagerConfigEntry, command: Command) -> None:
    await entry.runtime_data.coordinator.async_command(command)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup)."""
    for name, handler, schema in (
        (SERVICE_START_SESSION, _start_session, START_SCHEMA),
        (SERVICE_STOP_SESSION, _stop_session, TARGET_SCHEMA),
        (SERVICE_ADJUST, _adjust, ADJUST_SCHEMA),
        (SERVICE_RUN_ROUTINE, _run_routine, RUN_ROUTINE_SCHEMA),
        (SERVICE_STOP_ROUTINE, _stop_routine, TARGET_SCHEMA),
    ):
        hass.services.async_register(DOMAIN, name, handler, schema=schema)
