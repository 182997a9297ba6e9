"""Heat left on with no massage: switched off after one session cap, as a session would be.

The heat switch turned on between sessions, the heat button on the device, or a session that
ended on a device whose heat stays on: nothing would ever end that heat. It gets the longest
session's time from when Home Assistant first saw it, on the loop's monotonic clock; the wall-clock
start is kept in a Store, so a restart neither forgets it nor gives it a new cap (past its end at
start-up, it goes off at once). The switching off is HeatOff's (session_timer.py): retried until
the device reports it, then a repair issue. A session started meanwhile ends the count: its own
timer owns its heat.

Heat that reads off ends the count only after HEAT_OFF_SETTLED of reading off: a heat plug whose
integration blips to unavailable (a massager built from entities reads that as off) or is still
loading after a restart must not win a new cap each time. Off and on again within it keeps the
first start, which only ever switches the heat off sooner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_at, async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from pysmartmassager import SessionState

from .const import DOMAIN, LOGGER
from .coordinator import MassagerCoordinator
from .session_timer import HeatOff

STORAGE_VERSION = 1
HEAT_OFF_SETTLED_S = 300.0  # seconds of heat reading off before its count is dropped
PAST_ITS_CAP = "it was on with no massage for longer than a session may last"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.heat_alone.{entry_id}")


async def async_remove_stored_start(hass: HomeAssistant, entry_id: str) -> None:
    """A removed entry's stored heat start goes with it."""
    await _store(hass, entry_id).async_remove()


async def async_has_stored_start(hass: HomeAssistant, entry_id: str) -> bool:
    """Whether a heat left on alone is being counted for the entry."""
    return _stored_start(await _store(hass, entry_id).async_load()) is not None


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
        self._cancel_settle: CALLBACK_TYPE | None = None  # drops the count once off for long
        self._unloaded = False

    async def async_load(self) -> None:
        """The start kept before a restart (read before the first state is taken)."""
        if (since := _stored_start(await self._store.async_load())) is not None:
            self._begin(since)

    def _begin(self, since: datetime) -> None:
        # The only place the wall clock meets the deadline: a heat first seen, or a restart.
        now = dt_util.utcnow()
        self.since = since
        if since > now:
            # Stored before the clock was stepped back: how long it has been on is unknown, so
            # it is taken as past its cap (off at once) rather than given a new one.
            self._deadline = self._hass.loop.time()
            return
        self._deadline = self._hass.loop.time() + (since + self._cap - now).total_seconds()

    @callback
    def observe(self, state: SessionState) -> None:
        """Count while the heat is on with no session; a session ends the count at once."""
        if self._unloaded:
            return
        if state.active:
            self._clear()
            return
        if not state.heat:
            self._reading_off()
            return
        if self._cancel_settle is not None:  # on again before the off settled: same count
            self._cancel_settle()
            self._cancel_settle = None
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

    def _reading_off(self) -> None:
        if self._cancel is not None:  # nothing to switch off while it reads off
            self._cancel()
            self._cancel = None
        if self._deadline is not None and self._cancel_settle is None:
            self._cancel_settle = async_call_later(self._hass, HEAT_OFF_SETTLED_S, self._settled)

    @callback
    def _settled(self, _now: datetime) -> None:
        self._cancel_settle = None
        self._clear()

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
        self._cancel_callbacks()
        self._deadline = None
        if self.since is not None:
            self.since = None
            self._hass.async_create_task(self._store.async_remove())

    async def _save(self) -> None:
        if self.since is not None:
            await self._store.async_save({"since": self.since.isoformat()})

    def _cancel_callbacks(self) -> None:
        if self._cancel is not None:
            self._cancel()
            self._cancel = None
        if self._cancel_settle is not None:
            self._cancel_settle()
            self._cancel_settle = None

    @callback
    def async_unload(self) -> None:
        """Stop the in-memory count; the stored start stays for the next start-up.

        A state that still arrives (the answer to a stop under way) changes nothing.
        """
        self._unloaded = True
        self._cancel_callbacks()
