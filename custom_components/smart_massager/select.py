"""Program and zone selects: options are the ids the device reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from pysmartmassager import Capabilities, SessionSettings, SessionState

from .coordinator import MassagerConfigEntry
from .entity import MassagerEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerSelectDescription(SelectEntityDescription):
    """A select: its options from the capabilities, its value from the state."""

    options_fn: Callable[[Capabilities], list[str]]
    value_fn: Callable[[SessionState], str]
    settings_fn: Callable[[str], SessionSettings]


SELECTS: tuple[MassagerSelectDescription, ...] = (
    MassagerSelectDescription(
        key="program",
        translation_key="program",
        options_fn=lambda caps: caps.program_ids,
        value_fn=lambda state: state.program,
        settings_fn=lambda option: SessionSettings(program=option),
    ),
    MassagerSelectDescription(
        key="zone",
        translation_key="zone",
        options_fn=lambda caps: caps.zone_ids,
        value_fn=lambda state: state.zone,
        settings_fn=lambda option: SessionSettings(zone=option),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MassagerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        MassagerSelect(coordinator, description)
        for description in SELECTS
        if description.options_fn(coordinator.info.capabilities)
    )


class MassagerSelect(MassagerEntity, SelectEntity):
    """Program or zone."""

    entity_description: MassagerSelectDescription

    @property
    def options(self) -> list[str]:
        """The device's ids."""
        return self.entity_description.options_fn(self.coordinator.info.capabilities)

    @property
    def current_option(self) -> str | None:
        """The current setting."""
        return self.entity_description.value_fn(self.state_data)

    async def async_select_option(self, option: str) -> None:
        """Send the new setting; the entity follows the device's answer."""
        settings = self.entity_description.settings_fn(option)
        await self.coordinator.async_command(lambda massager: massager.change_settings(settings))
