"""A smart plug whose device has its own countdown: the entities form offers it, sessions arm it.

The plug is a mocked integration with real switch and number entities on one device, shaped
like a Wi-Fi plug with an auto-off countdown in minutes (Tuya's and Shelly's plugs offer one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from homeassistant.components.number import NumberEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import SOURCE_USER, ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from pytest_homeassistant_custom_component.common import mock_config_flow

from custom_components.smart_massager.const import DOMAIN

from .conftest import suggested
from .other_integration import add_integration
from .test_from_entities import call

DEVICE = DeviceInfo(connections={(dr.CONNECTION_NETWORK_MAC, "10:20:30:40:50:60")}, name="Plug")


class Plug(SwitchEntity):
    _attr_has_entity_name = True
    _attr_name = None
    _attr_unique_id = "plug_switch"
    _attr_device_info = DEVICE
    _attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self.async_write_ha_state()


class Countdown(NumberEntity):
    _attr_has_entity_name = True
    _attr_name = "Auto-off countdown"
    _attr_unique_id = "plug_countdown"
    _attr_device_info = DEVICE
    _attr_native_min_value = 0
    _attr_native_max_value = 1440
    _attr_native_unit_of_measurement = "min"
    _attr_native_value = 0

    async def async_set_native_value(self, value: float) -> None:
        self._attr_native_value = value
        self.async_write_ha_state()


class PlugFlow(ConfigFlow):
    """The plug integration's flow stands here only so its entry can be set up."""


@pytest.fixture(autouse=True)
def plug_flow() -> Iterator[None]:
    with mock_config_flow("wifi_plug", PlugFlow):
        yield


async def add_plug(hass: HomeAssistant) -> None:
    await add_integration(hass, "wifi_plug", "Plug", {"switch": [Plug()], "number": [Countdown()]})


FORM = {
    "name": "Cushion",
    "power_entity": "switch.plug",
    "intensity_levels": 5,
    "running_above": 5,
    "min_minutes": 1,
    "max_minutes": 30,
    "session_minutes": 15,
    "modes": 3,
}


async def open_entities_form(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "entities"}
    )
    return str(result["flow_id"])


async def test_the_plugs_countdown_is_offered_and_armed(hass: HomeAssistant) -> None:
    await add_plug(hass)
    flow_id = await open_entities_form(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, FORM)
    # Offered once, at the field it fills, with everything typed kept.
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"timer_entity": "device_timer_found"}
    shown = suggested(result)
    assert shown["timer_entity"] == "number.plug_auto_off_countdown"
    assert shown["name"] == "Cushion"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**FORM, "timer_entity": shown["timer_entity"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await call(hass, DOMAIN, "start_session", entity_id="fan.cushion", minutes=10)
    countdown = hass.states.get("number.plug_auto_off_countdown")
    assert countdown is not None
    assert float(countdown.state) == 12  # the session plus a margin: Home Assistant ends first
    await call(hass, DOMAIN, "stop_session", entity_id="fan.cushion")
    countdown = hass.states.get("number.plug_auto_off_countdown")
    assert countdown is not None
    assert float(countdown.state) == 0  # disarmed


async def test_declining_the_countdown_is_the_users_choice(hass: HomeAssistant) -> None:
    await add_plug(hass)
    flow_id = await open_entities_form(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, FORM)
    assert result["errors"] == {"timer_entity": "device_timer_found"}
    result = await hass.config_entries.flow.async_configure(flow_id, FORM)  # cleared
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "timer_entity" not in result["data"]
