"""A Tuya massager in Home Assistant: adding it, its key changing, and Home Assistant as its timer.

The device is the Tuya emulator over loopback TCP (its wire layer is tinytuya's). What every
massager does (entities, actions, routines, diagnostics) is in test_behaviour.py, which runs
against a Tuya chair and cushion too; here is what is Tuya's own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from tinytuya.core import header as tuya_header
from tinytuya.core.message_helper import TuyaMessage, pack_message
from tinytuya.core.udp_helper import encrypt, udpkey

from conftest import TUYA_KEY, start_tuya
from custom_components.smart_massager import tuya_flow
from custom_components.smart_massager.const import DOMAIN, TRANSPORT_TUYA
from custom_components.smart_massager.credentials import DOUBTS
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager.credential_doubts import CredentialDoubts

from .conftest import advance, set_up, wait_for
from .entries import tuya_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")
FAN = "fan.massage_chair"
ENDS = "sensor.massage_chair_session_ends"
WRONG_KEY = "0000000000000000"


@pytest.fixture(autouse=True)
def no_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's listener on an OS-chosen loopback port, not the real Tuya ports."""
    monkeypatch.setattr(tuya_flow, "DISCOVERY_PORTS", (0,))
    monkeypatch.setattr(tuya_flow, "DISCOVERY_HOST", "127.0.0.1")


@pytest.fixture
def impatient(hass: HomeAssistant) -> None:
    """A hang-up on every version counts as a changed key at once (normally: 3 times in 5 min)."""
    hass.data[DOUBTS] = {TRANSPORT_TUYA: CredentialDoubts(times=1, over_s=0.0)}


@pytest.fixture(params=["3.4"])
async def chair(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncGenerator[TuyaEmulatorServer]:
    server = await start_tuya("massage_chair", request.param)
    yield server
    await server.stop()


def entry_for(server: TuyaEmulatorServer, local_key: str = TUYA_KEY) -> MockConfigEntry:
    return tuya_entry(server, local_key=local_key)


async def start_flow(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tuya"}
    )
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step})


@pytest.fixture
def emulator_port(monkeypatch: pytest.MonkeyPatch, chair: TuyaEmulatorServer) -> None:
    """Entries created by the flow use the port Tuya devices listen on; here, the emulator's."""
    monkeypatch.setattr(tuya_flow, "DEFAULT_PORT", chair.port)


# -- adding a massager -----------------------------------------------------------------------------


@pytest.mark.usefixtures("emulator_port")
async def test_add_from_a_pasted_devices_json(
    hass: HomeAssistant, chair: TuyaEmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plug = {
        "name": "Desk plug",
        "id": "bf" + "1" * 18,
        "key": "x" * 16,
        "mapping": {"1": {"code": "switch_1", "type": "Boolean"}},
    }
    file_text = json.dumps([plug, chair.device_entry()])
    result = await start_flow(hass, "tuya_paste")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": "not json"}
    )
    assert result["errors"] == {"devices_json": "invalid_devices_json"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": json.dumps([plug])}
    )
    assert result["errors"] == {"devices_json": "no_massager_in_file"}
    # The plug is no massager: only the chair is offered, so no choice is asked.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": file_text}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "tuya_device")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": chair.host, "protocol_version": "auto"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Massage chair"
    data = result["data"]
    assert (data["transport"], data["protocol_version"], data["datapoint_map"]) == (
        "tuya",
        "3.4",
        "amy",
    )
    assert data["local_key"] == TUYA_KEY
    await hass.async_block_till_done()
    assert hass.states.get(FAN) is not None
    assert TUYA_KEY not in caplog.text
    assert chair.device_id not in result["title"]


async def test_pick_one_of_several(hass: HomeAssistant, chair: TuyaEmulatorServer) -> None:
    second = {**chair.device_entry(), "id": "bf" + "2" * 18, "name": "Cushion"}
    result = await start_flow(hass, "tuya_paste")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": json.dumps([chair.device_entry(), second])}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "tuya_pick")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"device": "1"})
    assert result["step_id"] == "tuya_device"
    assert result["description_placeholders"] == {"name": "Cushion"}


@pytest.mark.usefixtures("emulator_port")
@pytest.mark.parametrize(
    ("key", "host_up", "error"),
    [(WRONG_KEY, True, "invalid_local_key"), (TUYA_KEY, False, "cannot_connect")],
)
async def test_pasted_device_errors(
    hass: HomeAssistant, chair: TuyaEmulatorServer, key: str, host_up: bool, error: str
) -> None:
    result = await start_flow(hass, "tuya_paste")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": json.dumps({**chair.device_entry(), "key": key})}
    )
    if not host_up:
        await chair.stop()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": chair.host, "protocol_version": "3.4"}
    )
    # On the field at fault: the key's field is on this form, for a key newer than the file.
    field = "host" if error == "cannot_connect" else "local_key"
    assert result["errors"] == {field: error}
    assert chair.device.value("switch") is False


@pytest.mark.usefixtures("emulator_port")
async def test_a_pasted_key_out_of_date_is_corrected_on_the_same_form(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    result = await start_flow(hass, "tuya_paste")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": json.dumps({**chair.device_entry(), "key": WRONG_KEY})}
    )
    typed = f"http://{chair.host}/"  # as a browser's address bar shows it
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": typed, "protocol_version": "3.4"}
    )
    assert result["errors"] == {"local_key": "invalid_local_key"}
    # What was typed comes back (not the file's address), the key never does.
    shown = {str(key): key.description for key in result["data_schema"].schema}
    assert shown["host"] == {"suggested_value": typed}
    assert shown["local_key"] is None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": typed, "protocol_version": "3.4", "local_key": TUYA_KEY}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["data"]["host"], result["data"]["local_key"]) == (chair.host, TUYA_KEY)


async def test_a_pasted_device_refuses_a_host_that_is_not_one(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    result = await start_flow(hass, "tuya_paste")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"devices_json": json.dumps(chair.device_entry())}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "http://", "protocol_version": "3.4"}
    )
    assert result["errors"] == {"host": "invalid_host"}
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.usefixtures("emulator_port")
async def test_add_by_hand(hass: HomeAssistant, chair: TuyaEmulatorServer) -> None:
    result = await start_flow(hass, "tuya_manual")
    assert result["step_id"] == "tuya_manual"
    typed = {
        "name": "Living room chair",
        "host": chair.host,
        "device_id": chair.device_id,
        "local_key": WRONG_KEY,
        "protocol_version": "auto",
        "datapoint_map": "amy",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {"local_key": "invalid_local_key"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**typed, "local_key": f" {TUYA_KEY} "},  # pasted with spaces
    )
    assert result["step_id"] == "tuya_datapoints"
    ids = {
        "switch": 1,
        "time_set": 2,
        "heat": 3,
        "massage_speed": 5,
        "manual_mode": 8,
        "auto_mode": 9,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {**ids, "heat": 1})
    assert result["errors"] == {"base": "duplicate_datapoint"}
    # The power datapoint at an id the device does not have: not a massager it can run.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**ids, "switch": 99}
    )
    assert result["errors"] == {"base": "not_massager"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ids)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living room chair"
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "start_session",
        {"entity_id": "fan.living_room_chair", "program": "shiatsu", "intensity": 3},
        blocking=True,
    )
    assert (chair.device.value("manual_mode"), chair.device.value("massage_speed")) == (
        "shiatsu",
        "level_3",
    )


async def test_devices_heard_on_the_network_prefill_the_form(
    hass: HomeAssistant, chair: TuyaEmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(tuya_flow, "DISCOVERY_PORTS", (port,))
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tuya"}
    )
    announcement = {
        "ip": "192.168.1.77",
        "gwId": chair.device_id,
        "version": "3.4",
        "productKey": "k",
    }
    body = b"\x00\x00\x00\x00" + encrypt(json.dumps(announcement).encode(), udpkey)
    packet = pack_message(
        TuyaMessage(0, 0x13, None, body, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as device:
        device.sendto(packet, ("127.0.0.1", port))
    flow = hass.config_entries.flow._progress[result["flow_id"]]
    await wait_for(hass, lambda: bool(flow._heard()))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "tuya_manual"}
    )
    assert result["step_id"] == "tuya_discovered"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"discovered": chair.device_id}
    )
    assert result["step_id"] == "tuya_manual"
    schema = {str(key): key.description for key in result["data_schema"].schema}
    # The sender's address: where the device really is, whatever the broadcast names.
    assert schema["host"] == {"suggested_value": "127.0.0.1"}
    assert schema["device_id"] == {"suggested_value": chair.device_id}
    assert schema["protocol_version"] == {"suggested_value": "3.4"}
    hass.config_entries.flow.async_abort(result["flow_id"])
    await asyncio.sleep(0)
    assert flow._tuya_discovery._discovery.listening == []  # stopped with the flow


# -- the key changes -------------------------------------------------------------------------------


@pytest.mark.usefixtures("impatient")
async def test_a_changed_key_asks_for_the_new_one(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    entry = entry_for(chair, local_key=WRONG_KEY)  # the device was paired again in its app
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"local_key": "1" * 16}
    )
    assert result["errors"] == {"base": "invalid_local_key"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"local_key": TUYA_KEY}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["local_key"] == TUYA_KEY
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_a_new_address(hass: HomeAssistant, chair: TuyaEmulatorServer) -> None:
    entry = await set_up(hass, entry_for(chair))
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "tuya_reconfigure"
    await chair.stop()  # nothing answers at the address typed
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    await chair.start()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1"}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


# -- Home Assistant as the timer -------------------------------------------------------------------


async def test_home_assistant_ends_a_tuya_session_and_heat(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, chair: TuyaEmulatorServer
) -> None:
    entry = await set_up(hass, entry_for(chair))
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10, "heat": True}, blocking=True
    )
    assert (chair.device.value("switch"), chair.device.value("heat")) == (True, True)
    # The length is written to the device too, for a device that does keep time.
    assert chair.device.value("time_set") == 10
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=10))) < timedelta(seconds=2)
    await advance(hass, freezer, minutes=10, seconds=1)
    await wait_for(hass, lambda: chair.device.value("switch") is False)
    assert chair.device.value("heat") is False
    await wait_for(hass, lambda: hass.states.get(FAN).state == "off")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_after_a_restart_past_the_end_it_is_stopped_and_nothing_starts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, chair: TuyaEmulatorServer
) -> None:
    entry = await set_up(hass, entry_for(chair))
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10}, blocking=True
    )
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=25))
    await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(hass, lambda: chair.device.value("switch") is False)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # Idle at the next restart: nothing is switched on.
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert chair.device.value("switch") is False
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_press_on_the_chair_gets_the_default_length(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, chair: TuyaEmulatorServer
) -> None:
    entry = await set_up(hass, entry_for(chair))
    await chair.press("switch", True)  # pushed: no polling needed
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on")
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    # The chair's own time_set (15 min) is the length.
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=15))) < timedelta(seconds=2)
    await advance(hass, freezer, minutes=15, seconds=1)
    await wait_for(hass, lambda: chair.device.value("switch") is False)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_unreachable_chair_comes_back(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    entry = await set_up(hass, entry_for(chair))
    await chair.restart()  # a power cut: the connection drops, the device comes back
    await chair.press("switch", True)
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on", timeout=10)
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.usefixtures("impatient")
async def test_a_key_changed_while_running_asks_for_the_new_one(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    entry = await set_up(hass, entry_for(chair))
    chair.local_key = "fedcba9876543210"  # paired again in the app
    await chair.restart()
    await wait_for(
        hass, lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)), timeout=10
    )
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_hang_up_at_set_up_is_retried_not_a_new_key(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    # Hanging up once (the app holds the device's one connection) makes the entry retry, not
    # ask for a new key.
    entry = entry_for(chair, local_key=WRONG_KEY)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.config_entries.async_unload(entry.entry_id)


def test_an_entry_the_transport_cannot_run_is_recognised(chair: TuyaEmulatorServer) -> None:
    data = dict(entry_for(chair).data)
    profile = tuya_flow.tuya_profile(data)
    assert profile is not None
    assert profile.power.dp_id == "1"
    broken = {**data, "mapping": {"1": {"code": "switch", "type": "String"}}}
    assert tuya_flow.tuya_profile(broken) is None
    assert tuya_flow.tuya_profile({**data, "datapoint_map": "no_such_map"}) is None


async def test_a_new_protocol_version_is_found_and_kept(
    hass: HomeAssistant, chair: TuyaEmulatorServer
) -> None:
    known = entry_for(chair)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=known.title,
        unique_id=known.unique_id,
        minor_version=2,
        data={**known.data, "protocol_version": "3.3"},  # what it spoke before an update
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["protocol_version"] == "3.4"  # the chair's, written back
    await hass.config_entries.async_unload(entry.entry_id)
