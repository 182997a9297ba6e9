"""Zones with levels of their own on a network massager (the reference protocol's level_zones).

The same entities, actions and voice as a bed built from entities (test_beds.py), from a device
that reports its zones' levels itself: the emulator with a neck and a seat zone.
"""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import DOMAIN
from emulators.reference import Catalogue, EmulatorServer

from .conftest import setup_assist, wait_for
from .test_from_entities import call
from .test_voice import converse

FAN = "fan.back_massager"


@pytest.fixture
async def zoned(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> EmulatorServer:
    emulator.device.catalogue = Catalogue(level_zones={"neck": "Neck", "seat": "Seat"})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: emulator.stream_count == 1)
    return emulator


async def test_a_number_per_zone_and_actions_per_zone(
    hass: HomeAssistant, zoned: EmulatorServer
) -> None:
    device = zoned.device
    neck = "number.back_massager_neck_intensity"
    state = hass.states.get(neck)
    assert state is not None
    assert (state.state, state.attributes["min"], state.attributes["max"]) == ("0", 0, 10)
    await call(hass, DOMAIN, "start_session", entity_id=FAN, zone="seat", intensity=5)
    assert device.zone_levels == {"neck": 0, "seat": 5}
    await call(hass, "number", "set_value", entity_id=neck, value=3)
    await wait_for(hass, lambda: hass.states.get(neck).state == "3")  # type: ignore[union-attr]
    await call(hass, DOMAIN, "adjust", entity_id=FAN, zone="neck", firmer=2)
    assert device.zone_levels == {"neck": 5, "seat": 5}
    with pytest.raises(ServiceValidationError):
        await call(hass, DOMAIN, "adjust", entity_id=FAN, zone="feet", firmer=1)
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)


async def test_voice_per_zone_on_a_network_massager(
    hass: HomeAssistant, zoned: EmulatorServer
) -> None:
    await setup_assist(hass)
    await call(hass, DOMAIN, "start_session", entity_id=FAN, zone="neck", intensity=4)
    response_type, said = await converse(hass, "make the neck massage stronger")
    assert response_type == "action_done", said
    assert zoned.device.zone_levels["neck"] == 5
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)
