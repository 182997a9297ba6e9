"""Heat left on with no massage: switched off after one session cap, as a session would be.

The heat switch turned on between sessions, the heat button on the device, or a session that
ended on a device whose heat stays on: nothing would ever end that heat. It gets the longest
session's time from when Home Assistant first saw it, on the loop's monotonic clock; the wall-clock
start is kept in a Store, so a restart neither forgets it nor gives it a new cap (past its end at
start-up, it goes off at once). The switching off is HeatOff's (session_timer.py): retried until
the device reports it, then a repair issue. A session started meanwhile ends the count: its own
timer owns its heat.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_at
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from pysmartmassager import SessionState

from .const import DOMAIN, LOGGER
from .coordinator import MassagerCoordinator
from .session_timer import HeatOff

STORAGE_VERSION = 1
PAST_ITS_CAP = "it was on with no massage for longer than a session may last"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.heat_alone.{entry_id}")


async def async_remove_stored_start(hass: HomeAssistant, entry_id: str) -> None:
    """A removed entry's stored heat start goes with it."""
    await _store(hass, entry_id).async_remove()


def _stored_start(stored: Any) -> datetime | None:
    if not isinstance(stored, dict):
        return None
    since = dt_util.parse_datetime(str(stored.get("since", "")))
    return since if since is not None and since.tzinfo is not None else None


class HeatAloneTimer:
    """Ends one massager's heat when it has been on with no session for a session's cap."""

    def __init__(
        self, hass: HomeAssistant, coordinator: MassagerCoordinator, heat_off: HeatOff
    ) -> None:
        self._hass = hass
        self._coordinator = coordinator
        self._heat_off = heat_off
        self._store = _store(hass, coordinator.config_entry.entry_id)
        self._cap = timedelta(minutes=coordinator.info.capabilities.session_minutes.maximum)
        self.since: datetime | None = None  # wall clock, for restarts only
        self._deadline: float | None = None  # the loop's monotonic time that ends the heat
        self._cancel: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """The start kept before a restart (read before the first state is taken)."""
        if (since := _stored_start(await self._store.async_load())) is not None:
            self._begin(since)

    def _begin(self, since: datetime) -> None:
        # The only place the wall clock meets the deadline: a heat first seen, or a restart.
        # A start in the future (a clock stepped back since) counts from now, never later.
        since = min(since, dt_util.utcnow())
        self.since = since
        left = (since + self._cap - dt_util.utcnow()).total_seconds()
        self._deadline = self._hass.loop.time() + left

    @callback
    def observe(self, state: SessionState) -> None:
        """Count while the heat is on with no session; stop counting at anything else."""
        if state.active or not state.heat:
            self._clear()
            return
        if self._deadline is None:
            self._begin(dt_util.utcnow())
            self._hass.async_create_task(self._save())
        deadline = self._deadline
        if self._cancel is not None or self._heat_off.owed or deadline is None:
            return  # counting already, or already being switched off
        if deadline <= self._hass.loop.time():
            self._end()
        else:
            self._cancel = async_call_at(self._hass, self._at_end, deadline)

    @callback
    def _at_end(self, _now: datetime) -> None:
        self._cancel = None
        self._end()

    @callback
    def _end(self) -> None:
        LOGGER.info(
            "Heat on %s was on with no massage for %s minutes: switching it off",
            self._coordinator.info.name,
            int(self._cap.total_seconds() // 60),
        )
        self._heat_off.owe(PAST_ITS_CAP)

    def _clear(self) -> None:
        if self._cancel is not None:
            self._cancel()
            self._cancel = None
        self._deadline = None
        if self.since is not None:
            self.since = None
            self._hass.async_create_task(self._store.async_remove())

    async def _save(self) -> None:
        if self.since is not None:
            await self._store.async_save({"since": self.since.isoformat()})

    @callback
    def async_unload(self) -> None:
        """Stop the in-memory count; the stored start stays for the next start-up."""
        if self._cancel is not None:
            self._cancel()
            self._cancel = None
