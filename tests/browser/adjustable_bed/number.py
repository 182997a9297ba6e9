"""The bed's per-zone massage intensity numbers (0-10)."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import DOMAIN
from .entity import BedEntity


async def async_setup_entry(
    hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Head, foot and wave."""
    add([BedNumber(zone) for zone in ("head", "foot", "wave")])


class BedNumber(BedEntity, NumberEntity):
    """A zone's level."""

    _attr_native_min_value = 0
    _attr_native_max_value = 10
    _attr_native_step = 1

    def __init__(self, zone: str) -> None:
        super().__init__(f"massage_{zone}_intensity")
        self.zone = zone

    @property
    def native_value(self) -> float:
        """The level the bed has."""
        return float(self.hass.data[DOMAIN]["levels"][self.zone])

    async def async_set_native_value(self, value: float) -> None:
        """Set the level."""
        self.hass.data[DOMAIN]["levels"][self.zone] = round(value)
        self.async_write_ha_state()
