"""Fixtures shared by every test in the repository: emulators (reference, Tuya, MIoT), a client.

The library's own tests (pysmartmassager/tests) and the integration's tests both use them, so
nothing here imports Home Assistant: `scripts/test` runs the library's tests in a venv with only
the library and its test tools (tests/integration/entries.py holds the config entries).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator

import pytest

from emulators.miot import MiotEmulatorServer
from emulators.reference import EmulatorServer, VirtualMassager
from emulators.tuya import Product, TuyaEmulatorServer, TuyaMassager
from pysmartmassager.miot import MiotDevice, massager_map
from pysmartmassager.reference import SmartMassagerClient
from pysmartmassager.tuya import TuyaDevice, Version, map_for, parse_mapping

try:
    import pytest_socket  # noqa: F401  # installed with Home Assistant's test plugin
except ImportError:  # the library's own venv: nothing blocks sockets, so nothing to enable

    @pytest.fixture
    def socket_enabled() -> None:
        """Sockets are open without pytest-socket; the fixture exists so tests can name it."""


SERIAL = "SM-TEST-0001"
TUYA_ID = "ebemu0123456789abcdef0"
TUYA_KEY = "k3y!Emul@tor#16c"
MIOT_TOKEN = "5f0e1d2c3b4a69788796a5b4c3d2e1f0"  # noqa: S105  # the emulator's, for tests
MIOT_DID = 0x1234ABCD


async def start_tuya(product: str = "massage_chair", version: str = "3.4") -> TuyaEmulatorServer:
    """A Tuya massager emulator on 127.0.0.1 (port chosen by the OS); the caller stops it."""
    server = TuyaEmulatorServer(
        TuyaMassager(Product.load(product)), device_id=TUYA_ID, local_key=TUYA_KEY, version=version
    )
    await server.start()
    return server


def tuya_device(server: TuyaEmulatorServer, local_key: str = TUYA_KEY) -> TuyaDevice:
    """How the library reaches the emulated device: its devices.json entry, as a user has it."""
    entry = server.device_entry()
    mapping = parse_mapping(entry["mapping"])
    return TuyaDevice(
        host=server.host,
        port=server.port,
        device_id=server.device_id,
        local_key=local_key,
        version=Version(server.version),
        mapping=mapping,
        category_map=map_for(entry.get("category"), None, mapping),
        name=entry["name"],
    )


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


async def start_miot(product: str = "chair") -> MiotEmulatorServer:
    """A MIoT massager emulator on 127.0.0.1 (UDP, port chosen by the OS); the caller stops it."""
    server = MiotEmulatorServer(product=product, token=MIOT_TOKEN, device_id=MIOT_DID)
    await server.start()
    return server


def miot_device(server: MiotEmulatorServer, token: str = MIOT_TOKEN) -> MiotDevice:
    """How the library reaches the emulated device, its roles found in its spec."""
    return MiotDevice(
        host="127.0.0.1",
        port=server.port,
        token=token,
        device_id=server.device_id,
        mapping=massager_map(server.model, server.device.spec),
        name="Emulated MIoT massager",
    )


async def wait_until(condition: Callable[[], object], seconds: float = 3.0) -> None:
    """Until `condition()` holds (the library's tests watch state they do not own)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110  # polls state the test does not own
            await asyncio.sleep(0.01)
