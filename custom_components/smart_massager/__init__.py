"""Smart Massager: massagers on the local network, pushed into Home Assistant."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from pysmartmassager import MassagerAuthenticationError, MassagerError, SmartMassagerClient

from .const import CONF_TOKEN, DOMAIN
from .coordinator import MassagerConfigEntry, MassagerCoordinator, MassagerRuntimeData
from .routines import RoutineRunner
from .sentences import async_sync_sentences
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [
    Platform.BUTTON,
    Platform.FAN,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions: they exist even while no massager is loaded (clear errors then)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Connect to the massager, read its capabilities, start the push stream."""
    client = SmartMassagerClient(
        entry.data[CONF_HOST],
        port=entry.data[CONF_PORT],
        token=entry.data[CONF_TOKEN],
        session=async_get_clientsession(hass),
    )
    try:
        info = await client.get_info()
    except MassagerAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="authentication_failed"
        ) from err
    except MassagerError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": entry.data[CONF_HOST], "error": str(err)},
        ) from err

    coordinator = MassagerCoordinator(hass, entry, client, info)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = MassagerRuntimeData(
        client=client,
        info=info,
        coordinator=coordinator,
        routines=RoutineRunner(hass, entry, coordinator),
    )
    coordinator.start_push()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await async_sync_sentences(hass, arriving=entry)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Unload platforms; push and routine tasks are the entry's background tasks, cancelled with it.

    A routine cancelled here leaves the device's current step to end by the device's own timer.
    """
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> None:
    """A removed massager leaves the voice sentences (the files go with the last one)."""
    await async_sync_sentences(hass, leaving=entry)
