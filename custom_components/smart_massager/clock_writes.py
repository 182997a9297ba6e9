"""Entities whose state changes with the clock: written again when the shown value changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import async_call_later


class ClockWrites(Entity):
    """Writes its state again after `_next_write()` seconds (None: not until something changes).

    One timer at a time, cancelled when the entity is removed; `_schedule_write()` is called
    wherever what decides the next write changes (a new state from the device).
    """

    _cancel_write: CALLBACK_TYPE | None = None

    def _next_write(self) -> float | None:
        """Seconds until the shown value changes by the clock alone; None if it will not."""
        raise NotImplementedError

    async def async_added_to_hass(self) -> None:
        """Stop the timer with the entity."""
        await super().async_added_to_hass()
        self.async_on_remove(self._stop_writes)

    @callback
    def _schedule_write(self) -> None:
        self._stop_writes()
        if (delay := self._next_write()) is not None:
            self._cancel_write = async_call_later(self.hass, timedelta(seconds=delay), self._write)

    @callback
    def _write(self, _now: datetime) -> None:
        self._cancel_write = None
        self.async_write_ha_state()
        self._schedule_write()

    @callback
    def _stop_writes(self) -> None:
        if self._cancel_write is not None:
            self._cancel_write()
            self._cancel_write = None
