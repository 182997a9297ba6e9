"""The massage-time and sessions sensors: totals that only grow, kept across restarts.

`total_increasing` sensors, so Home Assistant's recorder keeps their long-term statistics
(hourly, for as long as it keeps any) with no configuration: a week of massage minutes is a
statistics graph away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from .clock_writes import ClockWrites
from .coordinator import MassagerCoordinator
from .entity import MassagerEntity, MassagerEntityDescription
from .usage import SECONDS_PER_MINUTE, Usage, UsageCounter


@dataclass(frozen=True, kw_only=True)
class MassagerUsageDescription(SensorEntityDescription, MassagerEntityDescription):
    """A usage total: which one the counter's totals it shows."""

    total_fn: Callable[[UsageCounter, float], float | int]
    # Attributes beside the total (the sessions sensor: when the last session started).
    attributes_fn: Callable[[Usage], dict[str, object]] | None = None


USAGE_SENSORS: tuple[MassagerUsageDescription, ...] = (
    MassagerUsageDescription(
        key="massage_time",
        translation_key="massage_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        total_fn=lambda counter, now: round(counter.minutes(now), 2),
    ),
    MassagerUsageDescription(
        key="sessions",
        translation_key="sessions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        total_fn=lambda counter, _now: counter.usage.sessions,
        # Kept across restarts (a state's last_changed is not): the reminder blueprint reads it.
        attributes_fn=lambda usage: {"last_started": usage.last_session},
    ),
)


class MassagerUsageSensor(MassagerEntity, ClockWrites, RestoreEntity, SensorEntity):
    """A usage total, counted from confirmed states and written once a minute while it runs."""

    entity_description: MassagerUsageDescription

    def __init__(
        self, coordinator: MassagerCoordinator, description: MassagerUsageDescription
    ) -> None:
        super().__init__(coordinator, description)
        self._counter = UsageCounter(Usage())

    async def async_added_to_hass(self) -> None:
        """Go on from the stored totals, and count the state the massager is in now."""
        await super().async_added_to_hass()
        if (stored := await self.async_get_last_extra_data()) is not None:
            self._counter = UsageCounter(Usage.from_dict(stored.as_dict()))
        self._observe()

    @property
    def native_value(self) -> float | int:
        """The total up to now."""
        return self.entity_description.total_fn(self._counter, self.hass.loop.time())

    @property
    def extra_state_attributes(self) -> dict[str, object] | None:
        """The description's attributes, if it has any."""
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self._counter.usage) if attributes_fn is not None else None

    @property
    def extra_restore_state_data(self) -> Usage:
        """The totals, kept across restarts."""
        self._counter.minutes(self.hass.loop.time())  # the running stretch so far, included
        return self._counter.usage

    @callback
    def _handle_coordinator_update(self) -> None:
        self._observe()
        super()._handle_coordinator_update()

    @callback
    def _observe(self) -> None:
        self._counter.observe(
            self.state_data,
            self.hass.loop.time(),
            started=dt_util.utcnow(),
            confirmed=self.coordinator.last_update_success,
        )
        self._schedule_write()

    def _next_write(self) -> float | None:
        """While it runs the minutes grow: written once a minute, not at every second."""
        return SECONDS_PER_MINUTE if self._counter.running else None
