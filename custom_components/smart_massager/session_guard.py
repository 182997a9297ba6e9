"""Home Assistant as a second guard on devices that time their own sessions.

A device's own timer is the first guard. If a device reports a session that cannot be within its
cap, Home Assistant stops it once, logs one warning and raises a repair issue. Three signs: an end
time further away than the cap; a start longer ago than the cap plus the pause timeout; or a
session Home Assistant has watched running longer than the cap. The last two are measured on
the loop's monotonic clock from when the session was first seen, so a wall clock stepped later
neither stretches a session nor makes a healthy one look too old.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from pysmartmassager import SessionState, Status

from .const import DOMAIN, GUARD_MARGIN, LOGGER
from .coordinator import MassagerCoordinator
from .repair_issues import raise_issue


class SessionGuard:
    """Watches one massager's sessions against its cap."""

    def __init__(self, hass: HomeAssistant, coordinator: MassagerCoordinator) -> None:
        self._hass = hass
        self._coordinator = coordinator
        caps = coordinator.info.capabilities
        self._limit = timedelta(minutes=caps.session_minutes.maximum) + GUARD_MARGIN
        # Since its start a session may also have been paused, for at most the pause timeout.
        self._wall_limit = self._limit + timedelta(minutes=caps.pause_timeout_minutes or 0)
        self._session: object = None  # the session being watched (its start time)
        self._running_since: float | None = None  # loop time when RUNNING was last seen to begin
        self._ran_s = 0.0  # seconds watched RUNNING before that
        self._stopped_session: object = None
        self._started_loop_time: float | None = None  # loop time of the session's start
        self._cancel_check: CALLBACK_TYPE | None = None

    @property
    def issue_id(self) -> str:
        """The repair issue of this massager."""
        return f"session_over_cap_{self._coordinator.config_entry.entry_id}"

    @callback
    def observe(self, state: SessionState) -> None:
        """Check every state the coordinator takes."""
        if not state.active:
            self._reset()
            return
        session = state.started_at or "unknown start"
        now = self._hass.loop.time()
        if session != self._session:
            self._reset()
            self._session = session
            # The start's age on the loop's monotonic clock from here on: a wall clock stepped
            # forward later must not make a session look older than it is.
            if state.started_at is not None:
                age = (dt_util.utcnow() - state.started_at).total_seconds()
                self._started_loop_time = now - age
        if state.status is Status.RUNNING and self._running_since is None:
            self._running_since = now
        elif state.status is not Status.RUNNING and self._running_since is not None:
            self._ran_s += now - self._running_since
            self._running_since = None
        now_utc = dt_util.utcnow()
        if state.ends_at is not None and state.ends_at - now_utc > self._limit:
            self._stop(f"its end time is {state.ends_at.isoformat()}, beyond its cap")
            return
        if self._started_age() > self._wall_limit.total_seconds():
            minutes = self._started_age() / 60
            self._stop(f"it started {minutes:.0f} minutes ago, longer ago than its cap")
            return
        self._arm_check(state)

    def _started_age(self) -> float:
        """Seconds since the session's start (0 when its start is unknown)."""
        if self._started_loop_time is None:
            return 0.0
        return self._hass.loop.time() - self._started_loop_time

    def _watched(self) -> float:
        running = 0.0
        if self._running_since is not None:
            running = self._hass.loop.time() - self._running_since
        return self._ran_s + running

    def _arm_check(self, state: SessionState) -> None:
        """Look again when the next limit would be reached, even if the device stays silent."""
        self._cancel()
        waits: list[float] = []
        if self._running_since is not None:
            left = self._limit.total_seconds() - self._watched()
            if left <= 0:
                self._stop("it has run longer than its cap")
                return
            waits.append(left)
        if self._started_loop_time is not None:
            waits.append(self._wall_limit.total_seconds() - self._started_age())
        if waits:
            self._cancel_check = async_call_later(self._hass, max(1.0, min(waits)), self._check)

    @callback
    def _check(self, _now: object) -> None:
        self._cancel_check = None
        if self._coordinator.data.active:
            self.observe(self._coordinator.data)

    @callback
    def _stop(self, why: str) -> None:
        if self._stopped_session == self._session:
            return  # once per session
        self._stopped_session = self._session
        self._cancel()
        name = self._coordinator.info.name
        LOGGER.warning("%s reports a session past its limit (%s); stopping it", name, why)
        raise_issue(
            self._hass,
            self.issue_id,
            "session_over_cap",
            severity=ir.IssueSeverity.WARNING,
            name=name,
            minutes=str(self._coordinator.info.capabilities.session_minutes.maximum),
        )
        self._coordinator.config_entry.async_create_task(
            self._hass, self._send_stop(), f"{DOMAIN} guard stop"
        )

    async def _send_stop(self) -> None:
        try:
            await self._coordinator.async_command(lambda massager: massager.stop())
        except Exception as err:  # noqa: BLE001  # logged; the repair issue already tells the user
            LOGGER.warning("Could not stop %s: %s", self._coordinator.info.name, err)

    def _reset(self) -> None:
        self._cancel()
        self._session = None
        self._started_loop_time = None
        self._running_since = None
        self._ran_s = 0.0

    @callback
    def _cancel(self) -> None:
        if self._cancel_check is not None:
            self._cancel_check()
            self._cancel_check = None

    @callback
    def async_unload(self) -> None:
        """Stop watching (entry unload)."""
        self._cancel()
