"""What a device page says about the massager: a serial only where there is one, no "-" firmware.

Tuya's and Xiaomi's device ids are redacted in diagnostics; showing them as a "Serial number"
would undo that for anyone who screenshots the page. A massager built from entities has neither
a serial nor firmware. The reference protocol's serial is the device's own (see test_entities).
"""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from conftest import start_miot, start_tuya
from custom_components.smart_massager.const import DOMAIN

from .conftest import set_up
from .entries import miot_entry, tuya_entry
from .test_from_entities import PLUG, add_through_the_flow, helpers

__all__ = ["helpers"]  # a fixture, used by name


def only_device(device_registry: dr.DeviceRegistry, entry_id: str) -> dr.DeviceEntry:
    (device,) = dr.async_entries_for_config_entry(device_registry, entry_id)
    assert next(iter(device.identifiers))[0] == DOMAIN
    return device


@pytest.mark.usefixtures("socket_enabled")
async def test_a_tuya_device_id_is_not_shown_as_a_serial(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    server = await start_tuya()
    try:
        entry = await set_up(hass, tuya_entry(server))
        device = only_device(device_registry, entry.entry_id)
        assert device.serial_number is None
        assert device.model == "Massage chair"
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await server.stop()


@pytest.mark.usefixtures("socket_enabled")
async def test_a_xiaomi_device_id_is_not_shown_as_a_serial(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    server = await start_miot()
    try:
        entry = await set_up(hass, miot_entry(server))
        device = only_device(device_registry, entry.entry_id)
        assert device.serial_number is None
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await server.stop()


@pytest.mark.usefixtures("helpers")
async def test_a_massager_built_from_entities_shows_no_serial_and_no_firmware(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = await add_through_the_flow(hass, power_entity=PLUG)
    device = only_device(device_registry, entry.entry_id)
    # The entry id is the device's identity (its identifiers), not a serial to show.
    assert (device.serial_number, device.sw_version) == (None, None)
