"""The "Massage" fan: on/off, intensity as percentage, programs as preset modes.

Fan is the one domain through which on/off, a level and a mode work in Assist, Google Assistant
and Alexa alike, and fans are exposed to Assist by default; hence a massager is a fan here.
"""

from __future__ import annotations

import math
from typing import Any

from homeassistant.components.fan import FanEntity, FanEntityDescription
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.percentage import (
    percentage_to_ranged_value,
    ranged_value_to_percentage,
)

from pysmartmassager import LevelRange, SessionSettings, Status

from .coordinator import MassagerConfigEntry, MassagerCoordinator
from .entity import MassagerEntity

PARALLEL_UPDATES = 1

MASSAGE = FanEntityDescription(key="massage", translation_key="massage", name=None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MassagerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the fan."""
    async_add_entities([MassagerFan(entry.runtime_data.coordinator, MASSAGE)])


def level_for_percentage(levels: LevelRange, percentage: int) -> int:
    """The device level for a fan percentage (1 % is the lowest level, 100 % the highest)."""
    return levels.at(math.ceil(percentage_to_ranged_value((1, levels.levels), percentage)))


def percentage_for_level(levels: LevelRange, level: int) -> int:
    """The fan percentage that shows a device level."""
    return ranged_value_to_percentage((1, levels.levels), levels.position(level))


class MassagerFan(MassagerEntity, FanEntity):
    """The massage itself: on starts a session with the current settings, off stops it.

    Speed and preset modes exist only where the device has intensity levels and programs.
    """

    def __init__(self, coordinator: MassagerCoordinator, description: FanEntityDescription) -> None:
        super().__init__(coordinator, description)
        caps = coordinator.info.capabilities
        features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
        if caps.intensity is not None:
            features |= FanEntityFeature.SET_SPEED
        if caps.programs:
            features |= FanEntityFeature.PRESET_MODE
        self._attr_supported_features = features

    @property
    def _levels(self) -> LevelRange | None:
        return self.coordinator.info.capabilities.intensity

    @property
    def speed_count(self) -> int:
        """One step per device level."""
        return self._levels.levels if self._levels else 100

    @property
    def preset_modes(self) -> list[str] | None:
        """The device's programs."""
        return self.coordinator.info.capabilities.program_ids or None

    @property
    def is_on(self) -> bool:
        """On while a session runs or is paused."""
        return self.state_data.active

    @property
    def percentage(self) -> int | None:
        """The intensity as a percentage while a session runs; 0 while off.

        An idle massager with a percentage reads as running on a tile ("70%"), as core fans
        do not; the next session's intensity has its own number entity.
        """
        if self._levels is None:
            return None
        if not self.state_data.active:
            return 0
        return percentage_for_level(self._levels, self.state_data.intensity)

    @property
    def preset_mode(self) -> str | None:
        """The program, if one of the presets: a value the device lists nowhere is not shown."""
        program = self.state_data.program
        return program if program in (self.preset_modes or ()) else None

    def _level(self, percentage: int | None) -> int | None:
        if percentage is None or self._levels is None:
            return None
        return level_for_percentage(self._levels, percentage)

    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Start a session (resume a paused one), optionally at a level and with a program."""
        settings = SessionSettings(intensity=self._level(percentage), program=preset_mode)
        if not self.state_data.active:
            await self.coordinator.async_command(lambda massager: massager.start_session(settings))
            return
        if not settings.empty:
            await self.coordinator.async_command(
                lambda massager: massager.change_settings(settings)
            )
        if self.state_data.status is Status.PAUSED:
            await self.coordinator.async_command(lambda massager: massager.resume())

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the session."""
        await self.coordinator.async_command(lambda massager: massager.stop())

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the intensity; 0 % stops, a level on an idle massager starts a session."""
        if percentage == 0:
            await self.async_turn_off()
            return
        if not self.state_data.active:
            await self.async_turn_on(percentage=percentage)
            return
        await self._change(SessionSettings(intensity=self._level(percentage)))

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Change the program (at once if a session runs; otherwise for the next start)."""
        await self._change(SessionSettings(program=preset_mode))

    async def _change(self, settings: SessionSettings) -> None:
        await self.coordinator.async_command(lambda massager: massager.change_settings(settings))
