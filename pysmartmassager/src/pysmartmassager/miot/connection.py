"""Requests to one miio device over UDP: hello, serialised requests, retries, typed errors.

Asyncio only. One request is in flight per device at a time (a lock): polls and commands never
overlap, and an answer is matched to its request by message id (a late answer to an earlier
attempt is dropped). A request that gets no answer is sent again with a fresh id, after a fresh
hello, as python-miio does (a device answers an id it has seen from its cache, or not at all).
Every datagram is bounded in size before it is decoded; every failure is a typed error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, TypeGuard

from pysmartmassager.const import MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text
from pysmartmassager.exceptions import (
    MassagerConnectionError,
    MassagerResponseError,
    MassagerTimeoutError,
)

from .protocol import (
    HEADER_SIZE,
    HELLO,
    MAX_PACKET_BYTES,
    MiotProtocolError,
    MiotTokenError,
    decode,
    encode,
    parse_token,
)

LOGGER = logging.getLogger(__package__)

DEFAULT_PORT = 54321
REQUEST_TIMEOUT_S = 2.0  # a LAN device answers in milliseconds; this is per attempt
ATTEMPTS = 3
HELLO_REFRESH_S = 120.0  # devices forget a quiet client; say hello again after this long
MAX_MESSAGE_ID = 9999  # python-miio wraps its ids here


class MiotDeviceError(MassagerResponseError):
    """The device answered with an error (`code` is the device's, `message` its text)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"the device answered error {code}: {message}")
        self.code = code


class MiotSilentError(MassagerTimeoutError):
    """The device answers hello but none of our requests: the usual sign of a wrong token."""


@dataclass(frozen=True, slots=True)
class MiotInfo:
    """What `miIO.info` says about the device (its token, if it sends one, is dropped)."""

    model: str
    firmware: str
    hardware: str
    mac: str


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, owner: MiotConnection) -> None:
        self._owner = owner
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._owner.datagram_received(data)

    def error_received(self, exc: Exception) -> None:
        self._owner.error_received(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._owner.lost(self._transport)


class MiotConnection:
    """Requests to one device. Opened on first use; `close()` releases the socket."""

    def __init__(
        self,
        host: str,
        token: str,
        *,
        port: int = DEFAULT_PORT,
        timeout: float | None = None,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.host = host
        self.port = port
        self._token = parse_token(token)
        self._timeout = timeout or REQUEST_TIMEOUT_S
        self._attempts = attempts
        self._lock = asyncio.Lock()
        self._transport: asyncio.DatagramTransport | None = None
        self._closed = False
        self._inbox: asyncio.Queue[bytes | Exception] = asyncio.Queue(maxsize=8)
        self._device_id = 0
        self._stamp = 0
        self._hello_at: float | None = None  # monotonic time of the device's last hello answer
        self._last_answer = 0.0
        # Devices answer a message id they have seen from a cache: a new connection (after a
        # restart of Home Assistant) must not begin where the last one began.
        self._message_id = secrets.randbelow(MAX_MESSAGE_ID)
        self.requests_sent = 0  # every request datagram, retries included (hellos not counted)
        self.hellos_sent = 0

    @property
    def device_id(self) -> int:
        """The id the device gave in its last hello (0 before one)."""
        return self._device_id

    # -- datagrams -------------------------------------------------------------------------------

    def datagram_received(self, data: bytes) -> None:
        """Queue a datagram for the request waiting; a flood only fills the small queue."""
        if self._closed:
            return
        if len(data) > MAX_PACKET_BYTES:
            data = data[: MAX_PACKET_BYTES + 1]  # decode() refuses it; no need to keep it all
        with contextlib.suppress(asyncio.QueueFull):
            self._inbox.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        """An ICMP error (port unreachable): the waiting request learns at once."""
        with contextlib.suppress(asyncio.QueueFull):
            self._inbox.put_nowait(exc)

    def lost(self, transport: asyncio.BaseTransport | None) -> None:
        """A socket closed under us (only the current one is forgotten)."""
        if transport is self._transport:
            self._transport = None

    async def _open(self) -> asyncio.DatagramTransport:
        if self._closed:
            raise MassagerConnectionError("the connection was closed")
        if self._transport is None:
            try:
                transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                    lambda: _Endpoint(self), remote_addr=(self.host, self.port)
                )
            except OSError as err:
                raise MassagerConnectionError(f"cannot reach {self.host}: {err}") from err
            self._transport = transport
        return self._transport

    async def _receive(self, deadline: float) -> bytes:
        """The next datagram before `deadline` (loop time); TimeoutError after it."""
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError
        async with asyncio.timeout(remaining):
            item = await self._inbox.get()
        if isinstance(item, MassagerConnectionError):
            raise item
        if isinstance(item, Exception):
            raise MassagerConnectionError(f"{self.host} is unreachable: {item}") from item
        return item

    def _drain(self) -> None:
        while not self._inbox.empty():
            item = self._inbox.get_nowait()
            if isinstance(item, MassagerConnectionError):
                raise item  # closed meanwhile

    # -- hello and requests ----------------------------------------------------------------------

    async def _hello(self) -> None:
        """Learn the device's id and stamp; MassagerTimeoutError if it never answers."""
        transport = await self._open()
        loop = asyncio.get_running_loop()
        for _ in range(self._attempts):
            self._drain()
            transport.sendto(HELLO)
            self.hellos_sent += 1
            deadline = loop.time() + self._timeout
            with contextlib.suppress(TimeoutError):
                while True:
                    data = await self._receive(deadline)
                    if len(data) != HEADER_SIZE:
                        continue  # a late answer to an earlier request
                    try:
                        packet = decode(data, self._token)
                    except MiotProtocolError:
                        continue
                    self._device_id, self._stamp = packet.device_id, packet.stamp
                    self._hello_at = time.monotonic()
                    return
        self._hello_at = None
        raise MassagerTimeoutError(f"{self.host} does not answer")

    def _next_id(self, step: int) -> int:
        self._message_id = (self._message_id + step) % MAX_MESSAGE_ID or 1
        return self._message_id

    async def request(self, method: str, params: Any = None) -> Any:
        """Send one request and return its `result`; one request at a time per device."""
        async with self._lock:
            return await self._request(method, [] if params is None else params)

    async def _request(self, method: str, params: Any) -> Any:
        loop = asyncio.get_running_loop()
        # Answers that did not check out; the one awaited may still come, so they are kept
        # and raised only when nothing better arrives. A checksum that does not match the token
        # is MiotTokenError: the user must enter the token again.
        garbled: MiotProtocolError | MiotTokenError | None = None
        for attempt in range(self._attempts):
            now = time.monotonic()
            if attempt or self._hello_at is None or now - self._last_answer > HELLO_REFRESH_S:
                await self._hello()
            hello_at = self._hello_at or time.monotonic()  # set by _hello(), which raised if not
            # python-miio jumps 100 ids on a retry: a device may hold the old id's answer.
            message_id = self._next_id(100 if attempt else 1)
            stamp = self._stamp + int(time.monotonic() - hello_at) + 1
            packet = encode(
                self._token,
                self._device_id,
                stamp,
                {"id": message_id, "method": method, "params": params},
            )
            self._drain()
            (await self._open()).sendto(packet)
            self.requests_sent += 1
            deadline = loop.time() + self._timeout
            try:
                while True:
                    data = await self._receive(deadline)
                    if len(data) == HEADER_SIZE:
                        continue  # a late hello answer
                    try:
                        payload = decode(data, self._token).payload
                    except (MiotProtocolError, MiotTokenError) as err:
                        garbled = err
                        continue
                    if payload is None or payload.get("id") != message_id:
                        continue  # an answer to an earlier attempt
                    self._last_answer = time.monotonic()
                    return _result(payload)
            except TimeoutError:
                LOGGER.debug("%s: no answer to %s (attempt %d)", self.host, method, attempt + 1)
        if garbled is not None:
            raise garbled
        raise MiotSilentError(f"{self.host} answers hello but not {method}: is the token right?")

    # -- calls -----------------------------------------------------------------------------------

    async def info(self) -> MiotInfo:
        """The device's model and firmware (`miIO.info`)."""
        result = await self.request("miIO.info")
        if not isinstance(result, dict) or not isinstance(result.get("model"), str):
            raise MiotProtocolError("miIO.info did not name a model")
        return MiotInfo(
            model=_text(result.get("model")),
            firmware=_text(result.get("fw_ver")),
            hardware=_text(result.get("hw_ver")),
            mac=_text(result.get("mac")),
        )

    async def get_properties(
        self, keys: list[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[int, Any]]:
        """(code, value) per (siid, piid); a code other than 0 means the value is missing."""
        result = await self.request(
            "get_properties", [{"did": f"{s}-{p}", "siid": s, "piid": p} for s, p in keys]
        )
        return {key: (code, item.get("value")) for key, code, item in _items(result, keys)}

    async def set_properties(
        self, values: dict[tuple[int, int], Any]
    ) -> dict[tuple[int, int], int]:
        """The device's code per (siid, piid) written (0 or 1: done; negative: refused)."""
        result = await self.request(
            "set_properties",
            [{"did": f"{s}-{p}", "siid": s, "piid": p, "value": v} for (s, p), v in values.items()],
        )
        return {key: code for key, code, _ in _items(result, list(values))}

    async def close(self) -> None:
        """Release the socket for good; a request waiting for an answer fails at once."""
        self._closed = True
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self._hello_at = None
        with contextlib.suppress(asyncio.QueueFull):
            self._inbox.put_nowait(MassagerConnectionError("the connection was closed"))


def _result(payload: dict[str, Any]) -> Any:
    error = payload.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        raise MiotDeviceError(
            code if isinstance(code, int) else -1, _text(error.get("message"))[:128]
        )
    if "result" not in payload:
        raise MiotProtocolError("the answer has neither a result nor an error")
    return payload["result"]


def _items(
    result: Any, keys: list[tuple[int, int]]
) -> list[tuple[tuple[int, int], int, dict[str, Any]]]:
    """The answer's items for the asked keys, each with its code; others are dropped."""
    if not isinstance(result, list):
        raise MiotProtocolError("the answer is not a list of properties")
    wanted = set(keys)
    items: list[tuple[tuple[int, int], int, dict[str, Any]]] = []
    for item in result[: len(keys)]:
        if not isinstance(item, dict):
            raise MiotProtocolError("a property in the answer is not an object")
        siid, piid, code = item.get("siid"), item.get("piid"), item.get("code", 0)
        if not (_integer(siid) and _integer(piid) and _integer(code)):
            raise MiotProtocolError("a property in the answer has no whole-number ids or code")
        if (siid, piid) in wanted:
            items.append(((siid, piid), code, item))
    return items


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return clean_text(value, MAX_NAME_LENGTH) if isinstance(value, str) else ""
