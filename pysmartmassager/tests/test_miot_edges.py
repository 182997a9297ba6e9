"""The MIoT connection against a scripted device on loopback UDP: answers out of order, late,
garbled or missing, as a real network and real devices produce them.

The scripted device reads our requests with python-miio's codec and builds its answers with it,
so nothing here checks our packets against our own code.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import AsyncGenerator, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from miio.protocol import Message

from conftest import miot_device, start_miot
from emulators.miot import load_product
from pysmartmassager import (
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerResponseError,
    SessionSettings,
)
from pysmartmassager.miot import (
    MiotConnection,
    MiotMassager,
    MiotProtocolError,
    MiotSpecError,
    MiotSpecUnavailableError,
    fetch_spec,
    massager_map,
)
from pysmartmassager.miot.protocol import HELLO, decrypt, encrypt

pytestmark = pytest.mark.usefixtures("socket_enabled")
TOKEN = "00112233445566778899aabbccddeeff"
KEY = bytes.fromhex(TOKEN)
DEVICE_ID = 0x01020304

type Script = Callable[[dict[str, Any]], list[bytes]]


def hello_answer(stamp: int = 50) -> bytes:
    return HELLO[:8] + DEVICE_ID.to_bytes(4, "big") + stamp.to_bytes(4, "big") + b"\xff" * 16


def answer(payload: dict[str, Any]) -> bytes:
    header = {
        "length": 0,
        "unknown": 0,
        "device_id": DEVICE_ID.to_bytes(4, "big"),
        "ts": dt.datetime(2026, 1, 1),  # noqa: DTZ001  # python-miio's naive UTC
    }
    return Message.build(
        {"data": {"value": payload}, "header": {"value": header}, "checksum": 0}, token=KEY
    )


class Device(asyncio.DatagramProtocol):
    """Answers hellos; hands each request (decoded by python-miio) to the script."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        assert self.transport is not None
        if data == HELLO:
            self.transport.sendto(hello_answer(), addr)
            return
        request = Message.parse(data, token=KEY).data.value
        for reply in self.script(request):
            self.transport.sendto(reply, addr)


@pytest.fixture
async def device() -> AsyncGenerator[Callable[[Script], MiotConnection]]:
    transports: list[asyncio.DatagramTransport] = []
    connections: list[MiotConnection] = []

    loop = asyncio.get_running_loop()

    async def open_device(script: Script) -> MiotConnection:
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Device(script), local_addr=("127.0.0.1", 0)
        )
        transports.append(transport)
        port = transport.get_extra_info("sockname")[1]
        connection = MiotConnection("127.0.0.1", TOKEN, port=port, timeout=0.2)
        connections.append(connection)
        return connection

    yield open_device  # type: ignore[misc]
    for connection in connections:
        await connection.close()
    for transport in transports:
        transport.close()


async def test_late_and_foreign_answers_are_skipped(device: Any) -> None:
    def script(request: dict[str, Any]) -> list[bytes]:
        return [
            hello_answer(),  # a late hello answer
            answer({"id": request["id"] + 7, "result": ["stale"]}),  # an earlier attempt's
            answer({"id": request["id"], "result": ["ok"]}),
        ]

    connection = await device(script)
    assert await connection.request("x") == ["ok"]


async def test_a_garbled_answer_then_silence_is_a_protocol_error(device: Any) -> None:
    connection = await device(lambda _request: [b"\x21\x31\x00\x05 junk"])
    with pytest.raises(MiotProtocolError):
        await connection.request("x")


async def test_info_without_a_model_is_a_protocol_error(device: Any) -> None:
    connection = await device(lambda r: [answer({"id": r["id"], "result": {"fw_ver": "1"}})])
    with pytest.raises(MiotProtocolError, match="model"):
        await connection.info()


async def test_info_drops_the_devices_copy_of_the_token(device: Any) -> None:
    result = {"model": "a.massage.b", "fw_ver": "1.0", "token": TOKEN, "mac": "x"}
    connection = await device(lambda r: [answer({"id": r["id"], "result": result})])
    info = await connection.info()
    assert info.model == "a.massage.b"
    assert TOKEN not in repr(info)


async def test_an_answer_with_neither_result_nor_error(device: Any) -> None:
    connection = await device(lambda r: [answer({"id": r["id"]})])
    with pytest.raises(MiotProtocolError):
        await connection.request("x")


async def test_a_closed_port_is_a_connection_error() -> None:
    # Nothing listens on this port: the kernel's "port unreachable" reaches error_received.
    probe = await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    port = probe[0].get_extra_info("sockname")[1]
    probe[0].close()
    connection = MiotConnection("127.0.0.1", TOKEN, port=port, timeout=0.2)
    try:
        with pytest.raises(MassagerConnectionError):
            await connection.request("x")
    finally:
        await connection.close()
    connection.datagram_received(b"late")  # after close: ignored
    assert connection._inbox.qsize() <= 1


def test_payloads_that_do_not_decrypt_are_typed() -> None:
    with pytest.raises(MiotProtocolError, match="whole AES blocks"):
        decrypt(b"x" * 15, KEY)
    broken = encrypt(b"x" * 16, KEY)[:16]  # the padding block cut off
    with pytest.raises(MiotProtocolError, match="padding"):
        decrypt(broken, KEY)


# -- the massager's own refusals -------------------------------------------------------------------


async def test_a_refused_write_is_a_typed_error() -> None:
    server = await start_miot("chair")
    massager = MiotMassager(miot_device(server), timeout=0.3)
    try:
        server.device.press("on", False)
        key = massager.profile.power.key
        await massager.connection.set_properties({key: True})  # fine
        with pytest.raises(MassagerResponseError, match="refused"):
            await massager._exchange({(2, 99): 1})  # no such property on the chair
    finally:
        await massager.close()
        await server.stop()


def spec_without(*names: str) -> dict[str, Any]:
    spec = copy.deepcopy(load_product("chair").spec)
    service = spec["services"][1]
    service["properties"] = [
        p for p in service["properties"] if p["type"].split(":")[3] not in names
    ]
    return spec


async def test_settings_a_model_lacks_are_refused() -> None:
    server = await start_miot("chair")
    device = miot_device(server)
    mapping = massager_map(server.model, spec_without("heating", "massage-strength"))
    massager = MiotMassager(replace(device, mapping=mapping))
    try:
        with pytest.raises(MassagerInvalidRequestError) as caught:
            await massager.change_settings(SessionSettings(heat=True))
        assert caught.value.field == "heat"
        with pytest.raises(MassagerInvalidRequestError) as caught:
            await massager.change_settings(SessionSettings(intensity=1))
        assert caught.value.field == "intensity"
        assert massager.profile.capabilities().heat is False
        assert massager.profile.intensity_of({}) == 0
    finally:
        await massager.close()
        await server.stop()


def test_property_values_are_checked_against_the_spec() -> None:
    mapping = massager_map("m", load_product("chair").spec)
    power, strength, mode = (mapping.roles[r] for r in ("power", "intensity", "program"))
    assert power.allows(True)
    assert not power.allows(1)
    assert not strength.allows(True)
    assert not strength.allows(None)
    assert strength.allows(3)
    assert not strength.allows(6)
    assert mode.allows(1)
    assert not mode.allows(99)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(access="read"),
        lambda p: p.clear() or p.update({"oops": 1}),
    ],
)
def test_more_broken_properties(change: Callable[[dict[str, Any]], Any]) -> None:
    spec = copy.deepcopy(load_product("chair").spec)
    change(spec["services"][1]["properties"][0])
    with pytest.raises(MiotSpecError):
        massager_map("m", spec)
    spec["services"][1]["properties"][0] = "not an object"
    with pytest.raises(MiotSpecError):
        massager_map("m", spec)


@pytest.mark.parametrize(
    ("instance", "error"),
    [(b"[1, 2]", "not an object"), (b"{NaN", "not JSON"), (b'{"a": NaN}', "not JSON")],
)
async def test_a_spec_server_answering_nonsense_is_typed(instance: bytes, error: str) -> None:
    async def instances(_request: web.Request) -> web.Response:
        return web.json_response(
            {"instances": [{"model": "m", "version": 1, "type": "urn:x", "status": "released"}]}
        )

    async def spec(_request: web.Request) -> web.Response:
        return web.Response(body=instance, content_type="application/json")

    app = web.Application()
    app.router.add_get("/miot-spec-v2/instances", instances)
    app.router.add_get("/miot-spec-v2/instance", spec)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as session:
            with pytest.raises(MiotSpecUnavailableError, match=error):
                await fetch_spec(session, "m", server=str(server.make_url("")).rstrip("/"))
    finally:
        await server.close()
