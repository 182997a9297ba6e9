"""The routine engine: runs a routine's steps in order on one massager.

Each step is an ordinary session, so the session's timer (the device's own, or Home Assistant's
persisted one for devices without) ends every step even if the routine stops: nothing runs away.
The engine starts the next step when the device reports the previous one finished, and ends the
routine (and says why) when anything else happens: the user stops the massager or starts
something else, the device reboots, errs or goes unavailable. It never resumes a massage by
itself later.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from pysmartmassager import SessionSettings, SessionState, Status

from .const import DOMAIN, LOGGER
from .coordinator import MassagerConfigEntry, MassagerCoordinator, start_command
from .routine_catalogue import Routine

EVENT_ROUTINE_ENDED = f"{DOMAIN}_routine_ended"


class RoutineOutcome(StrEnum):
    """How a routine ended."""

    COMPLETED = "completed"
    STOPPED = "stopped"  # the user stopped the massager or the routine
    INTERRUPTED = "interrupted"  # something else was started or the program changed
    DEVICE_UNAVAILABLE = "device_unavailable"  # unreachable or rebooted mid-step
    DEVICE_ERROR = "device_error"
    FAILED = "failed"  # a step could not be started


@dataclass(frozen=True, slots=True)
class RoutineProgress:
    """What the Routine sensor shows while a routine runs."""

    routine: str
    step: int  # 1-based
    steps_total: int
    program: str
    zone: str
    ends_at: datetime | None
    # The step after this one (None on the last): what the massage card says runs next.
    next_program: str | None = None
    next_zone: str | None = None


class RoutineRunner:
    """Runs at most one routine at a time on the entry's massager."""

    def __init__(
        self, hass: HomeAssistant, entry: MassagerConfigEntry, coordinator: MassagerCoordinator
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._listeners: list[CALLBACK_TYPE] = []
        self.progress: RoutineProgress | None = None
        self.last_outcome: RoutineOutcome | None = None
        self._routine_id = ""
        self._steps_done = 0
        # The user's settings from before the routine, put back once it is over and the
        # massager idle (else the next tap on Massage starts the last step's 2 minutes again).
        self._restore: SessionSettings | None = None
        self._underway = False
        self._remove_restore: CALLBACK_TYPE | None = None

    @property
    def running(self) -> bool:
        """True while a routine runs."""
        return self._task is not None and not self._task.done()

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `listener` when progress changes; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_start(self, routine: Routine, steps: list[SessionSettings]) -> None:
        """Run `steps` (already checked against the device) as `routine`."""
        self._keep_settings()
        self._underway = True  # until _end: the settings are put back only once it is over
        self._task = self._entry.async_create_background_task(
            self._hass, self._run(routine, steps), f"{DOMAIN} routine {routine.id}"
        )

    async def async_stop(self) -> bool:
        """Stop the routine (not the massage); True if one was running."""
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if task.cancelled():  # it had not ended by itself in the meantime
            self._end(self._routine_id, RoutineOutcome.STOPPED, self._steps_done)
        return True

    @callback
    def _keep_settings(self) -> None:
        """Note the settings to put back, on a device that holds its own settings.

        Only there: a massager Home Assistant times starts every session from its default
        length anyway, and setting a bed's level or mode while idle would start its massage.
        Heat is never put back on.
        """
        info, state = self._coordinator.info, self._coordinator.data
        caps = info.capabilities
        if not caps.device_timer or state.active or self._restore is not None:
            return
        self._restore = SessionSettings(
            program=state.program if state.program in caps.program_ids else None,
            zone=state.zone if state.zone in caps.zone_ids else None,
            intensity=state.intensity if state.intensity in (caps.intensity or ()) else None,
            minutes=state.minutes if state.minutes in caps.session_minutes else None,
        )
        if self._remove_restore is None:
            self._remove_restore = self._coordinator.async_add_listener(self._maybe_restore)

    @callback
    def _maybe_restore(self) -> None:
        restore = self._restore
        if restore is None or self._underway or self._coordinator.data.active:
            return
        self._restore = None
        if self._remove_restore is not None:
            self._remove_restore()
            self._remove_restore = None
        state = self._coordinator.data

        def differs[T](wanted: T | None, now: T) -> T | None:
            return wanted if wanted is not None and wanted != now else None

        changed = SessionSettings(
            program=differs(restore.program, state.program),
            zone=differs(restore.zone, state.zone),
            intensity=differs(restore.intensity, state.intensity),
            minutes=differs(restore.minutes, state.minutes),
        )
        if not changed.empty:
            self._entry.async_create_background_task(
                self._hass, self._put_back(changed), f"{DOMAIN} settings after a routine"
            )

    async def _put_back(self, settings: SessionSettings) -> None:
        try:
            await self._coordinator.async_command(
                lambda massager: massager.change_settings(settings)
            )
        except HomeAssistantError as err:
            LOGGER.info("Could not put the settings back after the routine: %s", err)

    async def _run(self, routine: Routine, steps: list[SessionSettings]) -> None:
        self._routine_id, self._steps_done = routine.id, 0
        remove = self._coordinator.async_add_listener(self._changed.set)
        try:
            for index, settings in enumerate(steps):
                try:
                    state = await self._coordinator.async_command(start_command(settings))
                except HomeAssistantError as err:
                    LOGGER.warning(
                        "Routine %s: step %s could not start: %s", routine.id, index + 1, err
                    )
                    self._end(routine.id, RoutineOutcome.FAILED, index)
                    return
                self._set_progress(routine.id, index, steps, state)
                outcome = await self._wait_for_step_end(settings, state)
                if outcome is not None:
                    self._end(routine.id, outcome, index)
                    return
                self._steps_done = index + 1
            self._end(routine.id, RoutineOutcome.COMPLETED, len(steps))
        finally:
            remove()

    async def _wait_for_step_end(
        self, settings: SessionSettings, started: SessionState
    ) -> RoutineOutcome | None:
        """None when the step finished normally, else why the routine must end."""
        while True:
            self._changed.clear()
            coordinator = self._coordinator
            if not coordinator.last_update_success:
                return RoutineOutcome.DEVICE_UNAVAILABLE
            state = coordinator.data
            if state.status is Status.FINISHED:
                return None
            if state.status is Status.IDLE:
                return RoutineOutcome.STOPPED
            if state.status is Status.ERROR:
                return RoutineOutcome.DEVICE_ERROR
            if state.active and state.started_at != started.started_at:
                return RoutineOutcome.INTERRUPTED  # another session replaced this step's
            if any(
                wanted is not None and wanted != actual
                for wanted, actual in (
                    (settings.program, state.program),
                    (settings.zone, state.zone),
                )
            ):
                return RoutineOutcome.INTERRUPTED
            await self._changed.wait()

    @callback
    def _set_progress(
        self, routine: str, index: int, steps: list[SessionSettings], state: SessionState
    ) -> None:
        ends = state.ends_at
        later = steps[index + 1 :]
        following = later[0] if later else None
        self.progress = RoutineProgress(
            routine=routine,
            step=index + 1,
            steps_total=len(steps),
            program=state.program,
            zone=state.zone,
            ends_at=None
            if ends is None
            else ends + timedelta(minutes=sum(step.minutes or 0 for step in later)),
            # A step without a program or zone keeps the one running now (none on a device
            # without programs or zones).
            next_program=None if following is None else following.program or state.program or None,
            next_zone=None if following is None else following.zone or state.zone or None,
        )
        self._notify()

    @callback
    def _end(self, routine: str, outcome: RoutineOutcome, steps_done: int) -> None:
        self.progress = None
        self._underway = False
        self._maybe_restore()  # now, when the device is already idle (else at its next state)
        self.last_outcome = outcome
        # Completed or stopped by the user is the routine doing its job; anything else is a fault.
        expected = outcome in {RoutineOutcome.COMPLETED, RoutineOutcome.STOPPED}
        log = LOGGER.info if expected else LOGGER.warning
        log("Routine %s on %s ended: %s", routine, self._coordinator.info.name, outcome.value)
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, self._coordinator.info.serial), self._entry.entry_id
        )
        self._hass.bus.async_fire(
            EVENT_ROUTINE_ENDED,
            {
                "device_id": device.id if device else None,
                "config_entry_id": self._entry.entry_id,
                "routine": routine,
                "outcome": outcome.value,
                "steps_done": steps_done,
            },
        )
        self._notify()

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
