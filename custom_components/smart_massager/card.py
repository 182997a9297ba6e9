"""The massage card: served from the integration's own folder and added to the dashboards.

The file is served under a URL that carries a hash of its content, so a new version is never
hidden by a browser's cached old one; the URL is added as a dashboard resource (storage mode) or,
where the user keeps resources in YAML, loaded on every page as an extra module.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.components.lovelace.resources import ResourceStorageCollection
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN, LOGGER

CARD_FILE = Path(__file__).parent / "frontend" / "smart-massager-card.js"
CARD_PATH = f"/{DOMAIN}/smart-massager-card.js"
RESOURCE_TYPE = "module"


def card_url(content: bytes) -> str:
    """The card's URL for this content of the file."""
    return f"{CARD_PATH}?v={hashlib.sha256(content).hexdigest()[:12]}"


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card and add it to the frontend; nothing where Home Assistant has no frontend.

    The card is an extra: a failure here is logged and never keeps a massager from loading.
    """
    if hass.http is None or "frontend" not in hass.config.components:
        return  # a headless instance (or a test without a web server): there is no one to show
    try:
        await _async_register(hass)
    except (OSError, HomeAssistantError, RuntimeError, ValueError) as err:
        LOGGER.warning("The massage card is not available on the dashboards: %s", err)


async def _async_register(hass: HomeAssistant) -> None:
    content = await hass.async_add_executor_job(CARD_FILE.read_bytes)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_PATH, str(CARD_FILE), cache_headers=True)]
    )
    url = card_url(content)
    lovelace = hass.data.get(LOVELACE_DATA)
    if lovelace is not None and isinstance(lovelace.resources, ResourceStorageCollection):
        await async_keep_resource(lovelace.resources, url)
    else:
        add_extra_js_url(hass, url)  # resources in YAML are the user's: load it beside them


async def async_keep_resource(resources: ResourceStorageCollection, url: str) -> None:
    """One resource for the card, at this version's URL (an older version's is updated)."""
    await resources.async_get_info()  # loads the stored resources
    ours = [
        item
        for item in resources.async_items()
        if str(item.get("url", "")).partition("?")[0] == CARD_PATH
    ]
    if not ours:
        await resources.async_create_item({"res_type": RESOURCE_TYPE, "url": url})
        LOGGER.info("Added the massage card to the dashboards' resources")
        return
    first, *extra = ours
    for item in extra:  # added twice by hand: one is enough
        await resources.async_delete_item(item["id"])
    if first.get("url") != url or first.get("type") != RESOURCE_TYPE:
        await resources.async_update_item(first["id"], {"res_type": RESOURCE_TYPE, "url": url})
