"""The connection against scripted devices: answers a real device may give that the emulator
does not (a refusal, a change in the acknowledgement, a stall mid-frame, another protocol).

The scripted device's frames are packed by tinytuya (protocol 3.3, no session key).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable
from hashlib import sha256

import pytest
from tinytuya.core import header as tuya_header
from tinytuya.core.crypto_helper import AESCipher
from tinytuya.core.message_helper import TuyaMessage, pack_message

from pysmartmassager import MassagerTimeoutError
from pysmartmassager.tuya import (
    TuyaConnection,
    TuyaHungUpError,
    TuyaKeyError,
    TuyaProtocolError,
    TuyaUnsupportedError,
    probe,
)
from pysmartmassager.tuya.connection import READ_YIELD_FRAMES
from pysmartmassager.tuya.discovery import TuyaDiscovery
from pysmartmassager.tuya.protocol import Version

pytestmark = pytest.mark.usefixtures("socket_enabled")
KEY = "0123456789abcdef"

type Script = Callable[[int], bytes]  # the command received -> what the device sends back
type Starter = Callable[[Script], Awaitable[int]]


def frame(command: int, document: dict[str, object] | None, retcode: int = 0) -> bytes:
    body = (
        AESCipher(KEY.encode()).encrypt(json.dumps(document).encode(), False) if document else b""
    )
    payload = retcode.to_bytes(4, "big") + body
    return pack_message(
        TuyaMessage(1, command, None, payload, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
    )


@pytest.fixture
async def scripted() -> AsyncGenerator[Callable[[Script], Awaitable[int]]]:
    servers: list[asyncio.Server] = []

    async def start(script: Script) -> int:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while head := await reader.read(16):
                command = int.from_bytes(head[8:12], "big")
                length = int.from_bytes(head[12:16], "big")
                await reader.readexactly(length)
                writer.write(script(command))
                await writer.drain()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()


async def connect(port: int, **kwargs: float) -> TuyaConnection:
    link = TuyaConnection("127.0.0.1", "x" * 20, KEY, Version.V33, port=port, heartbeat=0, **kwargs)
    await link.open()
    return link


async def test_a_refused_command_is_a_protocol_error(scripted: Starter) -> None:
    link = await connect(await scripted(lambda _command: frame(7, None, retcode=1)))
    with pytest.raises(TuyaProtocolError, match="return code 1"):
        await link.control({"1": True})
    await link.close()


async def test_a_change_in_the_acknowledgement_is_delivered(scripted: Starter) -> None:
    seen: list[dict[str, object]] = []
    link = TuyaConnection(
        "127.0.0.1",
        "x" * 20,
        KEY,
        Version.V33,
        port=await scripted(lambda _command: frame(7, {"dps": {"1": True}})),
        heartbeat=0,
        on_status=seen.append,
    )
    await link.open()
    await link.control({"1": True})
    assert seen == [{"1": True}]
    await link.close()


async def test_a_stall_in_the_middle_of_a_frame_times_out(scripted: Starter) -> None:
    link = await connect(await scripted(lambda _command: frame(10, {"dps": {}})[:20]), timeout=0.3)
    with pytest.raises(MassagerTimeoutError):
        await link.query()
    assert isinstance(await link.closed, MassagerTimeoutError)
    await link.close()


async def test_probe_of_something_that_is_not_tuya(scripted: Starter) -> None:
    port = await scripted(lambda _command: b"HTTP/1.1 400 Bad Request\r\n\r\n" + b" " * 40)
    with pytest.raises(TuyaUnsupportedError):
        await probe("127.0.0.1", "x" * 20, KEY, port=port, answer_within=0.5)


async def test_discovery_skips_a_port_it_cannot_have() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))  # without SO_REUSEPORT: nobody else may bind it
        port = taken.getsockname()[1]
        discovery = TuyaDiscovery(lambda _announcement: None, ports=(port,), host="127.0.0.1")
        discovery.request()  # not listening: nothing to send from
        await discovery.start()
        assert discovery.listening == []
        discovery.close()


async def test_an_empty_acknowledgement_before_the_answer(scripted: Starter) -> None:
    # Some devices acknowledge a query with an empty frame, then answer: the answer counts.
    port = await scripted(lambda _command: frame(10, None) + frame(10, {"dps": {"1": True}}))
    link = await connect(port)
    assert await link.query() == {"1": True}
    await link.close()


async def test_a_device_proving_another_key_is_a_definite_key_error(scripted: Starter) -> None:
    # 3.4: the device answers the session-key start, signing our nonce with its (other) key.
    def answer(_command: int) -> bytes:
        body = os.urandom(16) + hmac.new(b"another key 1234", b"?", sha256).digest()
        payload = bytes(4) + AESCipher(KEY.encode()).encrypt(body, False)
        message = TuyaMessage(1, 4, None, payload, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
        return pack_message(message, hmac_key=KEY.encode())

    port = await scripted(answer)
    with pytest.raises(TuyaKeyError) as caught:
        await probe("127.0.0.1", "x" * 20, KEY, (Version.V34,), port=port, answer_within=0.5)
    assert not isinstance(caught.value, TuyaHungUpError)


async def test_a_flood_of_status_frames_in_one_read_lets_other_tasks_run(
    scripted: Starter,
) -> None:
    # The device answers a query with 3,000 STATUS frames back to back: far more than one socket
    # read. Another task must get to run while they are handled, not only between reads.
    status = frame(8, {"dps": {"1": True}})
    port = await scripted(lambda _command: frame(10, {"dps": {}}) + status * 3000)
    ticks = 0
    seen_at: list[int] = []  # the other task's count when each frame was handled
    all_seen = asyncio.Event()

    def on_status(_dps: dict[str, object]) -> None:
        seen_at.append(ticks)
        if len(seen_at) == 3000:
            all_seen.set()

    async def other_task() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    link = TuyaConnection(
        "127.0.0.1",
        "x" * 20,
        KEY,
        Version.V33,
        port=port,
        heartbeat=0,
        on_status=on_status,
    )
    ticker = asyncio.create_task(other_task())
    await link.open()
    await link.query()
    await asyncio.wait_for(all_seen.wait(), 10)
    ticker.cancel()
    await link.close()
    longest = max(seen_at.count(tick) for tick in set(seen_at))
    assert longest <= READ_YIELD_FRAMES
