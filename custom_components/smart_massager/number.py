"""Intensity, each level zone's intensity, and session length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfTime

from pysmartmassager import Capabilities, LevelRange, LevelZone, SessionSettings, SessionState
from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text

from .coordinator import MassagerCoordinator
from .entity import MassagerEntity, MassagerEntityDescription, setup_from_table
from .validation import refusal

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerNumberDescription(NumberEntityDescription, MassagerEntityDescription):
    """A number: its range from the capabilities, its value from the state."""

    range_fn: Callable[[Capabilities], LevelRange | None]
    value_fn: Callable[[SessionState], int | None]
    settings_fn: Callable[[int], SessionSettings]
    # Nothing extends a running session: this setting is refused while one runs.
    locked_in_session: bool = False
    zone_name: str | None = None  # a level zone's name, in the entity's name
    zone_id: str | None = None  # and its id, as an attribute (the massage card's body areas)

    def supported(self, caps: Capabilities) -> bool:
        """Only a range the device has."""
        return self.range_fn(caps) is not None


NUMBERS: tuple[MassagerNumberDescription, ...] = (
    MassagerNumberDescription(
        key="intensity",
        translation_key="intensity",
        mode=NumberMode.SLIDER,
        range_fn=lambda caps: caps.intensity,
        value_fn=lambda state: state.intensity,
        settings_fn=lambda value: SessionSettings(intensity=value),
    ),
    MassagerNumberDescription(
        key="session_length",
        translation_key="session_length",
        mode=NumberMode.BOX,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        range_fn=lambda caps: caps.session_minutes,
        value_fn=lambda state: state.minutes,
        settings_fn=lambda value: SessionSettings(minutes=value),
        locked_in_session=True,
    ),
)


def zone_number(zone: LevelZone) -> MassagerNumberDescription:
    """The row of one level zone (a bed's head): its own intensity, unknown while unread."""
    return MassagerNumberDescription(
        key=f"intensity_{zone.id}",
        translation_key="zone_intensity",
        mode=NumberMode.SLIDER,
        range_fn=lambda caps: found.levels if (found := caps.level_zone(zone.id)) else None,
        value_fn=lambda state: state.zone_levels.get(zone.id),
        settings_fn=lambda value: SessionSettings(zone_levels={zone.id: value}),
        zone_name=clean_text(zone.name, MAX_NAME_LENGTH),  # from the device: cleaned
        zone_id=zone.id,
    )


class MassagerNumber(MassagerEntity, NumberEntity):
    """Intensity level or session minutes, within the device's range."""

    entity_description: MassagerNumberDescription

    def __init__(
        self, coordinator: MassagerCoordinator, description: MassagerNumberDescription
    ) -> None:
        super().__init__(coordinator, description)
        levels = description.range_fn(coordinator.info.capabilities)
        # Entities are created only for ranges the device has; the fallback is never shown.
        self._range = levels or LevelRange(0, 0)
        if description.zone_name is not None:
            self._attr_translation_placeholders = {"zone": description.zone_name}
        if description.zone_id is not None:
            self._attr_extra_state_attributes = {"zone": description.zone_id}

    @property
    def native_min_value(self) -> float:
        """The device's minimum."""
        return self._range.minimum

    @property
    def native_max_value(self) -> float:
        """The device's maximum (for minutes: its hard cap)."""
        return self._range.maximum

    @property
    def native_step(self) -> float:
        """The device's step."""
        return self._range.step

    @property
    def native_value(self) -> float | None:
        """The current setting; None (unknown) where the device cannot tell it now."""
        return self.entity_description.value_fn(self.state_data)

    async def async_set_native_value(self, value: float) -> None:
        """Send the new setting; the device refuses values off its range or step."""
        if self.entity_description.locked_in_session and self.state_data.active:
            raise refusal("length_during_session", name=self.coordinator.info.name)
        settings = self.entity_description.settings_fn(round(value))
        await self.coordinator.async_command(lambda massager: massager.change_settings(settings))


async_setup_entry = setup_from_table(
    MassagerNumber, lambda caps: (*NUMBERS, *(zone_number(zone) for zone in caps.level_zones))
)
