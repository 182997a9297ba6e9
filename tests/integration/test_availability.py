"""Availability follows the device, with exactly one log line each way and no traceback."""

from __future__ import annotations

import logging

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from emulators.reference import EmulatorServer

from .conftest import wait_for

ENTITIES = (
    "fan.back_massager",
    "select.back_massager_program",
    "number.back_massager_intensity",
    "switch.back_massager_heat",
    "sensor.back_massager_status",
)


def unavailable(hass: HomeAssistant) -> bool:
    return all(hass.states.get(entity).state == "unavailable" for entity in ENTITIES)


def available(hass: HomeAssistant) -> bool:
    return all(hass.states.get(entity).state != "unavailable" for entity in ENTITIES)


async def test_device_off_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await wait_for(hass, lambda: emulator.stream_count == 1)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="custom_components.smart_massager")

    await emulator.stop()  # power cut: the port closes, the stream breaks
    await wait_for(hass, lambda: unavailable(hass), timeout=10)
    await emulator.start()  # same port
    await wait_for(hass, lambda: available(hass), timeout=5)

    ours = [r for r in caplog.records if r.name.startswith("custom_components.smart_massager")]
    lost = [r for r in ours if r.levelno >= logging.WARNING]
    back = [r for r in ours if r.levelno == logging.INFO]
    assert len(lost) == 1, [r.getMessage() for r in ours]
    assert "unreachable" in lost[0].getMessage()
    assert len(back) == 1, [r.getMessage() for r in ours]
    assert "reachable again" in back[0].getMessage()
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.WARNING)
    # The state after recovery is the device's (it rebooted: idle).
    assert hass.states.get("sensor.back_massager_status").state == "idle"


async def test_stream_hiccup_with_device_reachable_changes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = init_integration.runtime_data.coordinator
    await wait_for(hass, lambda: emulator.stream_count == 1)
    caplog.set_level(logging.INFO, logger="custom_components.smart_massager")
    caplog.clear()
    connections = coordinator.subscription.connections  # type: ignore[attr-defined]
    await emulator.drop_streams()
    await wait_for(hass, lambda: coordinator.subscription.connections == connections + 1)  # type: ignore[attr-defined]
    assert available(hass)
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and r.name.startswith("custom_components")
    ]
    # Push healthy again: no polling is scheduled.
    assert coordinator.update_interval is None
