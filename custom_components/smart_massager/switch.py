"""Heat switch, for devices that have a heater."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from pysmartmassager import SessionSettings, SessionState

from .entity import MassagerEntity, MassagerEntityDescription, setup_from_table

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerSwitchDescription(SwitchEntityDescription, MassagerEntityDescription):
    """A switch gated on a capability (has_fn)."""

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


async_setup_entry = setup_from_table(MassagerSwitch, lambda _caps: SWITCHES)
