"""Tuya devices announce themselves on the local network; this finds them.

Devices of protocol 3.1 broadcast clear JSON to UDP 6666, 3.3 and 3.4 broadcast 55AA frames
encrypted with a key every Tuya client knows (MD5 of "yGAdlopoPVldABfn") to UDP 6667, and 3.5
devices answer a request broadcast to UDP 7000 with a 6699 frame on that port. An announcement
gives the address, the device id and the version; never the local key. Announcements are
untrusted: bounded, and any malformed one is ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from hashlib import md5
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pysmartmassager.exceptions import MassagerError

from .protocol import (
    GCM_NONCE,
    HEADER_6699,
    PREFIX_55AA,
    PREFIX_6699,
    RETCODE,
    FrameCodec,
    TuyaProtocolError,
    dumps,
    ecb_decrypt,
    encode_6699,
)

LOGGER = logging.getLogger(__package__)

UDP_KEY = md5(b"yGAdlopoPVldABfn").digest()  # noqa: S324  # Tuya's fixed key, not a hash of secrets
PORTS = (6666, 6667, 7000)
REQUEST_PORT = 7000
REQ_DEVINFO = 0x25
MAX_ANNOUNCEMENT = 1024
MAX_HEARD = 64
# Devices announce every few seconds: one not heard at its address for this long may have moved.
MOVED_AFTER_S = 60.0


@dataclass(frozen=True, slots=True)
class Announcement:
    """What a device says of itself."""

    device_id: str
    ip: str
    version: str
    product_key: str | None


def parse_announcement(data: bytes) -> Announcement:
    """One broadcast; TuyaProtocolError for anything that is not a well-formed announcement."""
    if len(data) > MAX_ANNOUNCEMENT:
        raise TuyaProtocolError("an announcement too long")
    text = _payload(data)
    try:
        document = json.loads(text.rstrip(b"\x00").decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise TuyaProtocolError("an announcement that is not JSON") from err
    if not isinstance(document, dict):
        raise TuyaProtocolError("an announcement that is not an object")
    device_id, ip, version = document.get("gwId"), document.get("ip"), document.get("version")
    if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in (device_id, ip, version)):  # noqa: PLR2004
        raise TuyaProtocolError("an announcement without id, address or version")
    product = document.get("productKey")
    return Announcement(
        str(device_id),
        str(ip),
        str(version),
        str(product)[:64] if isinstance(product, str) else None,
    )


def _payload(data: bytes) -> bytes:
    if data[:1] == b"{":
        return data  # protocol 3.1: clear JSON
    if len(data) < HEADER_6699.size + 4:
        raise TuyaProtocolError("an announcement too short")
    prefix = struct.unpack_from(">I", data)[0]
    if prefix == PREFIX_55AA:
        if FrameCodec.frame_length(data[: HEADER_6699.size]) != len(data):
            raise TuyaProtocolError("an announcement of the wrong length")
        signed, crc = data[:-8], struct.unpack_from(">I", data, len(data) - 8)[0]
        if crc != zlib.crc32(signed) & 0xFFFFFFFF:
            raise TuyaProtocolError("an announcement with a wrong CRC")
        body = signed[16 + RETCODE.size :]
        if body[:1] == b"{":
            return body
        try:
            return ecb_decrypt(UDP_KEY, body)
        except MassagerError as err:
            raise TuyaProtocolError("an announcement that does not decrypt") from err
    if prefix == PREFIX_6699:
        if FrameCodec.frame_length(data[: HEADER_6699.size]) != len(data):
            raise TuyaProtocolError("an announcement of the wrong length")
        head = data[: HEADER_6699.size]
        nonce = data[HEADER_6699.size : HEADER_6699.size + GCM_NONCE]
        try:
            plain = AESGCM(UDP_KEY).decrypt(
                nonce, data[HEADER_6699.size + GCM_NONCE : -4], head[4:]
            )
        except InvalidTag as err:
            raise TuyaProtocolError("an announcement that does not decrypt") from err
        # Some devices put a return code before the JSON.
        return plain if plain[:1] == b"{" else plain[RETCODE.size :]
    raise TuyaProtocolError("not a Tuya announcement")


class HeardDevices:
    """The devices heard so far, by id, kept so that a flood or an impostor cannot bend them.

    Anyone on the network can announce anything. So: a device id heard at one address keeps it
    until that address has been silent for `moved_after_s` (an impostor announcing a known id
    from elsewhere is ignored; a device that really moved is followed after a minute). One
    address holds one device (a host announcing id after id takes one place, as a Tuya device
    has one id). Beyond `limit` the device heard least recently goes: a real one announces
    again within seconds, so fake ids announced first cannot hide it.
    """

    def __init__(
        self,
        limit: int = MAX_HEARD,
        moved_after_s: float = MOVED_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._moved_after_s = moved_after_s
        self._clock = clock
        # In the order last heard, least recent first.
        self._heard: dict[str, tuple[Announcement, float]] = {}

    def add(self, announcement: Announcement) -> None:
        """Take one announcement (its address already the sender's) under the rules above."""
        now = self._clock()
        known = self._heard.get(announcement.device_id)
        if (
            known is not None
            and known[0].ip != announcement.ip
            and now - known[1] < self._moved_after_s
        ):
            return  # still heard where it was: not re-pointed
        for device_id, (other, _) in list(self._heard.items()):
            if other.ip == announcement.ip and device_id != announcement.device_id:
                del self._heard[device_id]
        self._heard.pop(announcement.device_id, None)
        self._heard[announcement.device_id] = (announcement, now)
        while len(self._heard) > self._limit:
            del self._heard[next(iter(self._heard))]

    def by_id(self) -> dict[str, Announcement]:
        """The devices heard, most recently heard first."""
        return {device_id: heard for device_id, (heard, _) in reversed(self._heard.items())}


def discovery_request() -> bytes:
    """The broadcast that makes 3.5 devices announce themselves (as the Tuya apps send it)."""
    return encode_6699(UDP_KEY, 0, REQ_DEVINFO, dumps({"from": "app", "ip": "0.0.0.0"}))  # noqa: S104


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, on_announcement: Callable[[Announcement], None]) -> None:
        self._on_announcement = on_announcement

    def datagram_received(self, data: bytes, addr: Any) -> None:  # asyncio's own type
        try:
            announcement = parse_announcement(data)
        except MassagerError as err:
            LOGGER.debug("Ignoring a broadcast from %s: %s", addr[0], err)
            return
        # The address is the sender's, where the device really is: an announced one could name
        # any host on the network.
        self._on_announcement(replace(announcement, ip=str(addr[0])))


class TuyaDiscovery:
    """Listens for announcements on the Tuya ports it can bind; `close()` stops."""

    def __init__(
        self,
        on_announcement: Callable[[Announcement], None],
        ports: tuple[int, ...] = PORTS,
        host: str = "0.0.0.0",  # noqa: S104  # broadcasts reach only a socket bound to any address
    ) -> None:
        self._on_announcement = on_announcement
        self._ports = ports
        self._host = host
        self._transports: list[asyncio.DatagramTransport] = []
        self.listening: list[int] = []

    async def start(self) -> None:
        """Bind every port that is free (another Tuya integration may hold one: not an error)."""
        loop = asyncio.get_running_loop()
        for port in self._ports:
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Listener(self._on_announcement),
                    local_addr=(self._host, port),
                    reuse_port=True,
                    allow_broadcast=True,
                )
            except OSError as err:
                LOGGER.debug("Cannot listen for Tuya devices on UDP %s: %s", port, err)
                continue
            self._transports.append(transport)
            self.listening.append(port)

    def request(self, address: str = "255.255.255.255", port: int = REQUEST_PORT) -> None:
        """Ask 3.5 devices to announce themselves."""
        if not self._transports:
            return
        sock = self._transports[0].get_extra_info("socket")
        try:
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            self._transports[0].sendto(discovery_request(), (address, port))
        except OSError as err:
            LOGGER.debug("Cannot broadcast a Tuya discovery request: %s", err)

    def close(self) -> None:
        """Stop listening."""
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        self.listening.clear()
