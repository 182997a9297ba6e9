"""Diagnostics: useful, and without the pairing token, the serial or the host.

The whole output is a snapshot: a field added later shows up as a snapshot difference, so nothing
new reaches a bug report without someone deciding it may (`--snapshot-update` records it).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from conftest import SERIAL
from emulators.reference import EmulatorServer


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = str(diagnostics)
    assert init_integration.data["token"] not in text
    assert SERIAL not in text
    assert emulator.host not in text
    # The port is the emulator's (the OS picks it) and the revision orders pushed states: their
    # types are recorded, their values vary from run to run.
    assert diagnostics == snapshot(
        matcher=path_type({"entry.data.port": (int,), "state.revision": (int,)})
    )
