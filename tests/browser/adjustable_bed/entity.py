"""The stand-in bed's entities share its device and its key scheme."""

from __future__ import annotations

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from . import MAC


class BedEntity(Entity):
    """One of the bed's entities: `<bluetooth address>_<key>`, the key its translation key."""

    _attr_has_entity_name = True

    def __init__(self, key: str) -> None:
        self.key = key
        self._attr_unique_id = f"{MAC}_{key}"
        self._attr_translation_key = key
        self._attr_name = key.replace("_", " ").capitalize()
        self._attr_device_info = DeviceInfo(
            connections={(dr.CONNECTION_BLUETOOTH, MAC)}, name="Bedroom bed"
        )
