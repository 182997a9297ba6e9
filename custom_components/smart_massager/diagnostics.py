"""Diagnostics: entry, device info and state; tokens, keys, ids, serial, title, host redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .const import CONF_DEVICE_ID, CONF_LOCAL_KEY, CONF_TOKEN
from .coordinator import MassagerConfigEntry

# The host too: an address on the user's network is theirs, not the bug report's.
# A Tuya local key opens the device to anyone on the network; its device id names it in the cloud.
TO_REDACT = {
    CONF_TOKEN,
    CONF_LOCAL_KEY,
    CONF_DEVICE_ID,
    CONF_HOST,
    "serial",
    "serial_number",
    "unique_id",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MassagerConfigEntry
) -> dict[str, Any]:
    """Everything useful for a bug report, nothing secret."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    return async_redact_data(
        {
            "entry": {
                "data": dict(entry.data),
                "options": dict(entry.options),
                "unique_id": entry.unique_id,
                "title": entry.title,
            },
            "info": asdict(runtime.info),
            "state": asdict(coordinator.data),
            "stream_connected": coordinator.stream_connected,
            "last_update_success": coordinator.last_update_success,
        },
        TO_REDACT,
    )
