"""Smart Massager: massagers on the local network, pushed into Home Assistant."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_TOKEN, DOMAIN
from .coordinator import MassagerConfigEntry, MassagerCoordinator, MassagerRuntimeData
from .pysmartmassager import MassagerAuthenticationError, MassagerError, SmartMassagerClient

PLATFORMS = [
    Platform.BUTTON,
    Platform.FAN,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


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
    entry.runtime_data = MassagerRuntimeData(client=client, info=info, coordinator=coordinator)
    coordinator.start_push()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Unload platforms; the push task is a background task of the entry, cancelled with it."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
