"""Program, zone and heat level selects: options are the ids the device reports.

The device's own names go with them (`option_names`): a program or zone the integration has no
translation for (a bed's "Mode 2", a Tuya product's own mode) is shown by its name, not its id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from pysmartmassager import Capabilities, Choice, SessionSettings, SessionState

from .entity import MassagerEntity, MassagerEntityDescription, setup_from_table

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerSelectDescription(SelectEntityDescription, MassagerEntityDescription):
    """A select: its options from the capabilities, its value from the state."""

    choices_fn: Callable[[Capabilities], tuple[Choice, ...]]
    value_fn: Callable[[SessionState], str]
    settings_fn: Callable[[str], SessionSettings]

    def supported(self, caps: Capabilities) -> bool:
        """Only a device with options to choose from."""
        return bool(self.choices_fn(caps))


SELECTS: tuple[MassagerSelectDescription, ...] = (
    MassagerSelectDescription(
        key="program",
        translation_key="program",
        choices_fn=lambda caps: caps.programs,
        value_fn=lambda state: state.program,
        settings_fn=lambda option: SessionSettings(program=option),
    ),
    MassagerSelectDescription(
        key="zone",
        translation_key="zone",
        choices_fn=lambda caps: caps.zones,
        value_fn=lambda state: state.zone,
        settings_fn=lambda option: SessionSettings(zone=option),
    ),
    MassagerSelectDescription(
        # Heat in levels (a MIoT heat-level): choosing one switches the heat on at it; while
        # the heat is off the level is unknown (the heat switch says off).
        key="heat_level",
        translation_key="heat_level",
        choices_fn=lambda caps: caps.heat_levels,
        value_fn=lambda state: state.heat_level,
        settings_fn=lambda option: SessionSettings(heat_level=option),
    ),
)


class MassagerSelect(MassagerEntity, SelectEntity):
    """Program, zone or heat level."""

    entity_description: MassagerSelectDescription
    # Fixed for the device: the recorder need not keep a copy with every state.
    _unrecorded_attributes = frozenset({"option_names"})

    @property
    def options(self) -> list[str]:
        """The device's ids."""
        return [choice.id for choice in self._choices()]

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """Each option's name as the device gives it (already cleaned by the transport)."""
        return {"option_names": {choice.id: choice.name for choice in self._choices()}}

    def _choices(self) -> tuple[Choice, ...]:
        return self.entity_description.choices_fn(self.coordinator.info.capabilities)

    @property
    def current_option(self) -> str | None:
        """The current setting (unknown while there is none, e.g. the heat is off)."""
        return self.entity_description.value_fn(self.state_data) or None

    async def async_select_option(self, option: str) -> None:
        """Send the new setting; the entity follows the device's answer."""
        settings = self.entity_description.settings_fn(option)
        await self.coordinator.async_command(lambda massager: massager.change_settings(settings))


async_setup_entry = setup_from_table(MassagerSelect, lambda _caps: SELECTS)
