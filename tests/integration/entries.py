"""Config entries as the Tuya and MIoT flows create them, for the emulated devices."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from conftest import MIOT_TOKEN
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.miot_flow import FoundDevice, miot_entry_data, miot_unique_id
from custom_components.smart_massager.tuya_flow import tuya_entry_data, tuya_unique_id
from emulators.miot import MiotEmulatorServer
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager.miot import massager_map
from pysmartmassager.tuya import map_for, parse_mapping


def tuya_entry(
    server: TuyaEmulatorServer, title: str | None = None, local_key: str | None = None
) -> MockConfigEntry:
    """A config entry as the Tuya flow creates it from the device's devices.json entry."""
    file_entry = server.device_entry()
    mapping = parse_mapping(file_entry["mapping"])
    data = tuya_entry_data(
        (server.host, server.port),
        server.device_id,
        local_key or server.local_key,
        server.version,
        mapping,
        map_for(file_entry["category"], None, mapping),
    )
    return MockConfigEntry(
        domain=DOMAIN,
        title=title or file_entry["name"],
        unique_id=tuya_unique_id(server.device_id),
        minor_version=2,
        data=data,
    )


def miot_entry(server: MiotEmulatorServer, title: str = "Xiaomi chair") -> MockConfigEntry:
    """A config entry as the MIoT flow creates it."""
    found = FoundDevice("127.0.0.1", server.port, MIOT_TOKEN, server.device_id, server.model, "")
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=miot_unique_id(server.device_id),
        minor_version=2,
        data=miot_entry_data(found, massager_map(server.model, server.device.spec)),
    )


async def to_tuya_roles(
    hass: HomeAssistant, server: TuyaEmulatorServer, others: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """From the menu to the Tuya role step, the device's devices.json entry pasted (after
    `others`). The flow's discovery listener must be kept off the real ports by the caller."""
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], {"next_step_id": "tuya"})
    result = await flow.async_configure(result["flow_id"], {"next_step_id": "tuya_paste"})
    pasted = json.dumps([*(others or []), server.device_entry()])
    result = await flow.async_configure(result["flow_id"], {"devices_json": pasted})
    if result["step_id"] == "tuya_pick":  # a massager a shipped map fits is in the file too
        result = await flow.async_configure(result["flow_id"], {"device": "none"})
    assert result["step_id"] == "tuya_pick_other"
    result = await flow.async_configure(result["flow_id"], {"device": "0"})
    assert result["step_id"] == "tuya_device"
    result = await flow.async_configure(
        result["flow_id"], {"host": server.host, "protocol_version": "auto"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "tuya_roles")
    return result
