"""Base entity: one device per massager, unique ids from its serial."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from pysmartmassager import SessionState
from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text

from .const import DOMAIN
from .coordinator import MassagerCoordinator
from .transport import configuration_url


class MassagerEntity(CoordinatorEntity[MassagerCoordinator]):
    """An entity of one massager."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: MassagerCoordinator, description: EntityDescription) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        info = coordinator.info
        entry = coordinator.config_entry
        self._attr_unique_id = f"{info.serial}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, info.serial)},
            # Shown on the device page whatever the transport did with them: cleaned.
            name=clean_text(info.name, MAX_NAME_LENGTH),
            manufacturer=clean_text(info.manufacturer, MAX_NAME_LENGTH),
            model=clean_text(info.model, MAX_NAME_LENGTH),
            # Only a real serial: an id (Tuya's, Xiaomi's, an entry's) is not shown as one.
            serial_number=info.serial_number,
            sw_version=clean_text(info.firmware, MAX_NAME_LENGTH) or None,
            configuration_url=configuration_url(entry),
        )

    @property
    def state_data(self) -> SessionState:
        """The latest device-confirmed state."""
        return self.coordinator.data
