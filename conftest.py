"""Fixtures shared by every test in the repository: a reference emulator and a paired client.

The library's own tests (pysmartmassager/tests) and the integration's tests both use them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import pytest

from emulators.reference import EmulatorServer, VirtualMassager
from pysmartmassager import SmartMassagerClient

SERIAL = "SM-TEST-0001"


def pair_directly(device: VirtualMassager) -> str:
    """A token as if the user had held the button and paired."""
    device.open_pairing()
    token = device.pair()
    device.close_pairing()
    return token


@pytest.fixture
def device() -> Generator[VirtualMassager]:
    """The emulated massager with the reference catalogue; its session timer is cancelled after."""
    device = VirtualMassager(serial=SERIAL, name="Back massager")
    yield device
    device.shutdown()


@pytest.fixture
async def emulator(
    device: VirtualMassager,
    socket_enabled: None,  # real sockets; pytest-socket still allows only 127.0.0.1
) -> AsyncGenerator[EmulatorServer]:
    """The device served on 127.0.0.1 on a port the OS picks."""
    server = EmulatorServer(device)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def token(device: VirtualMassager) -> str:
    """A valid pairing token."""
    return pair_directly(device)


@pytest.fixture
async def client(emulator: EmulatorServer, token: str) -> AsyncGenerator[SmartMassagerClient]:
    """A paired client talking to the emulator over loopback TCP."""
    async with SmartMassagerClient(
        emulator.host, port=emulator.port, token=token, request_timeout=2.0
    ) as client:
        yield client
