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

from .coordinator import MassagerConfigEntry
from .entity import MassagerEntity
from .errors import massager_command

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
    position = math.ceil(percentage_to_ranged_value((1, levels.levels), percentage))
    return levels.clamp(levels.minimum + (position - 1) * levels.step)


def percentage_for_level(levels: LevelRange, level: int) -> int:
    """The fan percentage that shows a device level."""
    position = (level - levels.minimum) // levels.step + 1
    return ranged_value_to_percentage((1, levels.levels), position)


class MassagerFan(MassagerEntity, FanEntity):
    """The massage itself: on starts a session with the current settings, off stops it."""

    _attr_supported_features = (
        FanEntityFeature.TURN_ON
        | FanEntityFeature.TURN_OFF
        | FanEntityFeature.SET_SPEED
        | FanEntityFeature.PRESET_MODE
    )

    @property
    def _levels(self) -> LevelRange:
        return self.coordinator.info.capabilities.intensity

    @property
    def speed_count(self) -> int:
        """One step per device level."""
        return self._levels.levels

    @property
    def preset_modes(self) -> list[str]:
        """The device's programs."""
        return self.coordinator.info.capabilities.program_ids

    @property
    def is_on(self) -> bool:
        """On while a session runs or is paused."""
        return self.state_data.active

    @property
    def percentage(self) -> int:
        """The intensity as a percentage."""
        return percentage_for_level(self._levels, self.state_data.intensity)

    @property
    def preset_mode(self) -> str:
        """The program."""
        return self.state_data.program

    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Start a session (resume a paused one), optionally at a level and with a program."""
        await self._start(percentage, preset_mode)

    @massager_command
    async def _start(self, percentage: int | None, preset_mode: str | None) -> None:
        client = self.coordinator.client
        settings = SessionSettings(
            intensity=None
            if percentage is None
            else level_for_percentage(self._levels, percentage),
            program=preset_mode,
        )
        if self.state_data.active:
            state = (
                await client.change_settings(settings) if settings.as_json() else self.state_data
            )
            if state.status is Status.PAUSED:
                state = await client.resume()
        else:
            state = await client.start_session(settings)
        self.coordinator.async_set_state(state)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the session."""
        await self._stop()

    @massager_command
    async def _stop(self) -> None:
        self.coordinator.async_set_state(await self.coordinator.client.stop())

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the intensity; 0 % stops, a level on an idle massager starts a session."""
        if percentage == 0:
            await self.async_turn_off()
            return
        if not self.state_data.active:
            await self.async_turn_on(percentage=percentage)
            return
        await self._change(
            SessionSettings(intensity=level_for_percentage(self._levels, percentage))
        )

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Change the program (at once if a session runs; otherwise for the next start)."""
        await self._change(SessionSettings(program=preset_mode))

    @massager_command
    async def _change(self, settings: SessionSettings) -> None:
        self.coordinator.async_set_state(await self.coordinator.client.change_settings(settings))
