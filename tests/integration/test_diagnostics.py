"""Diagnostics: useful, and without the pairing token or the serial."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from conftest import SERIAL


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = str(diagnostics)
    assert init_integration.data["token"] not in text
    assert SERIAL not in text
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert diagnostics["info"]["capabilities"]["intensity"] == {
        "minimum": 1,
        "maximum": 10,
        "step": 1,
        "values": [],
    }
    assert diagnostics["state"]["status"] == "idle"
    assert diagnostics["last_update_success"] is True
