"""Diagnostics: useful, and without the pairing token, the serial or the host.

The whole output is a snapshot: a field added later shows up as a snapshot difference, so nothing
new reaches a bug report without someone deciding it may (`--snapshot-update` records it).
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from conftest import start_miot, start_tuya
from custom_components.smart_massager.const import DOMAIN, TRANSPORT_TUYA
from custom_components.smart_massager.credentials import DOUBTS
from emulators.reference import EmulatorServer
from pysmartmassager.credential_doubts import CredentialDoubts

from .conftest import set_up
from .entries import miot_entry, tuya_entry
from .setups import SETUPS, set_up_massager


@pytest.mark.parametrize("kind", SETUPS)
async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    kind: str,
) -> None:
    async with set_up_massager(kind, hass, emulator, config_entry) as massager:
        entry = massager.entry
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    for key in ("token", "local_key", "device_id", "host"):
        if secret := entry.data.get(key):
            assert str(secret) not in text, key
    assert entry.unique_id is None or entry.unique_id not in text
    # A port is the emulator's (the OS picks it), the revision orders pushed states and a
    # source entity is kept by its registry id: their types are recorded, their values vary.
    assert diagnostics == snapshot(
        matcher=path_type(
            {
                r"entry\.data\.port": (int,),
                r"state\.revision": (int,),
                r"entry\.(data|options)\.\w+_entity": (str,),
            },
            regex=True,
        )
    )


# -- an entry that is not loaded: when diagnostics are needed most ----------------------------


async def diagnostics_of(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> dict[str, Any]:
    await set_up(hass, entry)
    assert entry.state is not ConfigEntryState.LOADED
    return await get_diagnostics_for_config_entry(hass, hass_client, entry)


def secrets_of(entry: MockConfigEntry) -> list[str]:
    keys = ("token", "local_key", "device_id", "host")
    return [str(entry.data[key]) for key in keys if key in entry.data]


async def test_an_unreachable_reference_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    await emulator.stop()
    diagnostics = await diagnostics_of(hass, hass_client, config_entry)
    assert diagnostics["entry"]["state"] == "setup_retry"
    assert diagnostics["entry"]["reason"]
    text = str(diagnostics)
    for secret in secrets_of(config_entry):
        assert secret not in text


@pytest.mark.usefixtures("socket_enabled")
async def test_a_tuya_device_waiting_for_a_new_key(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    # No patience needed for this test: the first refused key is taken as a new key.
    hass.data[DOUBTS] = {TRANSPORT_TUYA: CredentialDoubts(times=1, over_s=0.0)}
    server = await start_tuya("massage_chair", "3.4")
    try:
        entry = tuya_entry(server, local_key="0123456789abcdef")
        diagnostics = await diagnostics_of(hass, hass_client, entry)
    finally:
        await server.stop()
    assert diagnostics["entry"]["state"] in {"setup_error", "setup_retry"}
    text = str(diagnostics)
    for secret in secrets_of(entry):
        assert secret not in text


@pytest.mark.usefixtures("socket_enabled")
async def test_a_damaged_miot_entry(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    server = await start_miot("chair")
    try:
        entry = miot_entry(server)
        damaged = MockConfigEntry(
            domain=DOMAIN,
            title="Damaged",
            unique_id="miot:1",
            minor_version=2,
            data={**entry.data, "miot_map": {"roles": {"power": {"siid": "x"}}}},
        )
        diagnostics = await diagnostics_of(hass, hass_client, damaged)
    finally:
        await server.stop()
    assert diagnostics["entry"]["state"] == "setup_error"
    assert "damaged" in diagnostics["entry"]["reason"]
    text = str(diagnostics)
    for secret in secrets_of(damaged):
        assert secret not in text


async def test_a_massager_whose_plug_is_missing(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Cushion",
        minor_version=3,
        data={"transport": "entities", "power_entity": "switch.gone", "session_minutes": 15},
    )
    diagnostics = await diagnostics_of(hass, hass_client, entry)
    assert diagnostics["entry"]["state"] == "setup_retry"
    assert "switch.gone" in diagnostics["entry"]["reason"]
