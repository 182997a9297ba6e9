"""The Tuya emulator on real loopback sockets, with tinytuya's own client as the judge.

tinytuya is an implementation of the local protocol nobody here wrote: if the emulator's
framing, keys or encryption drift from what real devices send, these tests fail. tinytuya is
synchronous, so its calls run in a thread (asyncio.to_thread) while the emulator serves on the
test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import tinytuya
from tinytuya.core import command_types as commands
from tinytuya.core import header as tuya_header

from emulators.tuya import Product, TuyaEmulatorServer, TuyaMassager

DEVICE_ID = "ebemu0123456789abcdef0"  # 22 characters, like newer Tuya ids
LOCAL_KEY = "k3y!Emul@tor#16c"
WRONG_KEY = "0123456789abcdef"
VERSIONS = ["3.3", "3.4", "3.5"]
# Real sockets; pytest-socket (through pytest-homeassistant-custom-component) allows loopback.
pytestmark = pytest.mark.usefixtures("socket_enabled")

# The massage chair's dp ids (products/massage_chair.json).
SWITCH, TIME_SET, HEAT, MASSAGE_SPEED, MANUAL_MODE = "1", "2", "3", "5", "8"


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=VERSIONS)
async def server(
    request: pytest.FixtureRequest, clock: FakeClock
) -> AsyncIterator[TuyaEmulatorServer]:
    """The massage chair served on a loopback port the OS picks, once per protocol version."""
    device = TuyaMassager(Product.load("massage_chair"), monotonic=clock)
    emulator = TuyaEmulatorServer(
        device, device_id=DEVICE_ID, local_key=LOCAL_KEY, version=request.param
    )
    async with emulator:
        yield emulator


@pytest.fixture
def clients() -> Any:
    """Makes tinytuya clients for an emulator and closes them at the end of the test."""
    made: list[tinytuya.Device] = []

    def make(
        server: TuyaEmulatorServer,
        *,
        key: str = LOCAL_KEY,
        persist: bool = False,
        timeout: float = 1.0,
    ) -> tinytuya.Device:
        device = tinytuya.Device(
            DEVICE_ID,
            address="127.0.0.1",
            local_key=key,
            version=float(server.version),
            port=server.port,
            connection_timeout=timeout,
            connection_retry_limit=1,
            connection_retry_delay=0.1,
        )
        device.set_socketPersistent(persist)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()


async def call[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking tinytuya call, off the event loop the emulator runs on."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def status_after_retries(client: tinytuya.Device, attempts: int = 3) -> dict[str, Any]:
    """status(), repeated while tinytuya reports a broken connection (it reconnects)."""
    result: dict[str, Any] = {}
    for _ in range(attempts):
        result = await call(client.status)
        if result and "dps" in result:
            return result
    return result


# -- queries and commands ----------------------------------------------------------------------


async def test_status_returns_every_dp(server: TuyaEmulatorServer, clients: Any) -> None:
    result = await call(clients(server).status)

    assert result["dps"] == server.device.status()
    assert result["dps"][TIME_SET] == 15
    assert result["dps"][MANUAL_MODE] == "close"
    if server.version == "3.3":
        assert result["devId"] == DEVICE_ID
        assert server.frames[commands.DP_QUERY] == 1
    else:
        assert server.frames[commands.DP_QUERY_NEW] == 1
        assert server.frames[commands.SESS_KEY_NEG_START] == 1
        assert server.frames[commands.SESS_KEY_NEG_FINISH] == 1
    assert server.connections_accepted == 1


async def test_set_value_changes_the_device(server: TuyaEmulatorServer, clients: Any) -> None:
    client = clients(server)

    result = await call(client.set_value, int(MASSAGE_SPEED), "level_3")

    assert result["dps"] == {MASSAGE_SPEED: "level_3"}
    assert server.device.value("massage_speed") == "level_3"
    # 3.3/3.4 answer with the request's sequence number: only then does tinytuya take the
    # acknowledgement's return code (3.5 numbers its frames with its own counter).
    assert client.cmd_retcode == 0
    control = commands.CONTROL if server.version == "3.3" else commands.CONTROL_NEW
    assert server.frames[control] == 1
    assert (await call(client.status))["dps"][MASSAGE_SPEED] == "level_3"


async def test_set_multiple_values(server: TuyaEmulatorServer, clients: Any) -> None:
    client = clients(server)

    result = await call(
        client.set_multiple_values, {HEAT: True, MANUAL_MODE: "shiatsu", TIME_SET: 30}
    )

    assert result["dps"] == {HEAT: True, MANUAL_MODE: "shiatsu", TIME_SET: 30}
    assert server.device.value("heat") is True
    assert server.device.value("manual_mode") == "shiatsu"
    assert server.device.value("time_set") == 30
    dps = (await call(client.status))["dps"]
    assert (dps[HEAT], dps[MANUAL_MODE], dps[TIME_SET]) == (True, "shiatsu", 30)


async def test_invalid_values_and_unknown_dps_are_ignored(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server)
    before = server.device.status()

    result = await call(
        client.set_multiple_values,
        {MASSAGE_SPEED: "level_9", TIME_SET: 501, "99": True, SWITCH: "yes", HEAT: True},
    )

    # Only the valid dp is applied and reported; the rest change nothing, without an error.
    assert result["dps"] == {HEAT: True}
    assert server.device.status() == before | {HEAT: True}


async def test_command_on_the_device_reaches_a_persistent_client(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server, persist=True)
    assert "dps" in await call(client.status)

    await server.press("manual_mode", "knock")
    pushed = await call(client.receive)

    assert pushed["dps"] == {MANUAL_MODE: "knock"}
    assert isinstance(pushed["t"], int)
    if server.version != "3.3":
        assert pushed["protocol"] == 4
        assert pushed["data"] == {"dps": {MANUAL_MODE: "knock"}}


async def test_a_command_is_pushed_to_other_clients(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    watcher = clients(server, persist=True)
    assert "dps" in await call(watcher.status)

    await call(clients(server).set_value, int(HEAT), True)
    pushed = await call(watcher.receive)

    assert pushed["dps"] == {HEAT: True}


async def test_heartbeat_is_answered(server: TuyaEmulatorServer, clients: Any) -> None:
    client = clients(server, persist=True, timeout=0.3)

    # An empty acknowledgement: tinytuya waits for more, times out and returns None.
    assert await call(client.heartbeat, nowait=False) is None

    assert server.frames[commands.HEART_BEAT] == 1
    assert [message.cmd for message in client.raw_recv] == [commands.HEART_BEAT]
    assert client.cmd_retcode == 0
    assert "dps" in await call(client.status)  # the connection is still good


async def test_updatedps_reports_the_requested_dps(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server, persist=True, timeout=0.5)
    assert "dps" in await call(client.status)

    result = await call(client.updatedps, [int(HEAT), int(TIME_SET), 77])

    assert result["dps"] == {TIME_SET: 15, HEAT: False}


# -- the device's own behaviour --------------------------------------------------------------------


async def test_the_session_ends_by_itself_with_the_heat_off(
    server: TuyaEmulatorServer, clients: Any, clock: FakeClock
) -> None:
    watcher = clients(server, persist=True, timeout=3.0)
    client = clients(server)
    await call(client.set_multiple_values, {TIME_SET: 1, HEAT: True})
    await call(client.set_value, int(SWITCH), True)
    assert "dps" in await call(watcher.status)
    assert server.device.session_end == clock.now + 60

    clock.advance(59)
    assert await server.tick() == {}
    assert server.device.value("switch") is True

    # Past the end, the server's own timer notices (it reads the clock at least once a second).
    clock.advance(1)
    pushed = await call(watcher.receive)

    assert pushed["dps"] == {SWITCH: False, HEAT: False}
    assert server.device.value("switch") is False
    assert server.device.value("heat") is False
    assert server.device.session_end is None


async def test_switching_off_ends_the_session_with_the_heat_off(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server)
    await call(client.set_multiple_values, {SWITCH: True, HEAT: True})

    result = await call(client.set_value, int(SWITCH), False)

    assert result["dps"] == {SWITCH: False, HEAT: False}
    assert server.device.session_end is None


# -- keys and integrity ------------------------------------------------------------------------


async def test_a_wrong_local_key_gets_an_error_and_changes_nothing(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    before = server.device.status()
    client = clients(server, key=WRONG_KEY)

    status = await call(client.status)
    control = await call(client.set_value, int(HEAT), True)

    assert "Err" in status
    assert "dps" not in status
    assert "Err" in control
    assert server.device.status() == before
    assert server.frames_rejected >= 2
    await asyncio.sleep(0.05)
    assert server.connection_count == 0  # every bad frame closed its connection


async def test_a_right_key_still_works_after_a_wrong_one(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    assert "Err" in await call(clients(server, key=WRONG_KEY).status)
    assert "dps" in await call(clients(server).status)


async def test_a_frame_claiming_more_than_64_kib_is_refused(
    server: TuyaEmulatorServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    if server.version == "3.5":
        header = struct.pack(
            tuya_header.MESSAGE_HEADER_FMT_6699, tuya_header.PREFIX_6699_VALUE, 0, 1, 16, 65537
        )
    else:
        header = struct.pack(
            tuya_header.MESSAGE_HEADER_FMT_55AA, tuya_header.PREFIX_55AA_VALUE, 1, 10, 65537
        )
    writer.write(header)
    await writer.drain()

    assert await asyncio.wait_for(reader.read(100), timeout=2.0) == b""  # closed, nothing read
    assert server.frames_rejected == 1
    writer.close()


# -- faults ------------------------------------------------------------------------------------


async def test_garbage_is_an_error_and_the_connection_recovers(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server, persist=True, timeout=0.5)
    assert "dps" in await call(client.status)

    await server.send_garbage()
    received = await call(client.receive)

    # 3.3/3.4: tinytuya decodes junk and reports it; 3.5: the GCM tag fails and it drops it.
    assert received is None or "Err" in received
    assert "dps" in await status_after_retries(client)


async def test_dropped_connections_are_reconnected(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server, persist=True)
    assert "dps" in await call(client.status)

    await server.drop_connections()

    assert server.connection_count == 0
    assert "dps" in await status_after_retries(client)
    assert server.connections_accepted == 2


async def test_restart_keeps_the_port_and_loses_the_session(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    client = clients(server, persist=True)
    await call(client.set_value, int(SWITCH), True)
    port = server.port

    await server.restart()

    assert server.port == port
    assert server.device.value("switch") is False
    result = await status_after_retries(client)
    assert result["dps"][SWITCH] is False
    assert server.connections_accepted == 2


async def test_silent_device_keeps_the_socket_and_answers_nothing(
    server: TuyaEmulatorServer, clients: Any
) -> None:
    await server.set_silent(True)
    client = clients(server, timeout=0.3)

    result = await call(client.status)

    assert "Err" in result
    assert sum(server.frames.values()) >= 1  # the frames arrived and were not answered
    await server.set_silent(False)
    assert "dps" in await call(clients(server).status)


async def test_delay_slows_every_answer(server: TuyaEmulatorServer, clients: Any) -> None:
    await server.set_delay(0.3)
    started = time.monotonic()

    result = await call(clients(server, timeout=2.0).status)

    assert "dps" in result
    assert time.monotonic() - started >= 0.3


# -- discovery ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_discovery_announcements_decode_with_tinytuya(version: str) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    device = TuyaMassager(Product.load("cushion"))
    server = TuyaEmulatorServer(
        device,
        device_id=DEVICE_ID,
        local_key=LOCAL_KEY,
        version=version,  # type: ignore[arg-type]
        discovery=("127.0.0.1", port),
        discovery_interval=0.05,
    )
    try:
        async with server:
            data = await asyncio.wait_for(
                asyncio.get_running_loop().sock_recv(listener, 4096), timeout=2.0
            )
    finally:
        listener.close()

    announced = json.loads(tinytuya.decrypt_udp(data))
    assert announced == {
        "ip": "127.0.0.1",
        "gwId": DEVICE_ID,
        "active": 2,
        "ability": 0,
        "mode": 0,
        "encrypt": True,
        "productKey": "emuamycushion001",
        "version": version,
    }
