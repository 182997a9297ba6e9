"""Home Assistant as the session timer, for massagers that cannot end a session by themselves.

The end time of each session is kept in a Store, so it survives a restart. At the end Home
Assistant sends stop (the transport's stop also turns heat off). After a restart, a session found
past its end is stopped at once and one before its end is re-armed; nothing is ever started. A
stop is retried until confirmed; when the device cannot be reached a repair issue says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from pysmartmassager import SessionSettings, SessionState, Status

from .const import DOMAIN, LOGGER, TIMER_STOP_ATTEMPTS, TIMER_STOP_RETRY_S
from .coordinator import MassagerCoordinator

STORAGE_VERSION = 1


class SessionTimer:
    """Ends the sessions of one massager that has no timer of its own."""

    def __init__(self, hass: HomeAssistant, coordinator: MassagerCoordinator) -> None:
        self._hass = hass
        self._coordinator = coordinator
        entry_id = coordinator.config_entry.entry_id
        self._store: Store[dict[str, str]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.session_timer.{entry_id}"
        )
        self.ends_at: datetime | None = None
        # The running session's length, kept with its end: a transport that cannot read it back
        # from the device (MIoT, a Tuya device without a minutes datapoint) forgets it at restart.
        self.minutes = 0
        self._cancel_end: CALLBACK_TYPE | None = None
        self._stopping = False
        self._ended_by_timer = False
        self._heat_task: asyncio.Task[None] | None = None

    @property
    def issue_id(self) -> str:
        """The repair issue raised when a session could not be stopped."""
        return f"timer_stop_failed_{self._coordinator.config_entry.entry_id}"

    async def async_load(self) -> None:
        """Read the end time kept before a restart (before the first state is taken)."""
        stored = await self._store.async_load()
        if stored and (ends := dt_util.parse_datetime(stored.get("ends_at", ""))) is not None:
            self.ends_at = ends
            minutes = str(stored.get("minutes", ""))
            self.minutes = int(minutes) if minutes.isdigit() else 0

    @callback
    def observe(self, state: SessionState) -> SessionState:
        """Track the device's session; the state with Home Assistant's end time in it."""
        if not state.active:
            if self.ends_at is not None and not self._stopping:
                self._clear()
                if state.heat:
                    # The session this timer kept ended without it (on the device, or while
                    # Home Assistant was down) and left the heat on: the heat goes off. Not a
                    # stop by this timer: the session is not reported as finished by it.
                    self._heat_off()
            if self._ended_by_timer and state.status is Status.IDLE:
                # Stopped by this timer: the session finished, as a device timer would say.
                return replace(state, status=Status.FINISHED)
            return state
        self._ended_by_timer = False
        if self.ends_at is None:
            # A session Home Assistant did not see start (a press on the device, or one that
            # was running before the timer knew): it gets its length from now.
            minutes = state.minutes or self._coordinator.info.capabilities.default_minutes
            self.ends_at = dt_util.utcnow() + timedelta(minutes=minutes)
            self.minutes = minutes
            self._hass.async_create_task(self._save())
        self._arm()
        if self.minutes:
            state = replace(state, minutes=self.minutes)
        if state.status is Status.PAUSED:
            return state
        return replace(state, ends_at=self.ends_at)

    def _arm(self) -> None:
        if self._cancel_end is not None or self._stopping or self.ends_at is None:
            return
        if self.ends_at <= dt_util.utcnow():
            self._end()
            return
        self._cancel_end = async_track_point_in_utc_time(self._hass, self._at_end, self.ends_at)

    @callback
    def _at_end(self, _now: datetime) -> None:
        self._cancel_end = None
        self._end()

    @callback
    def _end(self) -> None:
        # A task of the entry, not a background task: an unload waits for a stop under way
        # (up to 10 s) instead of cancelling it.
        if self._stopping:
            return
        self._stopping = True
        self._coordinator.config_entry.async_create_task(
            self._hass, self._stop_until_confirmed(), f"{DOMAIN} timer stop"
        )

    async def _stop_until_confirmed(self) -> None:
        name = self._coordinator.info.name
        delay = TIMER_STOP_RETRY_S
        try:
            for attempt in range(1, TIMER_STOP_ATTEMPTS + 1):
                self._ended_by_timer = True
                try:
                    state = await self._coordinator.async_command(lambda massager: massager.stop())
                except HomeAssistantError as err:
                    LOGGER.warning(
                        "Could not end the session on %s (try %s): %s", name, attempt, err
                    )
                else:
                    if not state.active:
                        LOGGER.info("Session on %s ended by Home Assistant's timer", name)
                        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
                        self._clear()
                        return
                await asyncio.sleep(delay)
                delay *= 2
            self._ended_by_timer = False
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                self.issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="timer_stop_failed",
                translation_placeholders={"name": name},
            )
        finally:
            self._stopping = False

    @callback
    def _heat_off(self) -> None:
        if self._heat_task is not None and not self._heat_task.done():
            return
        self._heat_task = self._coordinator.config_entry.async_create_task(
            self._hass, self._switch_heat_off(), f"{DOMAIN} timer heat off"
        )

    async def _switch_heat_off(self) -> None:
        coordinator = self._coordinator
        try:
            # Read again first: only a massager still idle with heat on has it switched off; a
            # session started meanwhile keeps the heat it was started with.
            state = await coordinator.async_command(lambda massager: massager.get_state())
            if state.active or not state.heat:
                return
            await coordinator.async_command(
                lambda massager: massager.change_settings(SessionSettings(heat=False))
            )
        except HomeAssistantError as err:
            LOGGER.warning(
                "Could not switch off the heat %s left on: %s", self._coordinator.info.name, err
            )
        else:
            LOGGER.info(
                "Heat on %s switched off: its session ended with the heat on",
                self._coordinator.info.name,
            )

    def _clear(self) -> None:
        if self._cancel_end is not None:
            self._cancel_end()
            self._cancel_end = None
        if self.ends_at is not None:
            self.ends_at = None
            self.minutes = 0
            self._hass.async_create_task(self._store.async_remove())

    async def _save(self) -> None:
        if self.ends_at is not None:
            await self._store.async_save(
                {"ends_at": self.ends_at.isoformat(), "minutes": str(self.minutes)}
            )

    @callback
    def async_unload(self) -> None:
        """Stop the in-memory timer; the stored end time stays for the next start."""
        if self._cancel_end is not None:
            self._cancel_end()
            self._cancel_end = None
