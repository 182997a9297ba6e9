"""Set-up, unload, not-ready and auth failure."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager import tuya_flow
from custom_components.smart_massager.const import CONF_TRANSPORT, DOMAIN
from emulators.reference import EmulatorServer

from .conftest import wait_for


async def test_load_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    await wait_for(hass, lambda: emulator.stream_count == 1)
    assert entry.runtime_data.coordinator.stream_connected
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    # The push stream is closed on unload (the harness also fails on a lingering task).
    await wait_for(hass, lambda: emulator.stream_count == 0)


async def test_not_ready_when_unreachable(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await emulator.stop()
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "Cannot reach Back massager" in (config_entry.reason or "")


async def test_refused_token_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: EmulatorServer
) -> None:
    emulator.device.revoke_tokens()
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_token_revoked_while_running_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    await wait_for(hass, lambda: emulator.stream_count == 1)
    emulator.device.revoke_tokens()
    await emulator.drop_streams()
    await wait_for(hass, lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert hass.states.get("fan.back_massager").state == "unavailable"


async def test_entries_from_before_transports_are_migrated(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    # The fixture's entry is a 1.1 entry, as 0.1.0 created them: no transport named.
    assert CONF_TRANSPORT not in config_entry.data
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.data[CONF_TRANSPORT] == "reference"
    assert (config_entry.version, config_entry.minor_version) == (1, 3)
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_a_newer_entry_is_not_downgraded(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, version=2, data={})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_the_tuya_maps_are_read_off_the_event_loop(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read once at set-up in the executor; a Tuya entry built later finds them cached."""
    read_in: list[str] = []
    original = tuya_flow.shipped_maps

    def recording() -> Any:
        read_in.append(threading.current_thread().name)
        return original()

    monkeypatch.setattr(tuya_flow, "shipped_maps", recording)
    assert await async_setup_component(hass, DOMAIN, {})
    assert len(read_in) == 1
    assert read_in[0] != threading.main_thread().name  # not the event loop's thread
