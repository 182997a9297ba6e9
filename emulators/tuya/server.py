"""The emulator's TCP server: Tuya's local protocol on real sockets, plus fault injection.

asyncio only, one task per connection, no threads. Each connection has its own wire.Session
(3.4/3.5 session keys are per connection, as on real devices). Device changes (commands, the
device's own buttons, the session timer) go to every connection as STATUS pushes.

A frame that fails its CRC/HMAC/GCM check or does not decrypt (a wrong local key) is dropped
and the connection closed, as real devices do: tinytuya then reports an error dict
(904 "Unexpected Payload" for 3.3, 914 "Check device key or version" for 3.4/3.5).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .device import DpValue, TuyaMassager
from .wire import (
    CONTROL,
    CONTROL_NEW,
    DP_QUERY,
    DP_QUERY_NEW,
    HEART_BEAT,
    PREFIX_SIZE,
    SESS_KEY_NEG_FINISH,
    SESS_KEY_NEG_START,
    STATUS,
    UPDATEDPS,
    Request,
    Session,
    Version,
    WireError,
    announcement,
    header_size,
    read_header,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

_LOGGER = logging.getLogger(__name__)

DISCOVERY_PORT = 6667  # where 3.3+ devices broadcast (tinytuya's UDPPORTS)
DISCOVERY_INTERVAL_S = 5.0
# The timer task re-reads the device's clock at least this often, so that a test moving an
# injected clock sees the session end within a second even without calling tick().
MAX_TIMER_SLEEP_S = 1.0


@dataclass(eq=False, slots=True)
class _Connection:
    writer: asyncio.StreamWriter
    session: Session
    task: asyncio.Task[Any] | None = None
    peer: str = ""
    closed: bool = field(default=False)

    def send(self, frame: bytes) -> None:
        if not self.closed and not self.writer.is_closing():
            self.writer.write(frame)

    def close(self) -> None:
        self.closed = True
        self.writer.close()


class TuyaEmulatorServer:
    """Serves one TuyaMassager on host:port as a Tuya device of `version`.

    Port 0 lets the OS choose (tests read `port` after `start()`); `restart()` keeps the port.
    `discovery`: (address, port) to send UDP announcements to, None for none.
    """

    def __init__(
        self,
        device: TuyaMassager,
        *,
        device_id: str,
        local_key: str,
        version: Version,
        host: str = "127.0.0.1",
        port: int = 0,
        discovery: tuple[str, int] | None = None,
        discovery_interval: float = DISCOVERY_INTERVAL_S,
        advertised_ip: str | None = None,
    ) -> None:
        if not 20 <= len(device_id) <= 22:  # noqa: PLR2004  # Tuya's device id lengths
            raise ValueError("a Tuya device id has 20 to 22 characters")
        if len(local_key) != 16 or not local_key.isascii():  # noqa: PLR2004
            raise ValueError("a Tuya local key is 16 ASCII characters")
        self.device = device
        self.device_id = device_id
        self.local_key = local_key
        self.version: Version = version
        self.host = host
        self.port = port
        self.discovery = discovery
        self.discovery_interval = discovery_interval
        self.advertised_ip = advertised_ip or host
        # Counters for tests: frames received per command (before any check), connections.
        self.frames: Counter[int] = Counter()
        self.connections_accepted = 0
        self.frames_rejected = 0
        self.announcements_sent = 0
        # Faults.
        self.delay_s = 0.0
        self.silent = False
        self.garbled_answers = 0
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._timer_task: asyncio.Task[None] | None = None
        self._discovery_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        device.listeners.append(self._on_change)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the server accepts connections."""
        return self._server is not None

    @property
    def connection_count(self) -> int:
        """Open client connections."""
        return len(self._connections)

    async def start(self) -> None:
        """Listen on host:port (the same port again after `restart()`)."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve_connection, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._timer_task = asyncio.create_task(self._run_timer())
        if self.discovery is not None and self._discovery_task is None:
            self._discovery_task = asyncio.create_task(self._run_discovery(self.discovery))

    async def stop(self) -> None:
        """Stop listening, close every connection, stop the timer and the announcements."""
        await self._stop_serving()
        if self._discovery_task is not None:
            await _cancel(self._discovery_task)
            self._discovery_task = None

    async def __aenter__(self) -> TuyaEmulatorServer:
        """Start (`async with TuyaEmulatorServer(...) as server:`)."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop."""
        await self.stop()

    async def _stop_serving(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        await self.drop_connections()
        if server is not None:
            await server.wait_closed()
        if self._timer_task is not None:
            await _cancel(self._timer_task)
            self._timer_task = None

    # -- fault injection -------------------------------------------------------------------------

    async def drop_connections(self) -> None:
        """Close every client connection (a Wi-Fi hiccup); the server keeps listening."""
        connections = list(self._connections)
        for connection in connections:
            connection.close()
        tasks = {
            connection.task
            for connection in connections
            if connection.task is not None and connection.task is not asyncio.current_task()
        }
        if tasks:
            # Closing the transport ends each connection's read with EOF; a task still busy
            # after a second (a long injected delay) is cancelled.
            _done, pending = await asyncio.wait(tasks, timeout=1.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)

    async def set_delay(self, seconds: float) -> None:
        """Answer every request `seconds` late (0: on time); pushes are not delayed."""
        self.delay_s = max(0.0, seconds)

    async def send_garbage(self) -> None:
        """Send every client a well-delimited frame with a random body and a wrong CRC/HMAC/tag."""
        for connection in list(self._connections):
            connection.send(connection.session.garbage())

    def garble_answers(self, count: int = 1) -> None:
        """Send the next `count` answers (the session-key one too) corrupted on the way."""
        self.garbled_answers += max(0, count)

    async def restart(self) -> None:
        """A power cycle: everything closed, the session lost, listening again on the same port.

        Session keys go with the connections; the massage session stops (switch and heat off).
        """
        await self._stop_serving()
        self.device.power_on()
        await self.start()

    async def press(self, code: str, value: DpValue) -> dict[str, DpValue]:
        """A change made on the device itself, pushed as STATUS to connected clients."""
        return self.device.press(code, value)

    async def drain(self) -> None:
        """Wait until every client has taken what was sent (a flood paced by its reader)."""
        for connection in list(self._connections):
            with contextlib.suppress(ConnectionError):
                await connection.writer.drain()

    async def set_silent(self, silent: bool) -> None:
        """Stop answering (and pushing) while keeping sockets open; frames are still counted."""
        self.silent = silent

    async def tick(self) -> dict[str, DpValue]:
        """Run the device's timer now (tests, after moving an injected clock)."""
        return self.device.tick()

    # -- devices.json --------------------------------------------------------------------------

    def device_entry(self) -> dict[str, Any]:
        """A tinytuya devices.json entry for this emulated device."""
        product = self.device.product
        return {
            "name": product.name,
            "id": self.device_id,
            "key": self.local_key,
            "ip": self.advertised_ip,
            "version": self.version,
            "category": product.category,
            "product_name": product.product_name,
            "product_id": product.product_id,
            "mapping": product.mapping_json(),
        }

    # -- connections -----------------------------------------------------------------------------

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections_accepted += 1
        with contextlib.suppress(OSError):
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = _Connection(
            writer,
            Session(self.version, self.local_key.encode("ascii")),
            asyncio.current_task(),
            str(writer.get_extra_info("peername")),
        )
        self._connections.add(connection)
        try:
            while not connection.closed:
                frame, header = await _read_frame(reader)
                self.frames[header.cmd] += 1
                if self.silent:
                    continue
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                request = connection.session.open(frame, header)
                self._handle(connection, request)
                await writer.drain()
        except WireError as err:
            # A real device drops the frame and the connection: the client sees EOF.
            self.frames_rejected += 1
            _LOGGER.debug("%s: frame refused, closing: %s", connection.peer, err)
        except asyncio.IncompleteReadError, ConnectionError:
            pass  # the client left
        finally:
            self._connections.discard(connection)
            connection.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _handle(self, connection: _Connection, request: Request) -> None:
        session = connection.session
        if self.garbled_answers:
            self.garbled_answers -= 1
            connection.send(session.garbage())
            return
        if request.cmd == SESS_KEY_NEG_START:
            connection.send(session.negotiate_start(request))
            return
        if request.cmd == SESS_KEY_NEG_FINISH:
            session.negotiate_finish(request)  # no answer: the client goes on with the new key
            return
        if not session.established:
            raise WireError(f"command {request.cmd:#04x} before the session key negotiation")
        body = request.json()
        if request.cmd in (DP_QUERY, DP_QUERY_NEW):
            connection.send(session.reply(request, request.cmd, self._dps_json(request.cmd)))
        elif request.cmd in (CONTROL, CONTROL_NEW):
            # The acknowledgement first (empty payload), then the STATUS the change causes.
            connection.send(session.reply(request, request.cmd))
            self.device.control(_control_dps(body))
        elif request.cmd == HEART_BEAT:
            connection.send(session.reply(request, HEART_BEAT))
        elif request.cmd == UPDATEDPS:
            connection.send(session.reply(request, UPDATEDPS))
            wanted = {str(dp_id) for dp_id in body.get("dpId", []) if isinstance(dp_id, int)}
            dps = {k: v for k, v in self.device.status().items() if k in wanted}
            if dps:
                connection.send(session.push(STATUS, self._status_json(dps)))
        else:
            _LOGGER.debug("%s: command %#04x ignored", connection.peer, request.cmd)

    def _dps_json(self, cmd: int) -> bytes:
        t = self.device.timestamp()
        dps = self.device.status()
        if cmd == DP_QUERY and self.version == "3.3":
            return _dumps({"devId": self.device_id, "dps": dps, "t": t})
        return _dumps({"dps": dps, "t": t})

    def _status_json(self, dps: Mapping[str, DpValue]) -> bytes:
        t = self.device.timestamp()
        if self.version == "3.3":
            return _dumps({"dps": dict(dps), "t": t})
        return _dumps({"protocol": 4, "t": t, "data": {"dps": dict(dps)}})

    def _on_change(self, changes: dict[str, DpValue]) -> None:
        self._wake.set()  # the timer re-reads the device's next deadline
        if self.silent:
            return
        payload = self._status_json(changes)
        for connection in list(self._connections):
            if connection.session.established:
                connection.send(connection.session.push(STATUS, payload))

    # -- the device's timer and announcements ----------------------------------------------------

    async def _run_timer(self) -> None:
        while True:
            deadline = self.device.next_deadline()
            delay = MAX_TIMER_SLEEP_S
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - self.device.monotonic()))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            deadline = self.device.next_deadline()
            if deadline is not None and self.device.monotonic() >= deadline:
                self.device.tick()

    async def _run_discovery(self, target: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setblocking(False)  # socket's own API
        info = {
            "ip": self.advertised_ip,
            "gwId": self.device_id,
            "active": 2,
            "ability": 0,
            "mode": 0,
            "encrypt": True,
            "productKey": self.device.product.product_id,
            "version": self.version,
        }
        try:
            while True:
                frame = announcement(self.version, info, self.announcements_sent)
                with contextlib.suppress(OSError):
                    await loop.sock_sendto(sock, frame, target)
                    self.announcements_sent += 1
                await asyncio.sleep(self.discovery_interval)
        finally:
            sock.close()


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bytes, Any]:
    """One whole frame (bounded: read_header refuses oversized lengths before the body)."""
    prefix = await reader.readexactly(PREFIX_SIZE)
    head = prefix + await reader.readexactly(header_size(prefix) - PREFIX_SIZE)
    header = read_header(head)
    frame = head + await reader.readexactly(header.total_length - len(head))
    return frame, header


def _control_dps(body: Mapping[str, Any]) -> dict[str, object]:
    """The dps of a CONTROL: {"dps": ..} (3.3) or {"data": {"dps": ..}} (3.4/3.5)."""
    data = body.get("data")
    dps = data.get("dps") if isinstance(data, dict) else body.get("dps")
    return dict(dps) if isinstance(dps, dict) else {}


def _dumps(value: object) -> bytes:
    # Compact, as devices send it (tinytuya strips spaces from what it sends for the same reason).
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
