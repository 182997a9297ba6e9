"""The bed's massage buttons: they record their presses."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import DOMAIN
from .entity import BedEntity


async def async_setup_entry(
    hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Reverie's massage buttons."""
    add([BedButton(key) for key in ("massage_all_off", "massage_mode_step")])


class BedButton(BedEntity, ButtonEntity):
    """Pressing is recorded; "all off" sets every level to 0."""

    async def async_press(self) -> None:
        """Record the press."""
        bed = self.hass.data[DOMAIN]
        bed["presses"].append(self.key)
        if self.key == "massage_all_off":
            bed["levels"] = dict.fromkeys(bed["levels"], 0)
