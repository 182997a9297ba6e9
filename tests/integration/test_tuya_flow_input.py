"""Tuya flow input that a user (or a broken devices.json) can give: field errors, no echo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import probatio
import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv

from custom_components.smart_massager.const import DOMAIN
from emulators.tuya import TuyaEmulatorServer

from .conftest import suggested
from .test_tuya import chair, emulator_port, no_discovery

__all__ = ["chair", "emulator_port", "no_discovery"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("socket_enabled")
TRANSLATIONS = json.loads(
    (Path(__file__).parents[2] / "custom_components/smart_massager/strings.json").read_text()
)
SURROGATE_KEY = "\ud800" + "a" * 15  # valid JSON ("\\ud800..."), not encodable


async def start(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tuya"}
    )
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step})


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


@pytest.mark.usefixtures("emulator_port")
@pytest.mark.parametrize(
    ("typed_host", "error"),
    [
        ("  http://127.0.0.1/  ", None),
        ("http://", "invalid_host"),
        ("192.168.1.300", "invalid_host"),
    ],
)
async def test_the_manual_host_is_read_as_the_other_flows_read_it(
    hass: HomeAssistant, chair: TuyaEmulatorServer, typed_host: str, error: str | None
) -> None:
    result = await start(hass, "tuya_manual")
    typed = {
        "name": "Cushion",
        "host": typed_host,
        "device_id": chair.device_id,
        "local_key": chair.local_key,
        "protocol_version": "auto",
        "datapoint_map": "amy",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    if error is not None:
        assert result["errors"] == {"host": error}
        assert suggested(result)["host"] == typed_host  # kept for correcting
        return
    # A scheme and a path fall away; the connection was tried on the address under them.
    assert result["step_id"] == "tuya_datapoints"


@pytest.mark.usefixtures("emulator_port")
async def test_datapoint_ids_are_typed_into_boxes_labelled_by_what_they_do(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    result = await start(hass, "tuya_manual")
    typed = {
        "name": "",
        "host": chair.host,
        "device_id": chair.device_id,
        "local_key": chair.local_key,
        "protocol_version": "auto",
        "datapoint_map": "amy",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["step_id"] == "tuya_datapoints"
    # What the frontend is sent: a number box per code (not a slider with no number shown).
    fields = {
        field["name"]: field
        for field in probatio.to_field_list(
            result["data_schema"], custom_serializer=cv.custom_serializer
        )
    }
    assert fields["switch"]["required"] is True
    assert {
        name: field["selector"]["number"]["mode"] for name, field in fields.items()
    } == dict.fromkeys(fields, "box")
    # Each one labelled in words (the translation test checks every code of every map has one).
    labels = TRANSLATIONS["config"]["step"]["tuya_datapoints"]["data"]
    assert labels["aircell_location"] == "Air-cell zone"
    # The ids the emulated chair publishes (its devices.json mapping), typed as numbers.
    ids = {
        dp["code"]: int(dp_id)
        for dp_id, dp in chair.device_entry()["mapping"].items()
        if dp["code"] in fields
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ids)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # No name typed: a neutral title, not the map's "Massage chair" (the device may be a cushion).
    assert result["title"] == "Tuya massager"
