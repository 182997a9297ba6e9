"""Xiaomi MIoT massagers in Home Assistant: the config flow, reauth, reconfigure, HA as the timer.

The device is the MIoT emulator over loopback UDP (its packets are python-miio's). Xiaomi's spec
server cannot be reached from here, so it is replaced by a small aiohttp server on loopback that
answers the same two requests with the emulator's own spec (the only mock in this file).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from conftest import MIOT_TOKEN, start_miot
from custom_components.smart_massager import miot_flow
from custom_components.smart_massager.const import DOMAIN, TRANSPORT_MIOT
from custom_components.smart_massager.credentials import DOUBTS
from emulators.miot import MiotEmulatorServer
from pysmartmassager.credential_doubts import CredentialDoubts
from pysmartmassager.miot import connection as miot_connection
from pysmartmassager.miot import massager as miot_massager

from .conftest import advance, set_up, setup_assist, suggested, wait_for
from .entries import miot_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")
FAN = "fan.xiaomi_chair"
ENDS = "sensor.xiaomi_chair_session_ends"
WRONG_TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short request timeouts (a wrong token is silence) and quick idle polling."""
    monkeypatch.setattr(miot_connection, "REQUEST_TIMEOUT_S", 0.5)
    monkeypatch.setattr(miot_massager, "IDLE_POLL_S", 0.2)


@pytest.fixture
async def chair(request: pytest.FixtureRequest) -> AsyncGenerator[MiotEmulatorServer]:
    """The emulated chair; a test may ask for another product (indirect parametrize)."""
    server = await start_miot(getattr(request, "param", "chair"))
    yield server
    await server.stop()


class SpecServer:
    """Xiaomi's spec server on loopback: the instance list and one spec (the emulator's)."""

    def __init__(self, listing: dict[str, Any], spec: Any) -> None:
        self.listing, self.spec, self.requests = listing, spec, 0
        app = web.Application()
        app.router.add_get("/miot-spec-v2/instances", self._instances)
        app.router.add_get("/miot-spec-v2/instance", self._instance)
        self.server = TestServer(app, host="127.0.0.1")

    async def _instances(self, _request: web.Request) -> web.Response:
        self.requests += 1
        return web.json_response(self.listing)

    async def _instance(self, _request: web.Request) -> web.Response:
        return web.json_response(self.spec)


@pytest.fixture
async def spec_server(
    chair: MiotEmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[SpecServer]:
    listing = {
        "instances": [
            {
                "model": chair.model,
                "version": 1,
                "type": chair.device.spec["type"],
                "status": "released",
            }
        ]
    }
    server = SpecServer(listing, chair.device.spec)
    await server.server.start_server()
    monkeypatch.setattr(miot_flow, "SPEC_SERVER_URL", str(server.server.make_url("")).rstrip("/"))
    yield server
    await server.server.close()


async def start_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert "miot" in result["menu_options"]
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "miot"}
    )


def form(chair: MiotEmulatorServer, **changes: str) -> dict[str, str]:
    return {
        "name": "Xiaomi chair",
        "host": f"127.0.0.1:{chair.port}",
        "token": MIOT_TOKEN,
    } | changes


# -- adding a massager -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chair", "model"),
    [("chair", "smartmassager.massage.emuchair"), ("m900", "myoung.massage.m900")],
    indirect=["chair"],
)
async def test_add_by_address_and_token(
    hass: HomeAssistant,
    model: str,
    chair: MiotEmulatorServer,
    spec_server: SpecServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await start_flow(hass)
    assert result["step_id"] == "miot"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Xiaomi chair"
    entry = result["result"]
    assert entry.unique_id == f"miot:{chair.device_id}"
    assert entry.data["model"] == model  # the m900: its real device type, massage not massager
    assert entry.data["port"] == chair.port
    assert set(entry.data["miot_map"]["roles"]) >= {"power", "program", "intensity", "heat"}
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(FAN).state == "off"
    await hass.services.async_call("fan", "turn_on", {"entity_id": FAN}, blocking=True)
    assert chair.device.value("on") is True
    assert MIOT_TOKEN not in caplog.text
    assert MIOT_TOKEN not in entry.title
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"host": "http://"}, {"host": "invalid_host"}),
        ({"token": "abc"}, {"token": "invalid_token_format"}),
        ({"token": WRONG_TOKEN}, {"token": "invalid_token"}),
        ({"host": "127.0.0.1:9"}, {"host": "cannot_connect"}),
    ],
)
async def test_form_errors_name_their_field(
    hass: HomeAssistant,
    chair: MiotEmulatorServer,
    spec_server: SpecServer,
    changes: dict[str, str],
    errors: dict[str, str],
) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(chair, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert result["data_schema"]({"name": "x", "host": "h", "token": "t"})["token"] == "t"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_a_model_name_makes_no_link_in_the_paste_form(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    # The paste form's description names the model the device reported: Markdown there would
    # show a link the device chose, a line break a paragraph of its own.
    model = "[Click to fix](https://evil.example)\n**urgent**"
    chair.device.product = replace(chair.device.product, model=model)
    spec_server.listing = {"instances": []}
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["step_id"] == "miot_spec"
    shown = result["description_placeholders"]["model"]
    assert shown == r"\[Click to fix\]\(https://evil.example\) \*\*urgent\*\*"


async def test_the_same_device_twice_is_refused(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_model_without_a_published_spec_takes_a_pasted_one(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    spec_server.listing = {"instances": []}
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["step_id"] == "miot_spec"
    assert result["errors"] == {"base": "spec_not_published"}
    assert result["description_placeholders"] == {"model": chair.model}
    for text, error in (
        ("{not json", "invalid_spec"),
        (json.dumps({"services": []}), "spec_not_massager"),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"spec": text})
        assert result["errors"] == {"spec": error}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"spec": json.dumps(chair.device.spec)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_an_unreachable_spec_server_offers_the_paste(
    hass: HomeAssistant, chair: MiotEmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(miot_flow, "SPEC_SERVER_URL", "http://127.0.0.1:9")
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert (result["step_id"], result["errors"]) == ("miot_spec", {"base": "spec_unreachable"})


async def test_a_spec_that_runs_no_massage_is_refused(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    spec_server.spec = {"type": "urn:x", "services": []}  # say, a lamp's model
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["errors"] == {"base": "spec_not_massager"}


# -- a new token, a new address --------------------------------------------------------------------


async def test_a_new_token_is_asked_for_and_checked(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    chair.set_token(WRONG_TOKEN)  # the device was paired again in Mi Home
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "miot_reauth"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"token": MIOT_TOKEN}
    )
    assert result["errors"] == {"token": "invalid_token"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"token": WRONG_TOKEN.upper()}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()
    assert entry.data["token"] == WRONG_TOKEN
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_token_of_another_device_is_refused(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    other = await start_miot("cushion")
    other.device_id = chair.device_id + 1
    try:
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "miot_reconfigure"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"host": f"127.0.0.1:{other.port}"}
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "wrong_device")
    finally:
        await other.stop()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_a_new_address(hass: HomeAssistant, chair: MiotEmulatorServer) -> None:
    entry = await set_up(hass, miot_entry(chair))
    moved = await start_miot("chair")  # the same device (id and token) at a new port
    try:
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"host": "127.0.0.1:9"}
        )
        assert result["errors"] == {"host": "cannot_connect"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"host": f"127.0.0.1:{moved.port}"}
        )
        assert (result["type"], result["reason"]) == (
            FlowResultType.ABORT,
            "reconfigure_successful",
        )
        await hass.async_block_till_done()
        assert entry.data["port"] == moved.port
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        await moved.stop()


async def test_a_token_changed_while_running_asks_for_the_new_one(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    hass.data[DOUBTS] = {TRANSPORT_MIOT: CredentialDoubts(times=1, over_s=0.0)}  # no patience
    entry = await set_up(hass, miot_entry(chair))
    chair.set_token(WRONG_TOKEN)
    await wait_for(
        hass, lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)), timeout=10
    )
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_seconds_of_corrupt_checksums_are_not_a_new_token(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    # Answers damaged on the way fail the token's checksum like a new token's would: the
    # massager is unavailable meanwhile, and no one is asked for a token that is fine.
    entry = await set_up(hass, miot_entry(chair))
    chair.corrupt_checksums()
    await wait_for(hass, lambda: hass.states.get(FAN).state == "unavailable", timeout=20)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    chair.corrupt_checksums(False)
    await wait_for(hass, lambda: hass.states.get(FAN).state == "off", timeout=20)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_silence_at_set_up_is_retried_not_a_new_token(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    chair.set_token(WRONG_TOKEN)
    entry = await set_up(hass, miot_entry(chair))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.config_entries.async_unload(entry.entry_id)


# -- Home Assistant as the timer -------------------------------------------------------------------


async def test_home_assistant_ends_a_session_and_its_heat(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    cushion = await start_miot("cushion")  # no countdown of its own: it would run for ever
    try:
        entry = await set_up(hass, miot_entry(cushion))
        await hass.services.async_call(
            DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10, "heat": True}, blocking=True
        )
        assert (cushion.device.value("on"), cushion.device.value("heating")) == (True, True)
        ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
        assert ends is not None
        assert abs(ends - (dt_util.utcnow() + timedelta(minutes=10))) < timedelta(seconds=2)
        await advance(hass, freezer, minutes=10, seconds=1)
        await wait_for(hass, lambda: cushion.device.value("on") is False)
        assert cushion.device.value("heating") is False
        await wait_for(hass, lambda: hass.states.get(FAN).state == "off")
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await cushion.stop()


async def test_after_a_restart_past_the_end_it_is_stopped_and_nothing_starts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    cushion = await start_miot("cushion")
    try:
        entry = await set_up(hass, miot_entry(cushion))
        await hass.services.async_call(
            DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10}, blocking=True
        )
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        freezer.tick(timedelta(minutes=25))
        await hass.config_entries.async_setup(entry.entry_id)
        await wait_for(hass, lambda: cushion.device.value("on") is False)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert cushion.device.value("on") is False
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await cushion.stop()


async def test_a_press_on_the_device_is_polled_and_timed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.xiaomi_chair_session_length", "value": 25},
        blocking=True,
    )
    chair.device.press("on", True)
    await advance(hass, freezer, seconds=1)  # the loop's clock is frozen: the poll is due
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on")
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    # The length chosen beforehand (not the 15-minute default) times the button's session.
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=25))) < timedelta(seconds=2)
    chair.device.press("massage-strength", 5)
    await advance(hass, freezer, seconds=1)
    await wait_for(hass, lambda: hass.states.get("number.xiaomi_chair_intensity").state == "5")
    await advance(hass, freezer, minutes=25, seconds=1)
    await wait_for(hass, lambda: chair.device.value("on") is False)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_and_reconfigure_errors_show_on_their_forms(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    other = await start_miot("cushion")  # another device, another token
    try:
        result = await entry.start_reconfigure_flow(hass)
        (host,) = result["data_schema"].schema
        assert host.description["suggested_value"] == f"127.0.0.1:{chair.port}"  # port kept
        # Our token gets no answer there: said on the form, not on a missing token field.
        other.set_token(WRONG_TOKEN)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"host": f"127.0.0.1:{other.port}"}
        )
        assert result["errors"] == {"base": "not_this_device"}
    finally:
        await other.stop()
    await chair.stop()
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"token": MIOT_TOKEN}
    )
    assert result["errors"] == {"base": "cannot_connect"}  # the form has no host field
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_damaged_entry_is_a_clear_error(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = miot_entry(chair)
    data = {**entry.data, "miot_map": {"roles": {"power": {"siid": "x"}}}}
    damaged = MockConfigEntry(
        domain=DOMAIN, title="Damaged", unique_id="miot:1", minor_version=2, data=data
    )
    await set_up(hass, damaged)
    assert damaged.state is ConfigEntryState.SETUP_ERROR
    assert damaged.reason is not None
    assert "damaged" in damaged.reason


def test_the_flow_keeps_the_token_out_of_reprs() -> None:
    found = miot_flow.FoundDevice("10.0.0.2", 54321, MIOT_TOKEN, 123456789, "m", "")
    assert MIOT_TOKEN not in repr(found)
    assert "123456789" not in repr(found)


async def test_an_unreachable_massager_goes_unavailable_and_comes_back(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    assert hass.states.get(FAN).state == "off"
    chair.set_silent(True)  # unplugged
    await wait_for(hass, lambda: hass.states.get(FAN).state == "unavailable", timeout=10)
    chair.set_silent(False)
    chair.device.press("on", True)
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on", timeout=10)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_length_chosen_before_a_session_is_timed(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    length = "number.xiaomi_chair_session_length"
    assert hass.states.get(length).state == "15"
    await hass.services.async_call(
        "number", "set_value", {"entity_id": length, "value": 25}, blocking=True
    )
    assert hass.states.get(length).state == "25"
    await hass.services.async_call("fan", "turn_on", {"entity_id": FAN}, blocking=True)
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=25))) < timedelta(seconds=2)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_heat_left_on_by_a_session_that_ended_while_home_assistant_was_down(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    chair.device.heat_off_at_end = False  # firmware that leaves the pad on
    entry = await set_up(hass, miot_entry(chair))
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, "minutes": 20, "heat": True}, blocking=True
    )
    await hass.config_entries.async_unload(entry.entry_id)  # Home Assistant is down
    await hass.async_block_till_done()
    chair.device.tick(15 * 60)  # meanwhile the chair's own 15-minute countdown ends it
    assert (chair.device.value("on"), chair.device.value("heating")) == (False, True)
    await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(hass, lambda: chair.device.value("heating") is False)
    assert chair.device.value("on") is False  # nothing was started
    await hass.config_entries.async_unload(entry.entry_id)


async def test_voice_uses_the_names_in_the_models_spec(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    await setup_assist(hass)
    result = await conversation.async_converse(
        hass, "start kneading on my back for 10 minutes", None, Context(), language="en"
    )
    assert result.response.response_type.value == "action_done"
    # "Kneading" and "Back" are the descriptions in the spec's value-lists (2 and 3).
    assert (chair.device.value("on"), chair.device.value("mode")) == (True, 2)
    assert chair.device.value("massage-part") == 3
    ends = dt_util.parse_datetime(hass.states.get(ENDS).state)
    assert ends is not None
    assert abs(ends - (dt_util.utcnow() + timedelta(minutes=10))) < timedelta(seconds=2)
    result = await conversation.async_converse(
        hass, "how long is left on the massage", None, Context(), language="en"
    )
    assert "10 minutes" in result.response.speech["plain"]["speech"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_restart_keeps_the_running_sessions_length(
    hass: HomeAssistant, chair: MiotEmulatorServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, "minutes": 25}, blocking=True
    )
    ends = hass.states.get(ENDS).state
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # The device cannot say the length; the timer kept it with the end.
    assert hass.states.get("number.xiaomi_chair_session_length").state == "25"
    assert hass.states.get(ENDS).state == ends
    await hass.config_entries.async_unload(entry.entry_id)


async def test_more_paste_and_device_errors(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    spec_server.listing = {"instances": []}
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["step_id"] == "miot_spec"
    spec = json.dumps(chair.device.spec)
    for text in ("x" * (miot_flow.MAX_PASTED_SPEC + 1), spec.replace("30", "NaN", 1)):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"spec": text})
        assert result["errors"] == {"spec": "invalid_spec"}
    # A spec whose on/off the device does not have (another model's spec pasted).
    moved = json.loads(spec)
    power = next(p for p in moved["services"][1]["properties"] if ":on:" in p["type"])
    power["iid"] = 99
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"spec": json.dumps(moved)}
    )
    assert result["errors"] == {"base": "power_unreadable"}
    chair.error_next(-4004, "busy")  # the device refuses the read itself
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"spec": spec})
    assert result["errors"] == {"base": "power_unreadable"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"spec": spec})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_a_device_answering_nonsense_is_an_unknown_error(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    chair.send_garbage(True)
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    assert result["errors"] == {"base": "unknown"}


@pytest.mark.parametrize("chair", ["m900"], indirect=True)
async def test_a_vendor_property_takes_a_role_in_the_options(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    """The m900's vendor service (siid 5) has its own air level: chosen as the intensity."""
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    entry = result["result"]
    await hass.async_block_till_done()
    options = hass.config_entries.options
    result = await options.async_init(entry.entry_id)
    assert "miot_roles" in result["menu_options"]
    result = await options.async_configure(result["flow_id"], {"next_step_id": "miot_roles"})
    schema = result["data_schema"].schema
    shown = suggested(result)
    assert shown["intensity"] == "2.4"  # the standard massage-strength, as found at set-up
    offered = {
        option["value"]
        for option in schema[next(k for k in schema if k == "intensity")].config["options"]
    }
    assert "5.4" in offered  # the vendor's air level
    assert not any(value.startswith("1.") for value in offered)  # never device information
    answer = {**shown, "intensity": "5.4", "status": "none", "fault": "none"}
    # A property used twice is named on its field, and nothing is saved.
    bad = await options.async_configure(result["flow_id"], {**answer, "heat": answer["power"]})
    assert bad["errors"] == {"heat": "datapoint_twice"}
    assert entry.data["miot_map"]["roles"]["intensity"]["siid"] == 2
    result = await options.async_configure(bad["flow_id"], answer)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    assert entry.data["miot_map"]["roles"]["intensity"]["siid"] == 5
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.xiaomi_chair_intensity", "value": 4},
        blocking=True,
    )
    assert chair.device.get(5, 4) == 4  # written to the vendor's property
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_roles_of_a_model_added_with_a_pasted_spec_take_it_pasted_again(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    """The spec server does not have the model: the options ask for the spec again, refuse a
    paste that is no massager's spec at its field, then offer the roles from the pasted one."""
    spec_server.listing = {"instances": []}
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(chair))
    spec = json.dumps(chair.device.spec)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"spec": spec})
    entry = result["result"]
    await hass.async_block_till_done()
    options = hass.config_entries.options
    result = await options.async_init(entry.entry_id)
    result = await options.async_configure(result["flow_id"], {"next_step_id": "miot_roles"})
    assert (result["step_id"], result["errors"]) == (
        "miot_roles_spec",
        {"base": "spec_not_published"},
    )
    other = {**chair.device.spec, "type": chair.device.spec["type"].replace(":1", ":2")}
    for text, error in (
        ("{not json", "invalid_spec"),
        (json.dumps({"services": []}), "spec_not_massager"),
        (json.dumps(other), "spec_other_model"),  # another revision: properties elsewhere
    ):
        result = await options.async_configure(result["flow_id"], {"spec": text})
        assert result["errors"] == {"spec": error}
    assert entry.data["miot_map"]["roles"]["intensity"]["siid"] == 2  # nothing changed
    result = await options.async_configure(result["flow_id"], {"spec": spec})
    assert result["step_id"] == "miot_roles"
    result = await options.async_configure(result["flow_id"], suggested(result))
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_heat_in_levels_has_a_level_select_and_ends_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A chair whose heat is MIoT's heat-level (off, low, medium, high): a Heat level select,
    the heat switch on at the gentlest, and Home Assistant's session end switches it off."""
    chair = await start_miot("chair_heat_levels")
    level = "select.xiaomi_chair_heat_level"
    try:
        entry = await set_up(hass, miot_entry(chair))
        assert hass.states.get(level).attributes["options"] == ["low", "medium", "high"]
        assert hass.states.get(level).state == "unknown"  # the heat is off
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.xiaomi_chair_heat"}, blocking=True
        )
        assert chair.device.value("heat-level") == 1  # on at the gentlest
        await wait_for(hass, lambda: hass.states.get(level).state == "low")
        await hass.services.async_call(
            DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10}, blocking=True
        )
        await hass.services.async_call(
            "select", "select_option", {"entity_id": level, "option": "high"}, blocking=True
        )
        assert chair.device.value("heat-level") == 3
        await wait_for(hass, lambda: hass.states.get(level).state == "high")
        await advance(hass, freezer, minutes=10, seconds=1)
        await wait_for(hass, lambda: chair.device.value("on") is False)
        await wait_for(hass, lambda: chair.device.value("heat-level") == 0)
        await wait_for(hass, lambda: hass.states.get("switch.xiaomi_chair_heat").state == "off")
        assert hass.states.get(level).state == "unknown"
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await chair.stop()


async def test_the_roles_while_the_spec_server_is_down_take_a_pasted_spec(
    hass: HomeAssistant,
    chair: MiotEmulatorServer,
    spec_server: SpecServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    monkeypatch.setattr(miot_flow, "SPEC_SERVER_URL", "http://127.0.0.1:9")  # nobody listens
    options = hass.config_entries.options
    result = await options.async_init(entry.entry_id)
    result = await options.async_configure(result["flow_id"], {"next_step_id": "miot_roles"})
    assert (result["step_id"], result["errors"]) == (
        "miot_roles_spec",
        {"base": "spec_unreachable"},
    )
    result = await options.async_configure(
        result["flow_id"], {"spec": json.dumps(chair.device.spec)}
    )
    assert result["step_id"] == "miot_roles"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_damaged_stored_map_aborts_the_roles_with_its_own_reason(
    hass: HomeAssistant, chair: MiotEmulatorServer, spec_server: SpecServer
) -> None:
    entry = await set_up(hass, miot_entry(chair))
    hass.config_entries.async_update_entry(entry, data={**entry.data, "miot_map": {"roles": 3}})
    options = hass.config_entries.options
    result = await options.async_init(entry.entry_id)
    result = await options.async_configure(result["flow_id"], {"next_step_id": "miot_roles"})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "invalid_entry_data")
    await hass.config_entries.async_unload(entry.entry_id)
