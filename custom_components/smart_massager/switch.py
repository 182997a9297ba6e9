"""Heat switch, for devices that have a heater."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from pysmartmassager import Capabilities, SessionSettings, SessionState

from .coordinator import MassagerConfigEntry
from .entity import MassagerEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerSwitchDescription(SwitchEntityDescription):
    """A switch gated on a capability."""

    has_fn: Callable[[Capabilities], bool]
    is_on_fn: Callable[[SessionState], bool]
    settings_fn: Callable[[bool], SessionSettings]


SWITCHES: tuple[MassagerSwitchDescription, ...] = (
    MassagerSwitchDescription(
        key="heat",
        translation_key="heat",
        has_fn=lambda caps: caps.heat,
        is_on_fn=lambda state: state.heat,
        settings_fn=lambda on: SessionSettings(heat=on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MassagerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches the device's capabilities allow."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        MassagerSwitch(coordinator, description)
        for description in SWITCHES
        if description.has_fn(coordinator.info.capabilities)
    )


class MassagerSwitch(MassagerEntity, SwitchEntity):
    """Heat on or off (the device switches it off by itself when a session ends)."""

    entity_description: MassagerSwitchDescription

    @property
    def is_on(self) -> bool:
        """The device-confirmed setting."""
        return self.entity_description.is_on_fn(self.state_data)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        await self._set(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self._set(on=False)

    async def _set(self, *, on: bool) -> None:
        settings = self.entity_description.settings_fn(on)
        await self.coordinator.async_command(lambda massager: massager.change_settings(settings))
