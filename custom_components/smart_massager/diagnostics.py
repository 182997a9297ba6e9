"""Diagnostics: entry, device info and state; tokens, keys, ids, serial, title, host redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_text

from .coordinator import MassagerConfigEntry
from .transport import secret_keys, transport_of

# Every family's secrets (the registry's), and what names any massager or where it is: the host
# too, an address on the user's network is theirs, not the bug report's.
TO_REDACT = secret_keys() | {CONF_HOST, "serial", "serial_number", "unique_id", "title"}


def _without_secrets(text: str, entry: MassagerConfigEntry) -> str:
    """A message with every secret value of the entry taken out (they may be quoted in it)."""
    for key in TO_REDACT:
        value = entry.data.get(key)
        if isinstance(value, str | int) and len(str(value)) >= 3:  # noqa: PLR2004
            text = text.replace(str(value), REDACTED)
    return clean_text(text, MAX_MESSAGE_LENGTH)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MassagerConfigEntry
) -> dict[str, Any]:
    """Everything useful for a bug report, nothing secret; also for an entry not loaded.

    An entry waiting for a new key or token, or whose set-up failed, is when diagnostics are
    needed most: then the entry's data, its state and the reason it gave.
    """
    diagnostics: dict[str, Any] = {
        "entry": {
            "data": dict(entry.data),
            "options": dict(entry.options),
            "unique_id": entry.unique_id,
            "title": entry.title,
            "state": entry.state.value,
            "reason": _without_secrets(entry.reason, entry) if entry.reason else None,
        },
    }
    row = transport_of(entry.data)
    if row is not None and row.device_shape is not None:
        diagnostics["device_shape"] = row.device_shape(entry.data)
    runtime = getattr(entry, "runtime_data", None)
    if runtime is not None:
        coordinator = runtime.coordinator
        error = coordinator.last_exception
        diagnostics |= {
            "info": asdict(runtime.info),
            "state": asdict(coordinator.data),
            "stream_connected": coordinator.stream_connected,
            "last_update_success": coordinator.last_update_success,
            "last_error": _without_secrets(str(error), entry) if error else None,
            # What the transport learned (a property dropped from the poll, a unit assumed).
            "transport_notes": coordinator.massager.diagnostics(),
        }
    return async_redact_data(diagnostics, TO_REDACT)
