"""Base entity: one device per massager, unique ids from its serial; a platform from its table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from pysmartmassager import Capabilities, SessionState
from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text

from .const import DOMAIN
from .coordinator import MassagerConfigEntry, MassagerCoordinator
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


@dataclass(frozen=True, kw_only=True)
class MassagerEntityDescription(EntityDescription):
    """A row of a platform's table: the entity exists on devices whose capabilities have it."""

    has_fn: Callable[[Capabilities], bool] = lambda _caps: True

    def supported(self, caps: Capabilities) -> bool:
        """Whether a device with these capabilities gets this entity."""
        return self.has_fn(caps)


type PlatformSetup = Callable[
    [HomeAssistant, MassagerConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]
]


def setup_from_table[D: MassagerEntityDescription](
    entity: Callable[[MassagerCoordinator, D], Entity],
    table: Callable[[Capabilities], Iterable[D]],
) -> PlatformSetup:
    """A platform's async_setup_entry: one entity per row of its table that the device supports."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: MassagerConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        coordinator = entry.runtime_data.coordinator
        caps = coordinator.info.capabilities
        async_add_entities(
            entity(coordinator, description)
            for description in table(caps)
            if description.supported(caps)
        )

    return async_setup_entry
