"""Status, session end (timestamp), remaining minutes, the routine, and usage totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from pysmartmassager import Capabilities, SessionState, Status

from .clock_writes import ClockWrites
from .coordinator import MassagerCoordinator
from .entity import MassagerEntity, MassagerEntityDescription, setup_from_table
from .routine_catalogue import BUILTIN_ROUTINES, CUSTOM_ROUTINE
from .routine_plan import runnable_routines
from .routines import RoutineRunner
from .session_time import remaining_minutes
from .usage_sensor import USAGE_SENSORS, MassagerUsageDescription, MassagerUsageSensor

NO_ROUTINE = "none"


@dataclass(frozen=True, kw_only=True)
class MassagerRoutineDescription(SensorEntityDescription, MassagerEntityDescription):
    """The routine sensor's row: its value is the routine runner's, not the device's."""


ROUTINE = MassagerRoutineDescription(
    key="routine",
    translation_key="routine",
    device_class=SensorDeviceClass.ENUM,
    options=[NO_ROUTINE, *BUILTIN_ROUTINES, CUSTOM_ROUTINE],
)

TIMER_DEVICE = "device"
TIMER_HOME_ASSISTANT = "home_assistant"

PARALLEL_UPDATES = 0  # read-only: state comes from the coordinator


@dataclass(frozen=True, kw_only=True)
class MassagerSensorDescription(SensorEntityDescription, MassagerEntityDescription):
    """A sensor read from the state; `counts_down` sensors also change with the clock."""

    value_fn: Callable[[SessionState, datetime], StateType | datetime]
    counts_down: bool = False
    # Fixed attributes from the capabilities (who ends a session: the massage card says it).
    attributes_fn: Callable[[Capabilities], dict[str, str]] | None = None


SENSORS: tuple[MassagerSensorDescription, ...] = (
    MassagerSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in Status],
        value_fn=lambda state, _now: state.status.value,
        attributes_fn=lambda caps: {
            "timer": TIMER_DEVICE if caps.device_timer else TIMER_HOME_ASSISTANT
        },
    ),
    MassagerSensorDescription(
        key="session_ends",
        translation_key="session_ends",
        device_class=SensorDeviceClass.TIMESTAMP,
        # A timestamp lets the dashboard count down by itself, with no state write per second.
        value_fn=lambda state, _now: state.ends_at if state.status is Status.RUNNING else None,
    ),
    MassagerSensorDescription(
        key="remaining",
        translation_key="remaining",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=remaining_minutes,
        counts_down=True,
    ),
)


class MassagerSensor(MassagerEntity, ClockWrites, SensorEntity):
    """A sensor of the massager's state."""

    entity_description: MassagerSensorDescription

    def __init__(
        self, coordinator: MassagerCoordinator, description: MassagerSensorDescription
    ) -> None:
        super().__init__(coordinator, description)
        if description.attributes_fn is not None:
            self._attr_extra_state_attributes = description.attributes_fn(
                coordinator.info.capabilities
            )

    @property
    def native_value(self) -> StateType | datetime:
        """The value for the current state and time."""
        return self.entity_description.value_fn(self.state_data, dt_util.utcnow())

    async def async_added_to_hass(self) -> None:
        """Start counting down if a session is already running."""
        await super().async_added_to_hass()
        self._schedule_write()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._schedule_write()
        super()._handle_coordinator_update()

    def _next_write(self) -> float | None:
        """When the shown minute changes, at most once a minute (counting down sensors only)."""
        state = self.state_data
        ends = state.ends_at
        if (
            not self.entity_description.counts_down
            or state.status is not Status.RUNNING
            or ends is None
        ):
            return None
        left = (ends - dt_util.utcnow()).total_seconds()
        if left <= 0:
            return None
        # The shown value is ceil(left / 60); it drops when `left` crosses a whole minute.
        return left % 60 or 60


class MassagerRoutineSensor(MassagerEntity, SensorEntity):
    """The running routine, its step and end time; "none" between routines."""

    # Fixed for the device: the recorder need not keep a copy with every state.
    _unrecorded_attributes = frozenset({"runnable"})

    def __init__(
        self, coordinator: MassagerCoordinator, description: MassagerRoutineDescription
    ) -> None:
        super().__init__(coordinator, description)
        self._runner: RoutineRunner = coordinator.config_entry.runtime_data.routines
        self._runnable = runnable_routines(coordinator.info.capabilities)

    async def async_added_to_hass(self) -> None:
        """Follow the runner's progress."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runner.async_add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> str:
        """The routine's id, or "none"."""
        progress = self._runner.progress
        return NO_ROUTINE if progress is None else progress.routine

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """The step and its settings, the next step's, the end, the last outcome; `runnable`."""
        progress = self._runner.progress
        outcome = self._runner.last_outcome
        attributes: dict[str, object] = {
            "last_outcome": None if outcome is None else outcome.value,
            "runnable": self._runnable,
        }
        if progress is not None:
            attributes |= {
                "step": progress.step,
                "steps_total": progress.steps_total,
                "program": progress.program,
                "zone": progress.zone,
                "ends_at": None if progress.ends_at is None else progress.ends_at.isoformat(),
                "next_program": progress.next_program,
                "next_zone": progress.next_zone,
            }
        return attributes


type SensorRow = MassagerSensorDescription | MassagerRoutineDescription | MassagerUsageDescription


def sensor_for(coordinator: MassagerCoordinator, description: SensorRow) -> SensorEntity:
    """A state sensor, the routine sensor, or a usage total."""
    if isinstance(description, MassagerSensorDescription):
        return MassagerSensor(coordinator, description)
    if isinstance(description, MassagerUsageDescription):
        return MassagerUsageSensor(coordinator, description)
    return MassagerRoutineSensor(coordinator, description)


def sensor_rows(_caps: Capabilities) -> tuple[SensorRow, ...]:
    """Every massager has all sensors."""
    return (*SENSORS, ROUTINE, *USAGE_SENSORS)


async_setup_entry = setup_from_table(sensor_for, sensor_rows)
