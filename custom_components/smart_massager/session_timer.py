"""Home Assistant as the session timer, for massagers that cannot end a session by themselves.

The end of each session is a deadline on the event loop's monotonic clock, so a wall clock
stepped back or forward neither stretches nor cuts a session. Its wall-clock end is kept in a
Store for restarts only: after a restart, a session found past its end is stopped at once and
one before its end is re-armed; nothing is ever started. A stop is retried until confirmed;
when the device cannot be reached a repair issue says so, and the stop stays owed: the next
state showing the session still running stops it.

Heat off is owned here (HeatOff) for every massager with a heater: a session this timer saw end
(by the timer, on the device, or while Home Assistant was down) with the heat on, or a heat left
on alone past its cap (heat_alone.py), gets heat off, retried with backoff until the device
reports it off; a repair issue says when it will not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_at, async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from pysmartmassager import Massager, MassagerError, SessionSettings, SessionState, Status

from .const import (
    DOMAIN,
    HEAT_OFF_ATTEMPTS,
    HEAT_OFF_SLOW_RETRY_S,
    LOGGER,
    TIMER_STOP_ATTEMPTS,
    TIMER_STOP_RETRY_S,
)
from .coordinator import MassagerCoordinator
from .repair_issues import raise_issue

STORAGE_VERSION = 1
# A shown end this far from the deadline means the wall clock was stepped: it is moved.
WALL_CLOCK_SLACK = timedelta(seconds=2)


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.session_timer.{entry_id}")


async def async_remove_stored_end(hass: HomeAssistant, entry_id: str) -> None:
    """A removed entry's stored session end goes with it (no file left behind)."""
    await _store(hass, entry_id).async_remove()


def _stored_end(stored: dict[str, Any] | None) -> tuple[datetime, int] | None:
    """The stored wall-clock end and length; None for nothing stored or nothing readable."""
    if not isinstance(stored, dict):
        return None
    ends = dt_util.parse_datetime(str(stored.get("ends_at", "")))
    if ends is None or ends.tzinfo is None:
        return None
    minutes = str(stored.get("minutes", ""))
    return ends, int(minutes) if minutes.isdigit() else 0


async def async_has_stored_end(hass: HomeAssistant, entry_id: str) -> bool:
    """Whether a session this timer keeps is stored for the entry (one it still has to end)."""
    return _stored_end(await _store(hass, entry_id).async_load()) is not None


async def async_stop_owed_session(
    hass: HomeAssistant, entry_id: str, massager: Massager, name: str
) -> None:
    """Stop a session past its stored end although the entry could not be set up.

    Called when set-up fails after the massager was built: whatever else is broken, a session
    this timer kept must not run on because the entry never loaded.
    """
    stored = _stored_end(await _store(hass, entry_id).async_load())
    if stored is None or stored[0] > dt_util.utcnow():
        return
    try:
        state = await massager.stop()
    except MassagerError as err:
        LOGGER.warning("Could not end the session on %s after a failed set-up: %s", name, err)
        return
    LOGGER.warning(
        "%s could not be set up; its session was past its end and %s",
        name,
        "was stopped" if not state.active else "did not stop",
    )


class SessionTimer:
    """Ends the sessions of one massager that has no timer of its own."""

    def __init__(
        self, hass: HomeAssistant, coordinator: MassagerCoordinator, heat_off: HeatOff | None
    ) -> None:
        self._hass = hass
        self._coordinator = coordinator
        self._heat = heat_off  # None for a massager without a heater
        self._store = _store(hass, coordinator.config_entry.entry_id)
        self.ends_at: datetime | None = None  # shown, and kept for restarts
        self._deadline: float | None = None  # the loop's monotonic time that ends the session
        # The running session's length, kept with its end: a transport that cannot read it back
        # from the device (MIoT, a Tuya device without a minutes datapoint) forgets it at restart.
        self.minutes = 0
        self._cancel_end: CALLBACK_TYPE | None = None
        self._stopping = False
        self._ended_by_timer = False
        self._unloaded = False  # the entry is gone: its next start-up owns the stored end

    @property
    def stopping(self) -> bool:
        """Whether a stop of this timer is being tried now."""
        return self._stopping

    @property
    def issue_id(self) -> str:
        """The repair issue raised when a session could not be stopped."""
        return f"timer_stop_failed_{self._coordinator.config_entry.entry_id}"

    async def async_load(self) -> None:
        """Read the end time kept before a restart (before the first state is taken)."""
        if (stored := _stored_end(await self._store.async_load())) is not None:
            self._set_end(stored[0])
            self.minutes = stored[1]

    def _set_end(self, ends_at: datetime) -> None:
        # The only place the wall clock meets the deadline: a new session, or a restart.
        self.ends_at = ends_at
        self._deadline = self._hass.loop.time() + (ends_at - dt_util.utcnow()).total_seconds()

    @callback
    def observe(self, state: SessionState) -> SessionState:
        """Track the device's session; the state with Home Assistant's end time in it."""
        if not state.active:
            return self._observe_inactive(state)
        if not self._stopping:
            # Not while this timer's stop is under way: a source that changes during it (a
            # bed's level sensor after its "off" press) shows the session still on for a moment.
            self._ended_by_timer = False
        if self.ends_at is None:
            # A session Home Assistant did not see start (a press on the device, or one that
            # was running before the timer knew): it gets its length from now.
            minutes = state.minutes or self._coordinator.info.capabilities.default_minutes
            self._set_end(dt_util.utcnow() + timedelta(minutes=minutes))
            self.minutes = minutes
            self._hass.async_create_task(self._save())
        self._follow_wall_clock()
        self._arm()
        if self.minutes:
            state = replace(state, minutes=self.minutes)
        if state.status is Status.PAUSED:
            return state
        return replace(state, ends_at=self.ends_at)

    def _observe_inactive(self, state: SessionState) -> SessionState:
        if self.ends_at is not None and not self._stopping:
            # Ended without this timer (on the device, or while Home Assistant was down), or
            # a stop owed since a failed attempt is now confirmed.
            self._clear()
            ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
            if state.heat and self._heat is not None:
                self._heat.owe(SESSION_ENDED)
        if self._ended_by_timer and state.status is Status.IDLE:
            # Stopped by this timer: the session finished, as a device timer would say.
            return replace(state, status=Status.FINISHED)
        return state

    def _follow_wall_clock(self) -> None:
        """Keep the end shown (and stored) true to the deadline after a wall-clock step."""
        if self._deadline is None or self.ends_at is None:
            return
        left = self._deadline - self._hass.loop.time()
        ends_at = dt_util.utcnow() + timedelta(seconds=left)
        if abs(ends_at - self.ends_at) > WALL_CLOCK_SLACK:
            self.ends_at = ends_at
            self._hass.async_create_task(self._save())

    def _arm(self) -> None:
        if self._cancel_end is not None or self._stopping or self._deadline is None:
            return
        if self._deadline <= self._hass.loop.time():
            self._end()
            return
        self._cancel_end = async_call_at(self._hass, self._at_end, self._deadline)

    @callback
    def _at_end(self, _now: datetime) -> None:
        self._cancel_end = None
        self._end()

    @callback
    def _end(self) -> None:
        # A task of the entry, not a background task: an unload waits for a stop under way
        # (up to 10 s) instead of cancelling it. Not started eagerly: this runs while the
        # coordinator takes a state, and the stop's answer must come after that state.
        if self._stopping or self._unloaded:
            return
        self._stopping = True
        self._coordinator.config_entry.async_create_task(
            self._hass, self._stop_until_confirmed(), f"{DOMAIN} timer stop", eager_start=False
        )

    async def _stop_until_confirmed(self) -> None:
        name = self._coordinator.info.name

        async def stop() -> bool:
            self._ended_by_timer = True
            state = await self._coordinator.async_command(lambda massager: massager.stop())
            if state.active:
                return False
            LOGGER.info("Session on %s ended by Home Assistant's timer", name)
            ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
            self._clear()
            if state.heat and self._heat is not None:  # the stop's own heat-off was not obeyed
                self._heat.owe(SESSION_ENDED)
            return True

        try:
            if await until_confirmed(name, "end the session on", TIMER_STOP_ATTEMPTS, stop):
                return
            if self._unloaded:
                # The tries under way ran to their end (a massager built from entities can
                # still be reached); the entry that is gone raises no notice, and the stored end
                # keeps the stop owed for the next start-up.
                return
            # The stop stays owed: the end is kept, so the next state showing the session
            # still running (the device or its source back) stops it again.
            self._ended_by_timer = False
            self._raise_issue(self.issue_id, "timer_stop_failed")
        finally:
            self._stopping = False

    def _raise_issue(self, issue_id: str, translation_key: str) -> None:
        raise_issue(self._hass, issue_id, translation_key, name=self._coordinator.info.name)

    def _clear(self) -> None:
        if self._cancel_end is not None:
            self._cancel_end()
            self._cancel_end = None
        self._deadline = None
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
        """Stop the in-memory timer; the stored end time stays for the next start.

        A stop under way makes its remaining tries but raises no notice; the stop stays owed
        through the stored end. No new stop is started.
        """
        self._unloaded = True
        if self._cancel_end is not None:
            self._cancel_end()
            self._cancel_end = None


async def until_confirmed(
    name: str, what: str, attempts: int, attempt: Callable[[], Awaitable[bool]]
) -> bool:
    """Try `attempt` until it reports success, waiting longer after each failed try."""
    delay = TIMER_STOP_RETRY_S
    for tried in range(1, attempts + 1):
        try:
            if await attempt():
                return True
        except HomeAssistantError as err:
            LOGGER.warning("Could not %s %s (try %s): %s", what, name, tried, err)
        await asyncio.sleep(delay)
        delay *= 2
    return False


SESSION_ENDED = "its session ended with the heat on"


class HeatOff:
    """Switches one massager's heat off until it reports off; one owner for every reason."""

    def __init__(self, hass: HomeAssistant, coordinator: MassagerCoordinator) -> None:
        self._hass = hass
        self._coordinator = coordinator
        self.owed = False
        self._reason = SESSION_ENDED
        self._running = False
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._unloaded = False

    @property
    def issue_id(self) -> str:
        """The repair issue raised when the heat would not go off."""
        return f"heat_off_failed_{self._coordinator.config_entry.entry_id}"

    @callback
    def owe(self, reason: str) -> None:
        """Heat off is owed from now on (`reason` is logged when it is off)."""
        self.owed = True
        self._reason = reason
        self._start()

    @callback
    def observe(self, state: SessionState) -> None:
        """While owed: a state with the heat on tries again, one with it off settles it."""
        if not self.owed or state.active:
            return
        if state.heat:
            if self._cancel_retry is None:  # after a give-up, only the slow retry
                self._start()
        else:
            self.owed = False
            ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)

    @callback
    def _start(self) -> None:
        if self._running or self._unloaded:
            return
        self._running = True
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
        self._coordinator.config_entry.async_create_task(
            self._hass, self._switch_off(), f"{DOMAIN} heat off", eager_start=False
        )

    async def _switch_off(self) -> None:
        try:
            await self._switch_off_until_confirmed()
        finally:
            self._running = False

    async def _switch_off_until_confirmed(self) -> None:
        """Heat off until the device reports it off; a repair issue after HEAT_OFF_ATTEMPTS."""
        coordinator = self._coordinator
        name = coordinator.info.name

        async def heat_off() -> bool:
            # Read first: a session started meanwhile keeps the heat it was started with.
            state = await coordinator.async_command(lambda massager: massager.get_state())
            if state.active:
                self.owed = False
                return True
            if state.heat:
                state = await coordinator.async_command(
                    lambda massager: massager.change_settings(SessionSettings(heat=False))
                )
            if state.heat:
                LOGGER.warning("%s still reports its heat on", name)
                return False
            LOGGER.info("Heat on %s switched off: %s", name, self._reason)
            self.owed = False
            ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
            return True

        if await until_confirmed(name, "switch off the heat of", HEAT_OFF_ATTEMPTS, heat_off):
            return
        if self._unloaded:  # the tries under way ran; no notice and no slow retry from here on
            return
        raise_issue(self._hass, self.issue_id, "heat_off_failed", name=name)
        # Still owed: tried again now and then, and whenever a state shows the heat on.
        self._cancel_retry = async_call_later(self._hass, HEAT_OFF_SLOW_RETRY_S, self._retry)

    @callback
    def _retry(self, _now: datetime) -> None:
        self._cancel_retry = None
        if self.owed:
            self._start()

    @callback
    def async_unload(self) -> None:
        """No new switching off, notice or slow retry after the entry is gone.

        The tries under way make their remaining attempts: a massager built from entities is
        still reachable after its entry is removed, and its heat must still go off.
        """
        self._unloaded = True
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
