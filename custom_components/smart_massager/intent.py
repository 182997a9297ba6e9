"""Voice intents: start a program, run a routine, gentler/firmer, heat, pause/resume/stop, status.

Input is checked against the device's capabilities before anything is sent; a refusal is an error
response whose speech says what is allowed (returned, not raised: Assist would log a traceback for
a raised IntentHandleError and say something generic). The same handlers serve Assist's
sentences and LLM agents (llm.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import probatio as vol
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, TemplateError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import intent, template
from homeassistant.util import dt as dt_util

from pysmartmassager import Massager, SessionSettings, SessionState, Status
from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text

from .const import DOMAIN, LOGGER
from .coordinator import MassagerConfigEntry
from .languages import language_of
from .routine_catalogue import BUILTIN_ROUTINES
from .routine_plan import routine_settings
from .session_time import remaining_minutes
from .speech import (
    SpokenRefusal,
    join_choices,
    program_name,
    routine_name,
    say,
    spoken_failure,
    zone_name,
)
from .validation import check_settings, intensity_levels

INTENT_START_PROGRAM = "SmartMassagerStartProgram"
INTENT_RUN_ROUTINE = "SmartMassagerRunRoutine"
INTENT_GENTLER = "SmartMassagerGentler"
INTENT_FIRMER = "SmartMassagerFirmer"
INTENT_HEAT = "SmartMassagerHeat"
INTENT_PAUSE = "SmartMassagerPause"
INTENT_RESUME = "SmartMassagerResume"
INTENT_STOP = "SmartMassagerStop"
INTENT_TIME_LEFT = "SmartMassagerTimeLeft"
INTENT_WHAT_PROGRAM = "SmartMassagerWhatProgram"
INTENT_SET_INTENSITY = "SmartMassagerSetIntensity"
INTENT_STATUS = "SmartMassagerStatus"

_TARGET_SLOTS = {vol.Optional("name"): cv.string, vol.Optional("area"): cv.string}


@dataclass(frozen=True, slots=True)
class VoiceRequest:
    """One voice request: the massager it means, its language and its slot values."""

    entry: MassagerConfigEntry
    language: str
    values: dict[str, Any]


class MassagerIntentHandler(intent.IntentHandler):
    """Resolves the massager, runs `respond`, and turns every failure into a spoken answer."""

    extra_slots: dict[Any, Any] = {}  # noqa: RUF012  # class-level table, never mutated

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Name/area plus the intent's own slots."""
        return {**_TARGET_SLOTS, **self.extra_slots}

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Handle the intent for the one massager it means."""
        slots = self.async_validate_slots(intent_obj.slots)
        values = {key: slot["value"] for key, slot in slots.items()}
        language = intent_obj.language
        from .intent_targets import resolve_massager  # noqa: PLC0415  # avoids an import cycle

        response = intent_obj.create_response()
        try:
            entry = resolve_massager(
                intent_obj.hass,
                language,
                values.get("name"),
                values.get("area"),
                device_id=intent_obj.device_id,
            )
            speech = await self.respond(VoiceRequest(entry, language, values))
        except (SpokenRefusal, HomeAssistantError) as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, spoken_failure(language, err)
            )
            return response
        response.async_set_speech(speech)
        return response

    async def respond(self, request: VoiceRequest) -> str:
        """Do the thing; return what to say."""
        raise NotImplementedError


def _names(entry: MassagerConfigEntry) -> tuple[dict[str, str], dict[str, str]]:
    """Programs and zones as id -> display name, the names cleaned (they come from the device)."""
    caps = entry.runtime_data.info.capabilities
    zones = {choice.id: clean_text(choice.name, MAX_NAME_LENGTH) for choice in caps.zones}
    zones.update({zone.id: clean_text(zone.name, MAX_NAME_LENGTH) for zone in caps.level_zones})
    return (
        {choice.id: clean_text(choice.name, MAX_NAME_LENGTH) for choice in caps.programs},
        zones,
    )


def _find(language: str, value: str, names: dict[str, str], spoken: Any, refusal: str) -> str:
    """An id from an id or a spoken name; else a spoken refusal naming the choices."""
    wanted = value.casefold().replace("-", " ").replace("_", " ").strip()
    for choice_id, display in names.items():
        said = {choice_id, display, spoken(language, choice_id, names)}
        if wanted in {name.casefold().replace("-", " ").replace("_", " ") for name in said}:
            return choice_id
    allowed = join_choices(language, [spoken(language, choice, names) for choice in names])
    raise SpokenRefusal(say(language, refusal, value=value, allowed=allowed))


class StartProgramHandler(MassagerIntentHandler):
    """'start palm circles on my lower back for 10 minutes at intensity 7'."""

    intent_type = INTENT_START_PROGRAM
    description = (
        "Starts a massage program on a massager, optionally on a zone (shoulders, upper back,"
        " lower back, full back), for a number of minutes and at an intensity level."
    )
    extra_slots = {  # noqa: RUF012
        # `program` comes from the device's list; `program_name` is the wildcard fallback that lets
        # an unknown name reach the handler, which then says which programs exist.
        vol.Optional("program"): cv.string,
        vol.Optional("program_name"): cv.string,
        vol.Optional("zone"): cv.string,
        vol.Optional("minutes"): vol.Coerce(int),
        vol.Optional("intensity"): vol.Coerce(int),
    }

    async def respond(self, request: VoiceRequest) -> str:
        """Start the session after checking every value."""
        entry, language, values = request.entry, request.language, request.values
        runtime = entry.runtime_data
        caps = runtime.info.capabilities
        programs, zones = _names(entry)
        spoken_program = values.get("program") or values.get("program_name") or ""
        if spoken_program.casefold() in language_of(language).not_a_program:
            spoken_program = ""  # "start a massage": an article, not a program
        # No program said: the massager's own (what it ran last, or its first).
        program = (
            _find(language, spoken_program, programs, program_name, "unknown_program")
            if spoken_program
            else None
        )
        zone = values.get("zone")
        if zone is not None:
            zone = _find(language, zone, zones, zone_name, "unknown_zone")
        settings = check_settings(
            caps,
            program=program,
            zone=zone,
            intensity=values.get("intensity"),
            minutes=values.get("minutes"),
        )
        if runtime.busy:
            raise SpokenRefusal(say(language, "session_active"))
        state = await runtime.coordinator.async_command(
            lambda massager: massager.start_session(settings)
        )
        return say(
            language,
            "started",
            program=program_name(language, state.program, programs),
            zone=zone_name(language, state.zone or zone or "", zones),
            minutes=state.minutes,
            intensity=state.intensity,
        )


class SetIntensityHandler(MassagerIntentHandler):
    """'set the massage intensity to 8'."""

    intent_type = INTENT_SET_INTENSITY
    description = "Sets the massage intensity to a level within the massager's range."
    extra_slots = {vol.Required("intensity"): vol.Coerce(int)}  # noqa: RUF012

    async def respond(self, request: VoiceRequest) -> str:
        """Check the level, then set it."""
        entry, language, values = request.entry, request.language, request.values
        runtime = entry.runtime_data
        caps = runtime.info.capabilities
        settings = check_settings(caps, intensity=values["intensity"])
        levels = intensity_levels(caps)
        state = await runtime.coordinator.async_command(
            lambda massager: massager.change_settings(settings)
        )
        return say(language, "intensity_set", intensity=state.intensity, max=levels.maximum)


class RunRoutineHandler(MassagerIntentHandler):
    """'start the evening back-pain routine'."""

    intent_type = INTENT_RUN_ROUTINE
    description = (
        "Runs a built-in massage routine: evening_back_pain_relief (15 min, lower back),"
        " quick_shoulder_release (8 min) or lower_back_recovery (12 min, after exercise);"
        " longer on a massager whose shortest session is longer than a step."
    )
    extra_slots = {vol.Required("routine"): vol.In(list(BUILTIN_ROUTINES))}  # noqa: RUF012

    async def respond(self, request: VoiceRequest) -> str:
        """Check and start the routine."""
        entry, language, values = request.entry, request.language, request.values
        runtime = entry.runtime_data
        if runtime.busy:
            raise SpokenRefusal(say(language, "session_active"))
        routine = BUILTIN_ROUTINES[values["routine"]]
        steps = routine_settings(runtime.info.capabilities, routine)
        runtime.routines.async_start(routine, steps)
        return say(
            language,
            "routine_started",
            routine=routine_name(language, routine.id),
            steps=len(steps),
            # As it runs on this massager: built-in steps take the device's session lengths.
            minutes=sum(step.minutes or 0 for step in steps),
        )


class IntensityStepHandler(MassagerIntentHandler):
    """'make the massage gentler', 'a bit firmer', 'massage softer by two'."""

    direction = -1
    extra_slots = {  # noqa: RUF012
        vol.Optional("levels"): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional("zone"): cv.string,  # a level zone: "make the foot massage stronger"
    }

    async def respond(self, request: VoiceRequest) -> str:
        """Move the intensity (of all zones, or of the zone said) by N levels within range."""
        entry, language, values = request.entry, request.language, request.values
        runtime = entry.runtime_data
        caps = runtime.info.capabilities
        levels = caps.intensity
        state = runtime.coordinator.data
        current = state.intensity
        zone = None
        if "zone" in values:
            _programs, zones = _names(entry)
            zone = caps.level_zone(
                _find(language, values["zone"], zones, zone_name, "unknown_zone")
            )
            if zone is None:
                raise SpokenRefusal(say(language, "no_zone_levels"))
            zone_current = state.zone_levels.get(zone.id)
            if zone_current is None:
                raise SpokenRefusal(
                    say(language, "zone_level_unknown", zone=zone_name(language, zone.id, zones))
                )
            levels, current = zone.levels, zone_current
        if levels is None:
            levels = intensity_levels(caps)  # refused: a device without levels
        target = levels.moved(current, self.direction * values.get("levels", 1))
        gentle = self.direction < 0
        if target == current:
            return say(
                language, "at_limit_gentle" if gentle else "at_limit_firm", intensity=current
            )
        settings = (
            SessionSettings(intensity=target)
            if zone is None
            else SessionSettings(zone_levels={zone.id: target})
        )
        state = await runtime.coordinator.async_command(
            lambda massager: massager.change_settings(settings)
        )
        reached = state.intensity if zone is None else state.zone_levels.get(zone.id)
        if reached is None:  # the device did not say the zone's level back (yet)
            reached = target
        return say(
            language,
            "gentler" if gentle else "firmer",
            intensity=reached,
            max=levels.maximum,
        )


class GentlerHandler(IntensityStepHandler):
    """Lower the intensity."""

    intent_type = INTENT_GENTLER
    description = "Makes the massage gentler (lower intensity) by one level, or by `levels`."
    direction = -1


class FirmerHandler(IntensityStepHandler):
    """Raise the intensity."""

    intent_type = INTENT_FIRMER
    description = "Makes the massage firmer (higher intensity) by one level, or by `levels`."
    direction = 1


class HeatHandler(MassagerIntentHandler):
    """'turn the massage heat on'."""

    intent_type = INTENT_HEAT
    description = "Turns the massager's heat on or off (massagers with a heater)."
    extra_slots = {vol.Required("heat_state"): vol.In(["on", "off"])}  # noqa: RUF012

    async def respond(self, request: VoiceRequest) -> str:
        """Switch the heat."""
        entry, language, values = request.entry, request.language, request.values
        runtime = entry.runtime_data
        settings = check_settings(runtime.info.capabilities, heat=values["heat_state"] == "on")
        state = await runtime.coordinator.async_command(
            lambda massager: massager.change_settings(settings)
        )
        return say(language, "heat_on" if state.heat else "heat_off")


@dataclass(frozen=True, kw_only=True)
class SessionCommand:
    """Pause, resume or stop, as the intent, the command and the answer."""

    intent_type: str
    description: str
    send: Callable[[Massager], Awaitable[SessionState]]
    answer: str
    # The status the command applies to; otherwise "nothing to pause" is the answer. None: any.
    applies_to: Status | None = None
    ends_routine: bool = False


SESSION_COMMANDS = (
    SessionCommand(
        intent_type=INTENT_PAUSE,
        description="Pauses the running massage (it ends by itself if paused too long).",
        send=lambda massager: massager.pause(),
        answer="paused",
        applies_to=Status.RUNNING,
    ),
    SessionCommand(
        intent_type=INTENT_RESUME,
        description="Resumes a paused massage.",
        send=lambda massager: massager.resume(),
        answer="resumed",
        applies_to=Status.PAUSED,
    ),
    SessionCommand(
        intent_type=INTENT_STOP,
        description="Stops the massage and any routine.",
        send=lambda massager: massager.stop(),
        answer="stopped",
        ends_routine=True,
    ),
)


class SessionCommandHandler(MassagerIntentHandler):
    """One of SESSION_COMMANDS."""

    def __init__(self, command: SessionCommand) -> None:
        self.command = command
        self.intent_type = command.intent_type
        self.description = command.description

    async def respond(self, request: VoiceRequest) -> str:
        """Send the command; nothing to pause or resume is a spoken answer, not a failure."""
        command, runtime = self.command, request.entry.runtime_data
        applies_to = command.applies_to
        if applies_to is not None and runtime.coordinator.data.status is not applies_to:
            return say(request.language, "not_running")
        if command.ends_routine:
            await runtime.routines.async_stop()
        await runtime.coordinator.async_command(command.send)
        return say(request.language, command.answer)


class TimeLeftHandler(MassagerIntentHandler):
    """'how long is left on the massage'."""

    intent_type = INTENT_TIME_LEFT
    description = "Tells how many minutes are left in the massage session."
    # "any": a bare "how long is left" that also asks Home Assistant's timers.
    extra_slots = {vol.Optional("scope"): cv.string}  # noqa: RUF012

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """A bare question goes to the running massage, else to Home Assistant's timers."""
        scope = intent_obj.slots.get("scope", {}).get("value")
        if scope == "any" and "name" not in intent_obj.slots:
            running = [
                entry
                for entry in intent_obj.hass.config_entries.async_loaded_entries(DOMAIN)
                if entry.runtime_data.coordinator.data.active
            ]
            if len(running) == 1:  # the one that runs, whichever massager is nearest
                intent_obj.slots["name"] = {"value": running[0].title}
            elif not running:
                try:
                    response = await intent.async_handle(
                        intent_obj.hass,
                        intent_obj.platform,
                        intent.INTENT_TIMER_STATUS,
                        {},
                        text_input=intent_obj.text_input,
                        context=intent_obj.context,
                        language=intent_obj.language,
                        assistant=intent_obj.assistant,
                        device_id=intent_obj.device_id,
                        satellite_id=intent_obj.satellite_id,
                    )
                except intent.UnknownIntent:
                    pass  # no timers here: the massage's own answer ("none is running")
                else:
                    await _speak_timer_status(intent_obj.hass, intent_obj.language, response)
                    return response
        return await super().async_handle(intent_obj)

    async def respond(self, request: VoiceRequest) -> str:
        """Minutes left, rounded up."""
        entry, language = request.entry, request.language
        state = entry.runtime_data.coordinator.data
        if not state.active:
            return say(language, "not_running")
        minutes = remaining_minutes(state, dt_util.utcnow())
        key = "time_left_paused" if state.status is Status.PAUSED else "time_left"
        return say(language, key, minutes=max(1, minutes))


async def _speak_timer_status(
    hass: HomeAssistant, language: str, response: intent.IntentResponse
) -> None:
    """Home Assistant's own words for its timers' status.

    The conversation agent renders an intent's speech from its language's response template
    only for the intent it matched (this one): a handed-over answer would be silent. The
    template is Home Assistant's, from the intents package its conversation agent uses.
    """
    if response.speech:
        return
    # A file of some hundred kilobytes: read in the executor, once per language.
    source = await hass.async_add_executor_job(_timer_status_template, language.partition("-")[0])
    if source is None:
        return
    try:
        speech = template.Template(source, hass).async_render({"slots": response.speech_slots})
    except TemplateError as err:
        LOGGER.debug("Home Assistant's timer answer did not render: %s", err)
        return
    response.async_set_speech(" ".join(str(speech).split()))


@cache
def _timer_status_template(language: str) -> str | None:
    """The intents package's answer template for HassTimerStatus in `language`, if any."""
    try:
        from home_assistant_intents import get_intents  # noqa: PLC0415  # conversation's own
    except ImportError:
        return None
    intents = get_intents(language) or {}
    responses = intents.get("responses", {}).get("intents", {})
    source = responses.get(intent.INTENT_TIMER_STATUS, {}).get("default")
    return source if isinstance(source, str) else None


class WhatProgramHandler(MassagerIntentHandler):
    """'what program is the massager running'."""

    intent_type = INTENT_WHAT_PROGRAM
    description = "Tells which program, zone and intensity the massage is running."

    async def respond(self, request: VoiceRequest) -> str:
        """Program, zone and intensity."""
        entry, language = request.entry, request.language
        state = entry.runtime_data.coordinator.data
        if not state.active:
            return say(language, "not_running")
        programs, zones = _names(entry)
        return say(
            language,
            "program_running",
            program=program_name(language, state.program, programs),
            zone=zone_name(language, state.zone, zones),
            intensity=state.intensity,
        )


class StatusHandler(MassagerIntentHandler):
    """'is the massager running', 'what's the massager doing'."""

    intent_type = INTENT_STATUS
    description = (
        "Tells whether the massage is running, paused or off, and what it is doing; `activity`"
        " (running, off, paused) makes it a yes/no question."
    )
    extra_slots = {vol.Optional("activity"): vol.In(["running", "off", "paused"])}  # noqa: RUF012

    async def respond(self, request: VoiceRequest) -> str:
        """Yes or no when asked about one state, then what it is doing."""
        entry, language = request.entry, request.language
        state = entry.runtime_data.coordinator.data
        programs, zones = _names(entry)
        now = {Status.RUNNING: "running", Status.PAUSED: "paused"}.get(state.status, "off")
        if now == "running":
            summary = say(
                language,
                "status_running",
                program=program_name(language, state.program, programs),
                zone=zone_name(language, state.zone, zones),
                intensity=state.intensity,
                minutes=max(1, remaining_minutes(state, dt_util.utcnow())),
            )
        elif now == "paused":
            minutes = max(1, remaining_minutes(state, dt_util.utcnow()))
            summary = say(language, "time_left_paused", minutes=minutes)
        else:
            summary = say(language, "not_running")
        asked = request.values.get("activity")
        if asked is None:
            return summary
        return say(language, "yes" if asked == now else "no", summary=summary)


HANDLERS: tuple[MassagerIntentHandler, ...] = (
    StartProgramHandler(),
    SetIntensityHandler(),
    StatusHandler(),
    RunRoutineHandler(),
    GentlerHandler(),
    FirmerHandler(),
    HeatHandler(),
    *(SessionCommandHandler(command) for command in SESSION_COMMANDS),
    TimeLeftHandler(),
    WhatProgramHandler(),
)


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents (Home Assistant calls this for the integration's intent platform)."""
    for handler in HANDLERS:
        intent.async_register(hass, handler)
