"""Another integration's entities, made the way Home Assistant's own tests make them.

A mocked integration whose platforms add real entities (a bed's buttons, a plug's switch and
countdown) under one config entry, so they have a device and registry entries like a real
integration's. Its config flow must stand in too: `mock_config_flow(domain, ConfigFlow)`.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)


async def add_integration(
    hass: HomeAssistant,
    domain: str,
    title: str,
    platforms: dict[str, list[Entity]],
    *,
    scan_interval: timedelta | None = None,
) -> MockConfigEntry:
    """Set the integration up with its entities; returns its config entry."""

    def platform(entities: list[Entity]) -> MockPlatform:
        async def setup(
            _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
        ) -> None:
            add(entities, update_before_add=True)

        return MockPlatform(async_setup_entry=setup, scan_interval=scan_interval)

    async def set_up(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, list(platforms))
        return True

    assert await async_setup_component(hass, "homeassistant", {})
    mock_integration(hass, MockModule(domain, async_setup_entry=set_up))
    mock_platform(hass, f"{domain}.config_flow", None)
    for name, entities in platforms.items():
        mock_platform(hass, f"{domain}.{name}", platform(entities))
    entry = MockConfigEntry(domain=domain, title=title)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
