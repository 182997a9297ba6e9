"""One persistent TCP connection to a Tuya device: session key, requests, heartbeats, pushes.

Asyncio only (no thread per device). One request is in flight at a time, matched to its answer by
command: 3.5 devices number their answers with their own counter, not the request's. Everything
else the device sends with datapoints (STATUS frames, when someone presses a button on the
massager) goes to `on_status`. Every read is bounded in size (`MAX_FRAME_BYTES`) and, once a frame
has begun, in time; a silent device is found by the heartbeat. Any fault closes the connection:
its owner reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection
from typing import Any

from pysmartmassager.exceptions import MassagerConnectionError, MassagerError, MassagerTimeoutError

from .protocol import (
    HEAD_SIZE,
    Command,
    Frame,
    FrameCodec,
    SessionKeyNegotiation,
    TuyaKeyError,
    TuyaProtocolError,
    Version,
    dumps,
    local_key_bytes,
    parse_dps,
)

LOGGER = logging.getLogger(__package__)

DEFAULT_PORT = 6668
REQUEST_TIMEOUT_S = 5.0
HEARTBEAT_S = 10.0  # the interval tinytuya and the Tuya apps use; devices drop idle links at ~30 s
# Frames handled between two yields to the event loop. A read can hold thousands of frames that
# need no wait (a flooding device): handled in one go they stall Home Assistant for a tenth of a
# second and more. Every 32 frames (about 1 ms of work) keeps the loop responsive at little cost.
READ_YIELD_FRAMES = 32

type StatusCallback = Callable[[dict[str, Any]], None]


class TuyaConnection:
    """A connection to one device. `open()` it; `closed` completes when it ends, for any reason."""

    def __init__(
        self,
        host: str,
        device_id: str,
        local_key: str,
        version: Version,
        *,
        port: int = DEFAULT_PORT,
        on_status: StatusCallback | None = None,
        timeout: float = REQUEST_TIMEOUT_S,
        heartbeat: float = HEARTBEAT_S,
    ) -> None:
        self.host = host
        self.port = port
        self.device_id = device_id
        self.version = version
        self._codec = FrameCodec(version, local_key_bytes(local_key))
        self._on_status = on_status
        self._timeout = timeout
        self._heartbeat = heartbeat
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()
        self._pending: tuple[Collection[int], asyncio.Future[Frame]] | None = None
        self._sequence = 0
        # Once the key has worked on this connection, a frame that fails its check is corrupt,
        # not a sign of a changed key: it must not send the user to re-enter the key.
        self._key_proven = False
        self.tcp_connected = False  # the device accepted the TCP connection
        self.closed: asyncio.Future[MassagerError | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.frames_sent = 0
        self.frames_received = 0

    @property
    def key_proven(self) -> bool:
        """Whether a frame under this key (or the session key it gave) has come back."""
        return self._key_proven

    @property
    def is_open(self) -> bool:
        """True until the connection ends."""
        return self._writer is not None and not self.closed.done()

    # -- life cycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and, on 3.4/3.5, negotiate the session key. Raises the library's errors."""
        try:
            reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self._timeout
            )
        except TimeoutError as err:
            raise MassagerTimeoutError(f"{self.host}:{self.port} did not answer") from err
        except OSError as err:
            raise MassagerConnectionError(f"cannot connect to {self.host}:{self.port}") from err
        self.tcp_connected = True
        self._tasks.append(asyncio.create_task(self._read_loop(reader)))
        try:
            if self.version is not Version.V33:
                await self._negotiate()
        except BaseException:
            await self.close()
            raise
        if self._heartbeat > 0:
            self._tasks.append(asyncio.create_task(self._heartbeat_loop()))

    async def _negotiate(self) -> None:
        negotiation = SessionKeyNegotiation(self.version, self._codec.local_key)
        answer = await self._request(
            Command.SESS_KEY_NEG_START, negotiation.start(), {Command.SESS_KEY_NEG_RESP}
        )
        finish, session_key = negotiation.finish(answer.payload)
        self._send(Command.SESS_KEY_NEG_FINISH, finish)
        # The device answers the finish with nothing and uses the session key from here on.
        self._codec.use_session_key(session_key)
        self._key_proven = True

    async def close(self, error: MassagerError | None = None) -> None:
        """End the connection (idempotent)."""
        self._end(error)
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        for task in self._tasks:
            if task is not asyncio.current_task():
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    def _end(self, error: MassagerError | None) -> None:
        if not self.closed.done():
            self.closed.set_result(error)
        if self._pending is not None and not self._pending[1].done():
            self._pending[1].set_exception(
                error or MassagerConnectionError(f"the connection to {self.host} closed")
            )
        if self._writer is not None:
            self._writer.close()

    # -- requests --------------------------------------------------------------------------------

    async def query(self) -> dict[str, Any]:
        """Every datapoint's current value."""
        if self.version is Version.V33:
            stamp = str(int(time.time()))
            body = {
                "gwId": self.device_id,
                "devId": self.device_id,
                "uid": self.device_id,
                "t": stamp,
            }
            answer = await self._request(Command.DP_QUERY, dumps(body), {Command.DP_QUERY})
        else:
            answer = await self._request(Command.DP_QUERY_NEW, b"{}", {Command.DP_QUERY_NEW})
        return parse_dps(answer.payload)

    async def control(self, dps: dict[str, Any]) -> None:
        """Set datapoints (ids as strings). The device acknowledges, then reports the change."""
        if self.version is Version.V33:
            body: dict[str, Any] = {
                "devId": self.device_id,
                "uid": self.device_id,
                "t": str(int(time.time())),
                "dps": dps,
            }
            answer = await self._request(Command.CONTROL, dumps(body), {Command.CONTROL})
        else:
            body = {"protocol": 5, "t": int(time.time()), "data": {"dps": dps}}
            answer = await self._request(Command.CONTROL_NEW, dumps(body), {Command.CONTROL_NEW})
        if answer.retcode:
            raise TuyaProtocolError(
                f"the device refused the command (return code {answer.retcode})"
            )
        if answer.payload and (changed := parse_dps(answer.payload)):
            self._deliver(changed)  # some devices put the change in the acknowledgement itself

    async def heartbeat(self) -> None:
        """One heartbeat; raises when the device does not answer in time."""
        body = {"gwId": self.device_id, "devId": self.device_id}
        await self._request(Command.HEART_BEAT, dumps(body), {Command.HEART_BEAT})

    async def _request(self, command: int, payload: bytes, answers: Collection[int]) -> Frame:
        async with self._lock:
            if not self.is_open:
                raise MassagerConnectionError(f"the connection to {self.host} is closed")
            future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
            self._pending = (answers, future)
            try:
                self._send(command, payload)
                return await asyncio.wait_for(future, self._timeout)
            except TimeoutError as err:
                error = MassagerTimeoutError(f"{self.host} did not answer in {self._timeout:g} s")
                self._end(error)  # a silent device: the owner reconnects
                raise error from err
            finally:
                self._pending = None

    def _send(self, command: int, payload: bytes) -> None:
        if self._writer is None:
            raise MassagerConnectionError("the connection is not open")
        self._sequence += 1
        self._writer.write(self._codec.encode(self._sequence, command, payload))
        self.frames_sent += 1

    async def _heartbeat_loop(self) -> None:
        while self.is_open:
            await asyncio.sleep(self._heartbeat)
            try:
                await self.heartbeat()
            except MassagerError:
                return  # the request already ended the connection

    # -- reading ---------------------------------------------------------------------------------

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                head = await reader.readexactly(HEAD_SIZE)  # waits as long as the device is quiet
                length = FrameCodec.frame_length(head)
                # Once a frame has begun, the rest must follow promptly.
                rest = await asyncio.wait_for(reader.readexactly(length - HEAD_SIZE), self._timeout)
                try:
                    frame = self._codec.decode(head + rest)
                except TuyaKeyError as err:
                    if self._key_proven:
                        raise TuyaProtocolError(f"a corrupt frame: {err}") from err
                    raise
                if frame.payload:
                    self._key_proven = True  # a payload decrypted (3.3's CRC needs no key)
                self.frames_received += 1
                answered = self._dispatch(frame)
                if answered or self.frames_received % READ_YIELD_FRAMES == 0:
                    # readexactly() does not yield while frames are buffered: let others run.
                    # After an answer, the requester first: a status the device sent behind it
                    # (in the same read) is newer and must not be overwritten by the answer.
                    await asyncio.sleep(0)
        except MassagerError as err:
            LOGGER.debug("Closing the connection to %s: %s", self.host, err)
            self._end(err)
        except (asyncio.IncompleteReadError, OSError) as err:
            self._end(MassagerConnectionError(f"{self.host} closed the connection: {err!r}"))
        except TimeoutError:
            self._end(MassagerTimeoutError(f"{self.host} stopped in the middle of a frame"))

    def _dispatch(self, frame: Frame) -> bool:
        """Route one frame; True when it answered the request in flight."""
        pending = self._pending
        if (
            not frame.payload
            and frame.command in (Command.DP_QUERY, Command.DP_QUERY_NEW)
            and frame.retcode == 0
        ):
            return False  # an acknowledgement before the answer, as some devices send: keep waiting
        if pending is not None and frame.command in pending[0] and not pending[1].done():
            pending[1].set_result(frame)
            return True
        if (frame.command == Command.STATUS or frame.payload) and (dps := parse_dps(frame.payload)):
            self._deliver(dps)
        return False

    def _deliver(self, dps: dict[str, Any]) -> None:
        if self._on_status is None:
            return
        try:
            self._on_status(dps)
        except Exception:
            # The owner's bug must not take the connection (and its pending request) down.
            LOGGER.exception("Error handling a status from %s", self.host)
