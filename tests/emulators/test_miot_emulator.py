"""The MIoT emulator on real loopback UDP sockets, with python-miio's own client as the judge.

python-miio is an implementation of the miio protocol nobody here wrote: if the emulator's
framing, checksums or encryption drift from what python-miio expects, these tests fail.
python-miio is synchronous, so its calls run in a thread (asyncio.to_thread) while the emulator
serves on the test's event loop.

The port: python-miio's `MiIOProtocol.discover()` (the hello before every first request and
after every retry) always sends to port 54321, whatever `_protocol.port` says. Rather than
patch python-miio, each test gives its emulator a loopback address of its own (Linux routes all
of 127.0.0.0/8 to the loopback interface) and binds it on port 54321 there: python-miio runs
unchanged, and tests running at the same time (other workers, other people) do not collide,
since each picks a random address and tries another if that one is taken.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import construct
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from miio import Device, DeviceError, DeviceException, MiotDevice
from miio.miioprotocol import MiIOProtocol
from miio.protocol import Message

from emulators.miot import MiotEmulatorServer, MiotMassagerDevice, Product, load_product
from emulators.miot.__main__ import build_server, parse_args
from emulators.miot.server import MAX_DATAGRAM

pytestmark = pytest.mark.usefixtures("socket_enabled")

TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OTHER_TOKEN = "ffeeddccbbaa99887766554433221100"
DEVICE_ID = 0x0A1B2C3D
MIIO_PORT = 54321
REPO = Path(__file__).resolve().parents[2]

# The chair's massager service (products/chair.json).
MASSAGER = 2
ON, MODE, STRENGTH, PART, HEATING, LEFT_TIME, STATUS, FAULT = range(1, 9)
IDLE, MASSAGING, FINISHED = 0, 1, 2


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def random_loopback() -> str:
    return f"127.{1 + secrets.randbelow(254)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


async def start_on_own_loopback(**kwargs: Any) -> MiotEmulatorServer:
    """An emulator on port 54321 of a random loopback address (another if that one is taken)."""
    for _ in range(20):
        server = MiotEmulatorServer(host=random_loopback(), port=MIIO_PORT, **kwargs)
        try:
            await server.start()
        except OSError:
            continue
        return server
    raise RuntimeError("no free loopback address for port 54321")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def server(clock: FakeClock) -> AsyncIterator[MiotEmulatorServer]:
    """The chair, on port 54321 of a loopback address of its own."""
    emulator = await start_on_own_loopback(
        product="chair", token=TOKEN, device_id=DEVICE_ID, clock=clock
    )
    yield emulator
    await emulator.stop()


@pytest.fixture
async def cushion(clock: FakeClock) -> AsyncIterator[MiotEmulatorServer]:
    emulator = await start_on_own_loopback(
        product="cushion", token=TOKEN, device_id=DEVICE_ID, clock=clock
    )
    yield emulator
    await emulator.stop()


def client(server: MiotEmulatorServer, token: str = TOKEN, timeout: float = 0.5) -> MiotDevice:
    """python-miio's client for the emulator (MiotDevice: get/set_property_by, call_action_by).

    The model is given, as python-miio users do, so that its commands do not first send a
    miIO.info of their own to detect it (that would take the faults meant for the command).
    """
    return MiotDevice(server.host, token, timeout=timeout, model=server.model, mapping={})  # type: ignore[arg-type]


async def call[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking python-miio call, off the event loop the emulator runs on."""
    return await asyncio.to_thread(function, *args, **kwargs)


def get_items(*piids: int, siid: int = MASSAGER) -> list[dict[str, Any]]:
    return [{"did": f"p{piid}", "siid": siid, "piid": piid} for piid in piids]


async def read(device: Device, *piids: int) -> dict[int, Any]:
    """{piid: value} of the massager service, read with get_properties; every code must be 0."""
    result = await call(device.send, "get_properties", get_items(*piids))
    assert [item["code"] for item in result] == [0] * len(piids)
    return {item["piid"]: item["value"] for item in result}


def build_request(payload: dict[str, Any], token: str = TOKEN) -> bytes:
    """A request packet built by python-miio's codec, as its send() builds one."""
    header = {
        "length": 0,
        "unknown": 0,
        "device_id": DEVICE_ID.to_bytes(4),
        "ts": dt.datetime.fromtimestamp(10, tz=dt.UTC),
    }
    message = {"data": {"value": payload}, "header": {"value": header}, "checksum": 0}
    return bytes(Message.build(message, token=bytes.fromhex(token)))


def exchange(
    address: tuple[str, int], packet: bytes, timeout: float = 0.5, size: int = 65535
) -> bytes | None:
    """Send one datagram from a fresh socket; the answer (None if there is none in time)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, address)
        try:
            return sock.recvfrom(size)[0]
        except TimeoutError:
            return None


def address(server: MiotEmulatorServer) -> tuple[str, int]:
    return (server.host, server.port)


# -- hello and miIO.info -----------------------------------------------------------------------


async def test_info_through_python_miio(server: MiotEmulatorServer) -> None:
    info = await call(Device(server.host, TOKEN, timeout=0.5).info)

    assert info.model == "smartmassager.massage.emuchair"
    assert info.firmware_version == "1.2.0_0015"
    assert info.mac_address == "02:4D:0A:1B:2C:3D"
    # Real devices include their token: the client side has to prove it never leaks it.
    assert info.token == TOKEN
    assert info.raw["life"] == 0
    assert server.requests["miIO.info"] == 1
    assert server.requests["hello"] >= 1  # python-miio sends its hello three times


async def test_hello_answer_carries_the_device_id_and_the_stamp(
    server: MiotEmulatorServer, clock: FakeClock
) -> None:
    clock.advance(1234)

    message = await call(MiIOProtocol.discover, server.host, 1)

    assert message is not None
    assert message.header.value.device_id == DEVICE_ID.to_bytes(4)
    assert message.header.value.length == 32
    assert message.checksum == b"\xff" * 16  # a provisioned device hides its token
    assert message.header.value.ts == dt.datetime.fromtimestamp(1234, dt.UTC).replace(tzinfo=None)


async def test_port_zero_picks_a_free_port_and_answers_the_sender() -> None:
    async with MiotEmulatorServer(token=TOKEN, port=0) as emulator:
        assert emulator.port != 0
        hello = bytes.fromhex("21310020" + "ff" * 28)
        answers = await asyncio.gather(
            call(exchange, address(emulator), hello), call(exchange, address(emulator), hello)
        )
    assert all(answer is not None and len(answer) == 32 for answer in answers)
    assert emulator.requests["hello"] == 2


async def test_send_miio_info_decodes_with_the_token(server: MiotEmulatorServer) -> None:
    reply = await call(
        exchange, address(server), build_request({"id": 41, "method": "miIO.info", "params": []})
    )

    assert reply is not None
    message = Message.parse(reply, token=bytes.fromhex(TOKEN))
    assert message.data.value["id"] == 41
    assert message.data.value["result"]["model"] == server.model
    assert message.header.value.device_id == DEVICE_ID.to_bytes(4)


# -- properties --------------------------------------------------------------------------------


async def test_get_properties_reports_every_value(server: MiotEmulatorServer) -> None:
    values = await read(client(server), ON, MODE, STRENGTH, PART, HEATING, LEFT_TIME, STATUS, FAULT)

    assert values == {
        ON: False,
        MODE: 1,
        STRENGTH: 3,
        PART: 3,
        HEATING: False,
        LEFT_TIME: 0,
        STATUS: IDLE,
        FAULT: 0,
    }
    info = await call(client(server).send, "get_properties", get_items(1, 2, 3, 4, siid=1))
    assert [item["value"] for item in info] == [
        "smartmassager",
        "smartmassager.massage.emuchair",
        "0a1b2c3d",
        "1.2.0_0015",
    ]
    assert [item["did"] for item in info] == ["p1", "p2", "p3", "p4"]


async def test_get_unknown_property_is_code_4003(server: MiotEmulatorServer) -> None:
    result = await call(client(server).get_property_by, 2, 99)

    assert result == [{"did": "2-99", "siid": 2, "piid": 99, "code": -4003}]


async def test_set_properties_changes_the_device(server: MiotEmulatorServer) -> None:
    items = [
        {"did": "mode", "siid": 2, "piid": MODE, "value": 5},
        {"did": "strength", "siid": 2, "piid": STRENGTH, "value": 5},
        {"did": "part", "siid": 2, "piid": PART, "value": 1},
        {"did": "heat", "siid": 2, "piid": HEATING, "value": True},
        {"did": "lock", "siid": 3, "piid": 1, "value": True},
    ]

    result = await call(client(server).send, "set_properties", items)

    assert result == [
        {"did": item["did"], "siid": item["siid"], "piid": item["piid"], "code": 0}
        for item in items
    ]
    assert server.device.value("mode") == 5
    assert server.device.value("massage-strength") == 5
    assert server.device.value("massage-part") == 1
    assert server.device.value("heating") is True
    assert server.device.value("physical-controls-locked") is True
    assert server.device.get(3, 1) is True
    assert server.device.value("on") is False  # settings change while off


@pytest.mark.parametrize(
    ("piid", "value"),
    [
        (ON, 1),  # an int is not a bool
        (ON, "true"),
        (MODE, 6),  # not in the value-list
        (MODE, "2"),
        (MODE, 2.0),
        (STRENGTH, 0),  # below the value-range
        (STRENGTH, 6),  # above it
        (STRENGTH, 2.5),
        (PART, True),  # a bool is not a uint8
        (HEATING, None),
    ],
)
async def test_invalid_values_are_code_4005(
    server: MiotEmulatorServer, piid: int, value: object
) -> None:
    before = server.device.get(MASSAGER, piid)

    result = await call(client(server).set_property_by, MASSAGER, piid, value)

    assert result[0]["code"] == -4005
    assert server.device.get(MASSAGER, piid) == before


@pytest.mark.parametrize(("siid", "piid"), [(2, LEFT_TIME), (2, STATUS), (2, FAULT), (1, 2)])
async def test_read_only_properties_are_code_4002(
    server: MiotEmulatorServer, siid: int, piid: int
) -> None:
    result = await call(client(server).set_property_by, siid, piid, 1)

    assert result[0]["code"] == -4002


async def test_set_unknown_property_is_code_4003(server: MiotEmulatorServer) -> None:
    result = await call(client(server).set_property_by, 7, 1, True)

    assert result == [{"did": "set-7-1", "siid": 7, "piid": 1, "code": -4003}]


def test_write_only_property_is_code_4001_on_read() -> None:
    data = json.loads((REPO / "emulators/miot/products/chair.json").read_text(encoding="utf-8"))
    massager = data["spec"]["services"][1]
    massager["properties"].append(
        {
            "iid": 9,
            "type": "urn:miot-spec-v2:property:reset:0000FFFF:smartmassager-emuchair:1",
            "description": "Reset",
            "format": "bool",
            "access": ["write"],
        }
    )
    device = MiotMassagerDevice(Product.from_json(data))

    assert device.get_property(MASSAGER, 9) == (-4001, None)
    assert device.set_property(MASSAGER, 9, True) == 0
    assert device.get_property(MASSAGER, True) == (-4003, None)  # a bool is not an iid


async def test_unknown_method_is_a_device_error(server: MiotEmulatorServer) -> None:
    with pytest.raises(DeviceError) as caught:
        await call(client(server).send, "get_prop", ["power"])

    assert caught.value.code == -32601
    assert caught.value.message == "Method not found."


async def test_params_of_the_wrong_shape_are_a_device_error(server: MiotEmulatorServer) -> None:
    with pytest.raises(DeviceError) as caught:
        await call(client(server).send, "set_properties", {"siid": 2, "piid": 1})

    assert caught.value.code == -32600
    assert server.device.value("on") is False


async def test_actions(server: MiotEmulatorServer) -> None:
    device = client(server)

    started = await call(device.call_action_by, MASSAGER, 1)
    assert started == {"did": "call-2-1", "siid": 2, "aiid": 1, "code": 0, "out": []}
    assert server.device.value("on") is True
    assert server.device.value("left-time") == 15

    assert (await call(device.call_action_by, MASSAGER, 9))["code"] == -4003
    assert (await call(device.call_action_by, MASSAGER, 2, [1]))["code"] == -4005
    assert server.device.value("on") is True
    assert (await call(device.call_action_by, MASSAGER, 2))["code"] == 0
    assert server.device.value("on") is False
    assert server.requests["action"] == 4


# -- the chair's own countdown ------------------------------------------------------------------


@pytest.mark.parametrize("heat_off_at_end", [True, False])
async def test_countdown_ends_the_session(
    server: MiotEmulatorServer, heat_off_at_end: bool
) -> None:
    server.device.heat_off_at_end = heat_off_at_end
    device = client(server)
    await call(
        device.send,
        "set_properties",
        [
            {"did": "on", "siid": 2, "piid": ON, "value": True},
            {"did": "heat", "siid": 2, "piid": HEATING, "value": True},
        ],
    )
    assert await read(device, ON, LEFT_TIME, STATUS) == {ON: True, LEFT_TIME: 15, STATUS: 1}

    server.device.tick(1)
    assert (await read(device, LEFT_TIME))[LEFT_TIME] == 15  # whole minutes, rounded up
    server.device.tick(59)
    assert (await read(device, LEFT_TIME))[LEFT_TIME] == 14
    server.device.tick(13 * 60 + 59)
    assert await read(device, ON, LEFT_TIME, STATUS) == {ON: True, LEFT_TIME: 1, STATUS: 1}
    server.device.tick(1)

    assert await read(device, ON, HEATING, LEFT_TIME, STATUS) == {
        ON: False,
        HEATING: not heat_off_at_end,
        LEFT_TIME: 0,
        STATUS: FINISHED,
    }


async def test_countdown_follows_the_injected_clock(
    server: MiotEmulatorServer, clock: FakeClock
) -> None:
    device = client(server)
    await call(device.set_property_by, MASSAGER, ON, True)

    clock.advance(10 * 60)
    assert (await read(device, LEFT_TIME))[LEFT_TIME] == 5
    await call(device.set_property_by, MASSAGER, ON, True)  # already on: the countdown goes on
    assert (await read(device, LEFT_TIME))[LEFT_TIME] == 5
    clock.advance(5 * 60)

    assert await read(device, ON, STATUS) == {ON: False, STATUS: FINISHED}


async def test_switching_off_ends_the_session_and_keeps_heat(server: MiotEmulatorServer) -> None:
    device = client(server)
    await call(device.set_property_by, MASSAGER, HEATING, True)
    await call(device.set_property_by, MASSAGER, ON, True)
    server.device.tick(120)

    await call(device.set_property_by, MASSAGER, ON, False)

    assert await read(device, ON, HEATING, LEFT_TIME, STATUS) == {
        ON: False,
        HEATING: True,
        LEFT_TIME: 0,
        STATUS: IDLE,
    }


async def test_press_is_seen_by_the_client(server: MiotEmulatorServer) -> None:
    server.device.press("mode", 2)
    server.device.press("on", True)
    server.device.press("fault", 1)

    assert await read(client(server), ON, MODE, LEFT_TIME, STATUS, FAULT) == {
        ON: True,
        MODE: 2,
        LEFT_TIME: 15,
        STATUS: MASSAGING,
        FAULT: 1,
    }
    with pytest.raises(ValueError, match="mode"):
        server.device.press("mode", 6)
    with pytest.raises(KeyError):
        server.device.press("speed", 1)


async def test_cushion_runs_until_told_to_stop(cushion: MiotEmulatorServer) -> None:
    device = client(cushion)
    assert cushion.model == "smartmassager.massage.emucushion"
    assert (await call(device.set_property_by, MASSAGER, 1, True))[0]["code"] == 0

    cushion.device.tick(3 * 3600)

    assert await read(device, 1, 2, 3, 4) == {1: True, 2: 1, 3: 2, 4: False}
    assert (await call(device.set_property_by, MASSAGER, 3, 4))[0]["code"] == -4005
    assert (await call(device.set_property_by, MASSAGER, 2, 3))[0]["code"] == 0  # "NA"
    assert (await call(device.get_property_by, MASSAGER, 5))[0]["code"] == -4003


def test_products_are_miot_instance_specs() -> None:
    for name, model in (("chair", "emuchair"), ("cushion", "emucushion")):
        product = load_product(name)
        spec = product.spec
        assert product.model == f"smartmassager.massage.{model}"
        assert spec["type"].startswith("urn:miot-spec-v2:device:massager:")
        assert "emulated" in spec["description"]
        massager = next(s for s in spec["services"] if ":service:massager:" in s["type"])
        assert (
            massager["type"]
            == f"urn:miot-spec-v2:service:massager:0000788E:smartmassager-{model}:1"
        )
        urns = {p["type"].split(":")[3]: p["type"] for p in massager["properties"]}
        assert urns["on"] == f"urn:miot-spec-v2:property:on:00000006:smartmassager-{model}:1"
        assert urns["mode"].split(":")[4] == "00000008"
    chair = load_product("chair")
    names = [p.name for p in chair.properties() if p.siid == MASSAGER]
    assert names == [
        "on",
        "mode",
        "massage-strength",
        "massage-part",
        "heating",
        "left-time",
        "status",
        "fault",
    ]
    left_time = next(p for p in chair.properties() if p.name == "left-time")
    assert left_time.unit == "minutes"
    assert left_time.value_range == (0, 30, 1)


# -- faults ------------------------------------------------------------------------------------


async def test_a_wrong_token_gets_no_answer(server: MiotEmulatorServer) -> None:
    with pytest.raises(DeviceException, match="No response"):
        await call(client(server, OTHER_TOKEN, timeout=0.2).send, "miIO.info")

    assert server.requests["miIO.info"] == 0
    assert server.rejected == 4  # the first try and python-miio's three retries
    assert server.requests["hello"] > 0  # hellos carry no token: answered


async def test_set_token_models_a_re_pairing(server: MiotEmulatorServer) -> None:
    server.set_token(OTHER_TOKEN)

    assert server.token == OTHER_TOKEN
    with pytest.raises(DeviceException):
        await call(client(server, TOKEN, timeout=0.2).send, "miIO.info")
    info = await call(client(server, OTHER_TOKEN).send, "miIO.info")
    assert info["token"] == OTHER_TOKEN


async def test_python_miio_retries_after_a_dropped_request(server: MiotEmulatorServer) -> None:
    # Not a short timeout: on a loaded 2-core machine the retry's hello answer can come later
    # than 0.3 s, and python-miio then reads it as the request's answer (seen once in CI).
    device = client(server, timeout=1.0)
    server.drop_next(1)

    result = await call(device.send, "get_properties", get_items(MODE))

    assert result[0]["value"] == 1
    assert server.requests["get_properties"] == 2
    assert device._protocol.raw_id == 102  # first id 1, the retry id 1 + 100 + 1


async def test_python_miio_gives_up_after_its_retries(server: MiotEmulatorServer) -> None:
    server.drop_next(4)

    with pytest.raises(DeviceException, match="No response"):
        await call(client(server, timeout=0.2).send, "miIO.info")

    assert server.requests["miIO.info"] == 4
    assert (await call(client(server).send, "miIO.info"))["model"] == server.model


async def test_error_next(server: MiotEmulatorServer) -> None:
    device = client(server)
    server.error_next(-5001, "command error")

    with pytest.raises(DeviceError) as caught:
        await call(device.set_property_by, MASSAGER, ON, True)

    assert (caught.value.code, caught.value.message) == (-5001, "command error")
    assert server.requests["set_properties"] == 1  # the error answered the command itself
    assert server.device.value("on") is False  # refused, not done
    assert (await read(device, ON))[ON] is False


async def test_recoverable_error_is_retried_by_python_miio(server: MiotEmulatorServer) -> None:
    server.error_next(-9999, "user ack timeout")

    info = await call(client(server).send, "miIO.info")

    assert info["model"] == server.model
    assert server.requests["miIO.info"] == 2


async def test_garbage_answers(server: MiotEmulatorServer) -> None:
    device = client(server)
    server.send_garbage(True)

    with pytest.raises((DeviceException, construct.ConstructError)):
        await call(device.set_property_by, MASSAGER, ON, True)

    assert server.requests["set_properties"] == 1
    assert server.device.value("on") is True  # done, only the answer was garbled
    server.send_garbage(False)
    assert (await read(device, ON))[ON] is True


async def test_oversized_answers(server: MiotEmulatorServer) -> None:
    server.reply_oversized(True)

    # python-miio reads 4096 bytes: the rest of the datagram is lost and the checksum fails.
    with pytest.raises(DeviceException, match="checksum"):
        await call(client(server).send, "miIO.info")
    reply = await call(
        exchange, address(server), build_request({"id": 5, "method": "miIO.info", "params": []})
    )

    assert reply is not None
    assert len(reply) > 16 * 1024
    payload = Message.parse(reply, token=bytes.fromhex(TOKEN)).data.value
    assert payload["result"]["model"] == server.model


async def test_delay(server: MiotEmulatorServer) -> None:
    server.set_delay(0.3)
    started = time.monotonic()

    info = await call(client(server, timeout=1).send, "miIO.info")

    assert info["model"] == server.model
    assert time.monotonic() - started >= 0.6  # the hello and the answer, both late


async def test_silent_answers_nothing_not_even_hello(server: MiotEmulatorServer) -> None:
    server.set_silent(True)

    assert await call(MiIOProtocol.discover, server.host, 0.3) is None
    assert server.datagrams == 3  # python-miio's three hellos, received and ignored
    assert server.requests["hello"] == 0

    server.set_silent(False)
    assert (await call(client(server).send, "miIO.info"))["model"] == server.model


async def test_datagrams_over_the_limit_are_dropped(server: MiotEmulatorServer) -> None:
    padded = {"id": 3, "method": "miIO.info", "params": ["x" * MAX_DATAGRAM]}

    assert await call(exchange, address(server), build_request(padded), 0.3) is None
    assert server.rejected == 1
    assert server.requests["miIO.info"] == 0


async def test_repeated_message_id_gets_the_cached_answer(
    server: MiotEmulatorServer,
) -> None:
    switch_on = build_request(
        {
            "id": 77,
            "method": "set_properties",
            "params": [{"did": "on", "siid": 2, "piid": 1, "value": True}],
        }
    )
    first = await call(exchange, address(server), switch_on)
    server.device.tick(120)

    again = await call(exchange, address(server), switch_on)

    assert first is not None
    assert again == first
    assert server.duplicates == 1
    assert server.device.value("left-time") == 13  # not started again
    other = build_request({"id": 77, "method": "miIO.info", "params": []})
    reply = await call(exchange, address(server), other)
    assert reply is not None
    assert "model" in Message.parse(reply, token=bytes.fromhex(TOKEN)).data.value["result"]


async def test_restart(server: MiotEmulatorServer, clock: FakeClock) -> None:
    device = client(server)
    await call(device.set_property_by, MASSAGER, ON, True)
    clock.advance(500)
    assert (await call(device.send, "miIO.info"))["life"] == 500
    request = build_request({"id": 9, "method": "get_properties", "params": get_items(ON)})
    await call(exchange, address(server), request)
    port = server.port

    await server.restart()

    assert server.port == port
    info = await call(client(server).send, "miIO.info")
    assert info["life"] == 0  # a new stamp base
    assert server.device.value("on") is False  # power-on values
    await call(exchange, address(server), request)
    assert server.duplicates == 0  # message ids seen before the reboot are forgotten


# -- robustness --------------------------------------------------------------------------------

_MAGIC = b"\x21\x31"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda tail: _MAGIC + tail),
        st.binary(min_size=30, max_size=30).map(lambda tail: _MAGIC + tail),
        st.builds(
            lambda payload, cut: build_request(payload)[: cut or None],
            st.dictionaries(
                st.sampled_from(["id", "method", "params"]),
                st.none()
                | st.integers()
                | st.text(max_size=5)
                | st.lists(st.integers(), max_size=3),
            ),
            st.integers(min_value=0, max_value=80),
        ),
    )
)
def test_random_datagrams_never_raise(data: bytes) -> None:
    emulator = MiotEmulatorServer(token=TOKEN)  # not started: answers go nowhere

    emulator._received(data, ("127.0.0.1", 1))

    assert emulator.datagrams == 1


async def test_garbage_datagrams_do_not_stop_the_server(server: MiotEmulatorServer) -> None:
    rng = random.Random(1234)  # noqa: S311
    valid = build_request({"id": 1, "method": "miIO.info", "params": []})
    datagrams = [rng.randbytes(rng.randrange(0, 600)) for _ in range(100)]
    datagrams += [_MAGIC + rng.randbytes(rng.randrange(0, 200)) for _ in range(50)]
    datagrams += [valid[:cut] for cut in range(0, len(valid), 7)]
    datagrams += [valid[:40] + bytes([valid[40] ^ 0xFF]) + valid[41:]]
    datagrams += [build_request({"id": "x", "method": "miIO.info"}), build_request({"id": 2})]
    datagrams += [build_request([1, 2, 3])]  # type: ignore[arg-type]

    def blast() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for datagram in datagrams:
                sock.sendto(datagram, address(server))

    await call(blast)
    await asyncio.sleep(0.1)

    assert (await call(client(server).send, "miIO.info"))["model"] == server.model
    assert server.requests["miIO.info"] == 1
    assert server.datagrams >= len(datagrams)


def test_bad_identity_is_refused() -> None:
    with pytest.raises(ValueError, match="token"):
        MiotEmulatorServer(token="abc")
    with pytest.raises(ValueError, match="device id"):
        MiotEmulatorServer(token=TOKEN, device_id=2**32)


# -- command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [["--token", "abc"], ["--product", "sofa"], ["--device-id", "0x100000000"]]
)
def test_cli_refuses_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


async def test_cli_serves_python_miio() -> None:
    host = random_loopback()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulators.miot",
        "--product",
        "cushion",
        "--host",
        host,
        "--port",
        str(MIIO_PORT),
        "--token",
        TOKEN,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert process.stdout is not None
    try:
        output = ""
        async with asyncio.timeout(20):
            while "Ctrl-C" not in output:
                line = await process.stdout.readline()
                assert line, f"the CLI ended early: {output!r}"
                output += line.decode()
        assert "Model: smartmassager.massage.emucushion" in output
        assert f"Token: {TOKEN}" in output
        assert f"Listening on {host}:{MIIO_PORT}" in output

        info = await call(Device(host, TOKEN, timeout=1).info)
        assert info.model == "smartmassager.massage.emucushion"
        device = MiotDevice(host, TOKEN, timeout=1, mapping={})  # type: ignore[arg-type]
        assert (await call(device.set_property_by, 2, 1, True))[0]["code"] == 0
        assert (await call(device.get_property_by, 2, 1))[0]["value"] is True
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            code = await process.wait()
    assert code == 0


def test_cli_defaults_to_a_random_identity_on_the_miio_port() -> None:
    first, second = build_server(parse_args([])), build_server(parse_args([]))

    assert first.port == MIIO_PORT
    assert first.model == "smartmassager.massage.emuchair"
    assert len(first.token) == 32
    assert first.token != second.token
    assert build_server(parse_args(["--device-id", "0x0A1B2C3D"])).device_id == DEVICE_ID
