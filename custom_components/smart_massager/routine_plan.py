"""Fitting a routine to a massager: each step as settings the device accepts, or a refusal.

Used by the routine action and by voice, so both plan (and refuse) a routine alike. Programs the
device lacks use their fallback (routine_catalogue.py); every value is checked by validation.py.
"""

from __future__ import annotations

from dataclasses import replace

from homeassistant.exceptions import ServiceValidationError

from pysmartmassager import Capabilities, SessionSettings

from .const import MAX_ROUTINE_STEPS, ROUTINE_CAP_FACTOR
from .routine_catalogue import BUILTIN_ROUTINES, CUSTOM_ROUTINE, Routine, program_for_device
from .validation import (
    check_heat,
    check_intensity,
    check_minutes,
    check_program,
    check_zone,
    refusal,
    zone_alone,
)


def check_routine_limits(caps: Capabilities, routine: Routine, *, heat: bool) -> None:
    """Refuse a routine longer than the limits; per-step checks alone let 200 steps through."""
    cap = caps.session_minutes.maximum
    if len(routine.steps) > MAX_ROUTINE_STEPS:
        raise refusal("routine_too_many_steps", count=len(routine.steps), max=MAX_ROUTINE_STEPS)
    total_cap = ROUTINE_CAP_FACTOR * cap
    if routine.minutes > total_cap:
        raise refusal("routine_too_long", minutes=routine.minutes, max=total_cap)
    if heat and routine.minutes > cap:
        # Heat on skin is what the device's own cap protects: never more than one cap in total.
        raise refusal("routine_heat_too_long", minutes=routine.minutes, max=cap)


def fitted(caps: Capabilities, routine: Routine) -> Routine:
    """A built-in routine with each step at a length the device's sessions take.

    The one LevelRange.clamp gives: the nearest of a list (10/15/20/30), on a stepped range the
    one at or below it, and never outside the range (a 2-minute step is 5 where 5 is shortest).

    Each step is one device session: a 2-minute warm-up on a massager whose shortest session is
    5 minutes (a bed) or 10 (a Tuya chair's 10/15/20/30) runs for that, or no device but the
    reference one could run a built-in routine at all. The limits are checked on the fitted
    lengths. A user's own steps are not changed: a length the device refuses is their error.
    """
    if routine.id == CUSTOM_ROUTINE:
        return routine
    lengths = caps.session_minutes
    return replace(
        routine,
        steps=tuple(replace(step, minutes=lengths.clamp(step.minutes)) for step in routine.steps),
    )


def routine_settings(
    caps: Capabilities,
    routine: Routine,
    *,
    zone: str | None = None,
    intensity_offset: int = 0,
    heat: bool = False,
) -> list[SessionSettings]:
    """Each step as checked device settings; programs the device lacks use their fallback."""
    routine_zone: str | None = None
    # A level zone asked for (a bed's foot): every step runs on that zone alone.
    level_zone = caps.level_zone(zone) if zone is not None else None
    if caps.zones and level_zone is None:
        routine_zone = zone or (routine.zone if routine.zone in caps.zone_ids else caps.zone_ids[0])
        check_zone(caps, routine_zone)
    # A device without zones massages wherever it sits: a routine's zone (a blueprint's default
    # too) does not apply to it, so it is not a reason to refuse the routine.
    # A routine's heat means "with heat where the massager has it" (the action's own words), so
    # the evening blueprint also runs on a massager without a heater.
    heat = heat and caps.heat
    routine = fitted(caps, routine)
    check_routine_limits(caps, routine, heat=heat)
    levels = caps.intensity
    settings: list[SessionSettings] = []
    for step in routine.steps:
        program: str | None = None
        if caps.programs:  # a device without programs runs every step as its one massage
            program = program_for_device(step.program, caps.program_ids)
            if program is None:
                raise refusal(
                    "routine_program_unsupported",
                    value=step.program,
                    allowed=", ".join(caps.program_ids),
                )
            check_program(caps, program)
        intensity: int | None = None
        if step.intensity is not None:
            intensity = check_intensity(caps, step.intensity)
        elif levels is not None:
            pressure = 0.5 if step.pressure is None else step.pressure
            intensity = levels.clamp(
                round(levels.minimum + pressure * (levels.maximum - levels.minimum))
            )
        if intensity is not None and levels is not None and intensity_offset:
            intensity = levels.moved(intensity, intensity_offset)
        step_settings = SessionSettings(
            program=program,
            zone=None if routine_zone is None else check_zone(caps, step.zone or routine_zone),
            intensity=intensity,
            minutes=check_minutes(caps, step.minutes),
            heat=check_heat(caps, heat),
        )
        if level_zone is not None:
            level = None if intensity is None else level_zone.levels.clamp(intensity)
            step_settings = replace(
                step_settings, intensity=None, zone_levels=zone_alone(caps, level_zone.id, level)
            )
        settings.append(step_settings)
    return settings


def runnable_routines(caps: Capabilities) -> list[str]:
    """The built-in routines this massager can run as they are (a bed's "Mode 1..3" runs none).

    Offered by the massage card; the others would only answer a tap with a refusal.
    """
    runnable: list[str] = []
    for routine_id, routine in BUILTIN_ROUTINES.items():
        try:
            routine_settings(caps, routine)
        except ServiceValidationError:
            continue
        runnable.append(routine_id)
    return runnable
