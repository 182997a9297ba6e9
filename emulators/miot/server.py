"""The emulator's UDP server: the miio local protocol on a real socket, plus fault injection.

Every datagram is parsed with python-miio's own codec (`miio.protocol.Message.parse`, token
given) and every answer is built with `Message.build`, so the wire format is python-miio's,
not ours: the client library (written separately) is tested against an independent
implementation. asyncio only (`loop.create_datagram_endpoint`), no threads.

Protocol choices, each either from python-miio (miio/protocol.py, miio/miioprotocol.py) or
stated as a choice:

- Hello: `21 31 00 20` then 28 bytes of 0xff. The answer is a 32-byte packet with the device
  id, the stamp (seconds since the device booted) and 16 bytes of 0xff where the token used to
  be (a provisioned device; python-miio's `discover` logs that field as "token").
- A request that does not parse under the device's token (checksum mismatch: a wrong token, or
  no token at all), that does not decrypt, whose length field disagrees with its size, or whose
  JSON is not an object with an int "id" and a str "method", gets no answer. That a device stays
  silent to a wrong token is an ASSUMPTION (python-miio's own message for a checksum error on
  an answer shows it cannot tell); it is what users of python-miio usually report as "No
  response from the device".
- Datagrams longer than MAX_DATAGRAM are dropped unread.
- A repeated message id with the same request gets the cached answer again, without doing
  the request twice: a CHOICE (no source says what devices do; python-miio itself never
  repeats an id, its retries use id + 100). The same id with a different request (a client that
  restarted its counter) is a new request.
- The stamp and device id in a request's header are not checked (a choice: python-miio always
  sends the ones of the hello answer).
- Unknown method: {"code": -32601, "message": "Method not found."}, as real devices answer
  (quoted in home-assistant/core#18994 and icepie/miio.go#1). Params of the wrong shape:
  {"code": -32600, "message": "Req object invalid."}, as a real vacuum answers in
  rytilahti/python-miio#150.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import secrets
import time
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

import construct  # type: ignore[import-untyped]  # construct ships no types
from miio.exceptions import PayloadDecodeException
from miio.protocol import Message

from .device import MiotMassagerDevice, Product, load_product

if TYPE_CHECKING:
    from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)

MIIO_PORT = 54321
HELLO = bytes.fromhex("21310020" + "ff" * 28)
HEADER_SIZE = 32
MAGIC = b"\x21\x31"
# Requests are small (a get_properties of every property of a product is well under 2 KiB);
# anything larger is not a request this device could have been sent, and is dropped unread.
MAX_DATAGRAM = 8192
OVERSIZED_PAYLOAD = 17 * 1024  # reply_oversized(): a payload above 16 KiB
SEEN_IDS = 64  # answers kept for repeated message ids

METHOD_NOT_FOUND = {"code": -32601, "message": "Method not found."}
REQUEST_INVALID = {"code": -32600, "message": "Req object invalid."}


class MiotEmulatorServer:
    """Serves one MiotMassagerDevice on host:port (UDP) as a miio device with `token`.

    `product`: a product name (`chair`, `cushion`) or a Product. `token`: 32 hex digits
    (None: a random one, read it from `token`). `port=0` lets the OS choose
    (read `port` after `start()`); `restart()` keeps the port. `clock` is the device's monotonic
    clock (its countdown and its stamp), `time.monotonic` by default.
    """

    def __init__(
        self,
        product: str | Product = "chair",
        *,
        token: str | None = None,
        device_id: int = 0x0A1B2C3D,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._token = _token_bytes(token) if token is not None else secrets.token_bytes(16)
        if not 0 <= device_id < 2**32:
            raise ValueError("a miio device id is 4 bytes")
        self.device_id = device_id
        self.host = host
        self.port = port
        self._clock = clock or time.monotonic
        if isinstance(product, str):
            product = load_product(product)
        self.device = MiotMassagerDevice(
            product, clock=self._clock, serial_number=f"{device_id:08x}"
        )
        # Counters for tests.
        self.requests: Counter[str] = Counter()  # by method, and "hello"
        self.datagrams = 0  # every datagram received, before any check
        self.rejected = 0  # datagrams dropped as too large, unreadable or not a request
        self.duplicates = 0  # requests answered from the cache of seen message ids
        # Faults.
        self.delay_s = 0.0
        self.silent = False
        self.garbage = False
        self.corrupted = False
        self.oversized = False
        self._drop = 0
        self._errors: list[dict[str, Any]] = []
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: set[asyncio.TimerHandle] = set()
        self._seen: OrderedDict[int, tuple[str, bytes]] = OrderedDict()
        self._boot = self._clock()

    # -- identity ----------------------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The device's token, 32 hex digits."""
        return self._token.hex()

    @property
    def model(self) -> str:
        """The model string miIO.info reports."""
        return self.device.model

    def stamp(self) -> int:
        """Seconds since the device booted (the header's stamp, miIO.info's `life`)."""
        return max(0, int(self._clock() - self._boot))

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the socket is open."""
        return self._transport is not None

    async def start(self) -> None:
        """Listen on host:port (the same port again after `restart()`)."""
        if self._transport is not None:
            return
        loop = asyncio.get_running_loop()
        transport, _protocol = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), local_addr=(self.host, self.port)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        """Close the socket; answers still waiting (set_delay) are not sent."""
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()
            await asyncio.sleep(0)  # let the loop run connection_lost

    async def restart(self) -> None:
        """A reboot, on the same port.

        The stamp starts again from 0, seen message ids are forgotten, and the device is at its
        power-on values (off, no session).
        """
        await self.stop()
        self._boot = self._clock()
        self._seen.clear()
        self.device.power_on()
        await self.start()

    async def __aenter__(self) -> MiotEmulatorServer:
        """Start (`async with MiotEmulatorServer(...) as server:`)."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop."""
        await self.stop()

    # -- fault injection -------------------------------------------------------------------------

    def set_delay(self, seconds: float) -> None:
        """Answer everything (hellos too) `seconds` late; 0: on time."""
        self.delay_s = max(0.0, seconds)

    def set_silent(self, silent: bool) -> None:
        """Answer nothing at all, not even hellos (unplugged); datagrams are still counted."""
        self.silent = silent

    def drop_next(self, count: int = 1) -> None:
        """Ignore the next `count` requests (hellos are still answered): lost datagrams."""
        self._drop += max(0, count)

    def error_next(self, code: int, message: str = "error") -> None:
        """Answer the next request with {"id": .., "error": {"code": .., "message": ..}}."""
        self._errors.append({"code": code, "message": message})

    def send_garbage(self, enabled: bool = True) -> None:
        """Answer requests (not hellos) with random bytes that are not a miio packet."""
        self.garbage = enabled

    def corrupt_checksums(self, enabled: bool = True) -> None:
        """Answer requests with packets whose checksum is off, as if corrupted on the way."""
        self.corrupted = enabled

    def reply_oversized(self, enabled: bool = True) -> None:
        """Answer requests with valid packets whose payload exceeds 16 KiB."""
        self.oversized = enabled

    def set_token(self, token: str) -> None:
        """The device was re-paired: requests under the old token no longer parse (no answer)."""
        self._token = _token_bytes(token)
        self._seen.clear()

    # -- datagrams -------------------------------------------------------------------------------

    def _received(self, data: bytes, addr: Any) -> None:
        self.datagrams += 1
        if len(data) > MAX_DATAGRAM:
            self.rejected += 1
            return
        if self.silent:
            return
        if len(data) == HEADER_SIZE and data[:4] == HELLO[:4]:
            self.requests["hello"] += 1
            self._send(self._hello_reply(), addr)
            return
        request = self._open(data)
        if request is None:
            self.rejected += 1
            return
        msg_id, method = request["id"], request["method"]
        self.requests[method] += 1
        if self._drop:
            self._drop -= 1
            return
        body = json.dumps(request, sort_keys=True)
        seen = self._seen.get(msg_id)
        if seen is not None and seen[0] == body:
            self.duplicates += 1
            self._send(seen[1], addr)
            return
        if self._errors:
            payload: dict[str, Any] = {"id": msg_id, "error": self._errors.pop(0)}
        else:
            payload = self._answer(request)
        if self.oversized:
            payload["padding"] = "x" * OVERSIZED_PAYLOAD
        packet = self._build(payload)
        self._seen[msg_id] = (body, packet)
        while len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        if self.garbage:
            packet = _garbage()
        elif self.corrupted:
            packet = _corrupted(packet)
        self._send(packet, addr)

    def _open(self, data: bytes) -> dict[str, Any] | None:
        """The request in a datagram, or None for anything that is not one under our token."""
        try:
            message = Message.parse(data, token=self._token)
        except (construct.ConstructError, PayloadDecodeException, ValueError, TypeError) as err:
            _LOGGER.debug("datagram dropped: %s", err)
            return None
        if message.header.value.length != len(data):
            return None
        request = message.data.value
        if not isinstance(request, dict):  # not decrypted: python-miio hands back the bytes
            return None
        msg_id, method = request.get("id"), request.get("method")
        if not isinstance(msg_id, int) or isinstance(msg_id, bool) or not isinstance(method, str):
            return None
        return request

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        msg_id, method, params = request["id"], request["method"], request.get("params")
        handler = {
            "miIO.info": self._info,
            "get_properties": self._get_properties,
            "set_properties": self._set_properties,
            "action": self._action,
        }.get(method)
        if handler is None:
            return {"id": msg_id, "error": dict(METHOD_NOT_FOUND)}
        result = handler(params)
        if result is None:
            return {"id": msg_id, "error": dict(REQUEST_INVALID)}
        return {"id": msg_id, "result": result}

    # -- methods ---------------------------------------------------------------------------------

    def _info(self, _params: object) -> dict[str, Any]:
        # The fields of a real answer, as python-miio's DeviceInfo docstring records one
        # (miio/deviceinfo.py); the token is included, as real devices do.
        mac = ":".join(f"{b:02X}" for b in (0x02, 0x4D, *self.device_id.to_bytes(4)))
        return {
            "model": self.model,
            "fw_ver": self.device.product.fw_ver,
            "hw_ver": self.device.product.hw_ver,
            "mac": mac,
            "token": self.token,
            "life": self.stamp(),
            "ap": {"ssid": "emulator", "bssid": "02:00:00:00:00:01", "rssi": -50, "primary": 6},
            "netif": {"localIp": self.host, "mask": "255.0.0.0", "gw": self.host},
            "otu_stat": [0, 0, 0, 0, 0, 0],
            "ott_stat": [0, 0, 0, 0],
        }

    def _get_properties(self, params: object) -> list[dict[str, Any]] | None:
        items = _items(params)
        if items is None:
            return None
        results = []
        for item in items:
            code, value = self.device.get_property(item.get("siid"), item.get("piid"))
            result = {"did": item.get("did"), "siid": item.get("siid"), "piid": item.get("piid")}
            result["code"] = code
            if code == 0:
                result["value"] = value
            results.append(result)
        return results

    def _set_properties(self, params: object) -> list[dict[str, Any]] | None:
        items = _items(params)
        if items is None or any("value" not in item for item in items):
            return None
        return [
            {
                "did": item.get("did"),
                "siid": item.get("siid"),
                "piid": item.get("piid"),
                "code": self.device.set_property(item.get("siid"), item.get("piid"), item["value"]),
            }
            for item in items
        ]

    def _action(self, params: object) -> dict[str, Any] | None:
        if not isinstance(params, dict):
            return None
        code, out = self.device.action(params.get("siid"), params.get("aiid"), params.get("in"))
        result = {"did": params.get("did"), "siid": params.get("siid"), "aiid": params.get("aiid")}
        result["code"] = code
        if code == 0:
            result["out"] = out
        return result

    # -- packets ---------------------------------------------------------------------------------

    def _header(self) -> dict[str, Any]:
        return {
            "length": 0,  # rebuilt by python-miio's codec
            "unknown": 0,
            "device_id": self.device_id.to_bytes(4),
            "ts": dt.datetime.fromtimestamp(self.stamp(), tz=dt.UTC),
        }

    def _hello_reply(self) -> bytes:
        # RawCopy takes the payload as raw bytes under "data": empty, so the codec's length is
        # 32 and its is_hello branch writes the 16 bytes given instead of an md5.
        return bytes(
            Message.build(
                {
                    "data": {"data": b""},
                    "header": {"value": self._header()},
                    "checksum": b"\xff" * 16,
                },
                token=self._token,
            )
        )

    def _build(self, payload: dict[str, Any]) -> bytes:
        return bytes(
            Message.build(
                {"data": {"value": payload}, "header": {"value": self._header()}, "checksum": 0},
                token=self._token,
            )
        )

    def _send(self, packet: bytes, addr: Any) -> None:
        if self._transport is None:
            return
        if not self.delay_s:
            self._transport.sendto(packet, addr)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def later() -> None:
            self._pending.discard(handle)
            if self._transport is not None:
                self._transport.sendto(packet, addr)

        handle = loop.call_later(self.delay_s, later)
        self._pending.add(handle)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: MiotEmulatorServer) -> None:
        self._server = server

    def datagram_received(self, data: bytes, addr: Any) -> None:
        try:
            self._server._received(data, addr)  # noqa: SLF001
        except Exception:  # a bug must not take the device off the network
            _LOGGER.exception("datagram from %s not handled", addr)

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("socket error: %s", exc)


def _items(params: object) -> list[dict[str, Any]] | None:
    if not isinstance(params, list) or not all(isinstance(item, dict) for item in params):
        return None
    return params


def _corrupted(packet: bytes) -> bytes:
    # The checksum is bytes 16..31 of the header; one bit flipped there breaks only it.
    return packet[:16] + bytes([packet[16] ^ 1]) + packet[17:]


def _garbage() -> bytes:
    # Random bytes, never starting with the miio magic: not a packet python-miio can parse.
    data = os.urandom(48)
    return data if data[:2] != MAGIC else b"\x00" + data[1:]


def _token_bytes(token: str) -> bytes:
    try:
        raw = bytes.fromhex(token)
    except ValueError as err:
        raise ValueError("a miio token is 32 hex digits") from err
    if len(raw) != 16:  # noqa: PLR2004
        raise ValueError("a miio token is 32 hex digits")
    return raw
