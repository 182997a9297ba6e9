"""Tuya flow input that a user (or a broken devices.json) can give: field errors, no echo."""

from __future__ import annotations

import json
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.smart_massager.const import DOMAIN
from emulators.tuya import TuyaEmulatorServer

from .test_tuya import chair, emulator_port, no_discovery

__all__ = ["chair", "emulator_port", "no_discovery"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("socket_enabled")
SURROGATE_KEY = "\ud800" + "a" * 15  # valid JSON ("\\ud800..."), not encodable


async def start(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tuya"}
    )
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step})


def suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


@pytest.mark.usefixtures("emulator_port")
async def test_a_devices_json_key_with_a_lone_surrogate_is_a_field_error(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    result = await start(hass, "tuya_paste")
    text = json.dumps({**chair.device_entry(), "key": SURROGATE_KEY})
    assert "\\ud800" in text  # what the file holds: valid JSON
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": text}
    )
    assert result["type"] is FlowResultType.FORM
    # Said as what it is: a devices.json whose key is damaged, not "not a devices.json".
    assert result["errors"] == {"devices_json": "invalid_local_key_in_file"}


@pytest.mark.usefixtures("emulator_port")
@pytest.mark.parametrize("key", [SURROGATE_KEY, "short", "k3y!Emul@tor#16\n"])
async def test_a_typed_key_that_cannot_be_one_is_a_field_error_and_never_echoed(
    hass: HomeAssistant, chair: TuyaEmulatorServer, key: str
) -> None:
    result = await start(hass, "tuya_manual")
    typed = {
        "name": "Chair",
        "host": chair.host,
        "device_id": chair.device_id,
        "local_key": key,
        "protocol_version": "auto",
        "datapoint_map": "amy",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {"local_key": "invalid_local_key"}
    shown = suggested(result)
    assert "local_key" not in shown
    assert shown["device_id"] == chair.device_id  # the rest is kept for correcting


@pytest.mark.usefixtures("emulator_port")
async def test_a_wrong_key_is_not_echoed_either(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    result = await start(hass, "tuya_manual")
    typed = {
        "name": "Chair",
        "host": chair.host,
        "device_id": chair.device_id,
        "local_key": "zyxwvutsrqponmlk",
        "protocol_version": "auto",
        "datapoint_map": "amy",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {"local_key": "invalid_local_key"}
    assert "zyxwvutsrqponmlk" not in str(suggested(result))
