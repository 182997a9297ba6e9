"""What the Tuya flow offers from the devices heard: fake ids and impostors cannot bend it.

Announcements are real UDP datagrams packed by tinytuya (3.3/3.4's encrypted 55AA broadcast),
sent from loopback addresses of their own (127.0.0.x): the flow takes the sender's address.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncGenerator

import pytest
from tinytuya.core import header as tuya_header
from tinytuya.core.message_helper import TuyaMessage, pack_message
from tinytuya.core.udp_helper import encrypt, udpkey

from custom_components.smart_massager import tuya_flow
from custom_components.smart_massager.tuya_flow import FlowDiscovery

pytestmark = pytest.mark.usefixtures("socket_enabled")
MASSAGER = "ebmassager00000000001"
MASSAGER_AT = "127.0.0.3"


def announcement(device_id: str) -> bytes:
    """A 3.4 device's broadcast (it names an address of its own: the flow ignores that)."""
    document = {"ip": "192.168.1.77", "gwId": device_id, "version": "3.4", "productKey": "k"}
    body = b"\x00\x00\x00\x00" + encrypt(json.dumps(document).encode(), udpkey)
    return pack_message(
        TuyaMessage(0, 0x13, None, body, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
    )


@pytest.fixture
async def listening(monkeypatch: pytest.MonkeyPatch) -> AsyncGenerator[tuple[FlowDiscovery, int]]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(tuya_flow, "DISCOVERY_PORTS", (port,))
    monkeypatch.setattr(tuya_flow, "DISCOVERY_HOST", "0.0.0.0")  # noqa: S104  # any 127.0.0.x
    discovery = FlowDiscovery()
    await discovery.start()
    yield discovery, port
    discovery.close()


async def announce(port: int, sender: str, *device_ids: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as device:
        device.bind((sender, 0))
        for device_id in device_ids:
            device.sendto(announcement(device_id), ("127.0.0.1", port))
    await asyncio.sleep(0.2)  # delivered over loopback


async def test_fake_ids_announced_first_do_not_hide_the_massager(
    listening: tuple[FlowDiscovery, int],
) -> None:
    discovery, port = listening
    await announce(port, "127.0.0.2", *(f"ebfake{n:016d}" for n in range(64)))
    await announce(port, MASSAGER_AT, MASSAGER)
    assert discovery.heard[MASSAGER].ip == MASSAGER_AT
    assert next(iter(discovery.heard)) == MASSAGER  # the most recent first


async def test_a_spoofed_announcement_does_not_re_point_a_device_heard(
    listening: tuple[FlowDiscovery, int],
) -> None:
    discovery, port = listening
    await announce(port, MASSAGER_AT, MASSAGER)
    await announce(port, "127.0.0.4", MASSAGER)  # an impostor, announcing the massager's id
    assert discovery.heard[MASSAGER].ip == MASSAGER_AT
