"""A stand-in for Adjustable Bed (kristofferR/ha-adjustable-bed) in the live browser tests.

That integration needs a Bluetooth bed; this one creates a Reverie-shaped base's massage
entities with its keys (unique id `<bluetooth address>_<key>`, the key as translation key;
commit 9337866): per-zone intensity numbers, "massage off" and "mode step" buttons. It is set up
from `adjustable_bed:` in configuration.yaml through an import flow, so its device belongs to a
config entry as a real one does. Development tool only: copied into a test's configuration.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.typing import ConfigType

DOMAIN = "adjustable_bed"
MAC = "aa:bb:cc:dd:ee:02"
PLATFORMS = [Platform.BUTTON, Platform.NUMBER]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Create the entry from YAML once."""
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_IMPORT})
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """The bed's platforms."""
    hass.data.setdefault(DOMAIN, {"levels": {"head": 0, "foot": 0, "wave": 0}, "presses": []})
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True
