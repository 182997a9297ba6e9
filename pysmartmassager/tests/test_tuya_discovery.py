"""Announcements as tinytuya packs and reads them; a real UDP listener on loopback."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from tinytuya.core import header as tuya_header
from tinytuya.core.message_helper import TuyaMessage, pack_message, unpack_message
from tinytuya.core.udp_helper import decrypt_udp, encrypt, udpkey

from pysmartmassager.tuya.discovery import (
    MOVED_AFTER_S,
    Announcement,
    HeardDevices,
    TuyaDiscovery,
    discovery_request,
    parse_announcement,
)
from pysmartmassager.tuya.protocol import TuyaProtocolError

ANNOUNCED = {
    "ip": "192.168.1.50",
    "gwId": "bf0123456789abcdefgh",
    "active": 2,
    "ability": 0,
    "mode": 0,
    "encrypt": True,
    "productKey": "keyabc",
    "version": "3.3",
}


def broadcast_55aa(document: dict[str, object]) -> bytes:
    body = b"\x00\x00\x00\x00" + encrypt(json.dumps(document).encode(), udpkey)
    message = TuyaMessage(0, 0x13, None, body, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
    return pack_message(message)


def broadcast_6699(document: dict[str, object]) -> bytes:
    plain = b"\x00\x00\x00\x00" + json.dumps(document).encode()
    message = TuyaMessage(0, 0x25, None, plain, 0, True, tuya_header.PREFIX_6699_VALUE, True)
    return pack_message(message, hmac_key=udpkey)


@pytest.mark.parametrize(
    "packet",
    [
        broadcast_55aa(ANNOUNCED),
        broadcast_6699({**ANNOUNCED, "version": "3.5"}),
        json.dumps({**ANNOUNCED, "version": "3.1"}).encode(),
    ],
    ids=["3.3", "3.5", "3.1"],
)
def test_announcements_packed_by_tinytuya(packet: bytes) -> None:
    found = parse_announcement(packet)
    assert (found.device_id, found.ip, found.product_key) == (
        "bf0123456789abcdefgh",
        "192.168.1.50",
        "keyabc",
    )
    assert found.version in {"3.1", "3.3", "3.5"}
    # tinytuya's scanner agrees (it reads 3.1's clear JSON without its decrypt_udp).
    text = packet.decode() if packet[:1] == b"{" else decrypt_udp(packet)
    assert json.loads(text)["gwId"] == found.device_id


def test_our_request_is_one_tinytuya_reads() -> None:
    message = unpack_message(discovery_request(), hmac_key=udpkey, no_retcode=True)
    assert (message.cmd, message.crc_good) == (0x25, True)
    assert json.loads(message.payload)["from"] == "app"


@pytest.mark.parametrize(
    "packet",
    [
        b"",
        b"x" * 2000,
        b"{not json",
        b'{"gwId": 1}',
        broadcast_55aa({"gwId": "x"}),
        broadcast_55aa(ANNOUNCED)[:-9] + b"\x00" * 9,
        # Well framed, but 16 bytes that do not decrypt under the UDP key.
        pack_message(
            TuyaMessage(
                0, 0x13, None, bytes(4) + b"x" * 16, 0, True, tuya_header.PREFIX_55AA_VALUE, False
            )
        ),
        b"\x00\x00\x66\x99" + b"\x00" * 40,
    ],
)
def test_malformed_announcements_are_ignored(packet: bytes) -> None:
    with pytest.raises(TuyaProtocolError):
        parse_announcement(packet)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_listener_on_loopback(socket_enabled: None) -> None:
    port = free_udp_port()
    found: asyncio.Queue[Announcement] = asyncio.Queue()
    discovery = TuyaDiscovery(found.put_nowait, ports=(port,), host="127.0.0.1")
    await discovery.start()
    try:
        assert discovery.listening == [port]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as device:
            device.sendto(b"garbage", ("127.0.0.1", port))  # ignored
            device.sendto(broadcast_55aa(ANNOUNCED), ("127.0.0.1", port))
        announcement = await asyncio.wait_for(found.get(), 2)
        assert announcement.device_id == "bf0123456789abcdefgh"
        # Where it really is (the sender), not the address it names (192.168.1.50).
        assert announcement.ip == "127.0.0.1"
        assert found.empty()
        discovery.request("127.0.0.1", port)  # a request is not an announcement: ignored
        await asyncio.sleep(0.05)
        assert found.empty()
    finally:
        discovery.close()
    assert discovery.listening == []


def heard_at(ip: str, device_id: str) -> Announcement:
    return Announcement(device_id, ip, "3.4", None)


def test_a_device_heard_keeps_its_address_until_it_is_silent_there() -> None:
    now = [0.0]
    devices = HeardDevices(clock=lambda: now[0])
    devices.add(heard_at("10.0.0.5", "chair"))
    now[0] = MOVED_AFTER_S - 1
    devices.add(heard_at("10.0.0.5", "chair"))  # still announcing where it was
    devices.add(heard_at("10.0.0.66", "chair"))  # an impostor
    assert devices.by_id()["chair"].ip == "10.0.0.5"
    now[0] += MOVED_AFTER_S  # the old address silent for a minute: the device moved
    devices.add(heard_at("10.0.0.9", "chair"))
    assert devices.by_id()["chair"].ip == "10.0.0.9"


def test_one_place_per_address_and_the_least_recently_heard_goes_first() -> None:
    devices = HeardDevices(limit=3)
    for n in range(10):
        devices.add(heard_at("10.0.0.66", f"fake{n}"))  # one host announcing id after id
    assert list(devices.by_id()) == ["fake9"]
    for n in range(4):
        devices.add(heard_at(f"10.0.1.{n}", f"device{n}"))
    assert list(devices.by_id()) == ["device3", "device2", "device1"]
