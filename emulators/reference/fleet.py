"""Several emulated massagers on consecutive ports (the CLI's --count, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import Catalogue
from .device import VirtualMassager
from .server import EmulatorServer


def device_name(base: str, index: int) -> str:
    """'Back massager', 'Back massager 2', ... so every device has a distinct name."""
    return base if index == 0 else f"{base} {index + 1}"


@dataclass
class Fleet:
    """N emulators; port 0 gives each an OS-chosen port, otherwise ports are consecutive."""

    count: int = 1
    host: str = "127.0.0.1"
    port: int = 0
    name: str = "Back massager"
    pairing_open: bool = False
    catalogue: Catalogue = field(default_factory=Catalogue)
    servers: list[EmulatorServer] = field(default_factory=list)

    async def start(self) -> list[EmulatorServer]:
        """Start every emulator; on failure the ones already started are stopped again."""
        try:
            for index in range(self.count):
                device = VirtualMassager(
                    serial=f"SM-{index + 1:04d}",
                    name=device_name(self.name, index),
                    catalogue=self.catalogue,
                )
                device.pairing_always_open = self.pairing_open
                server = EmulatorServer(
                    device, host=self.host, port=self.port + index if self.port else 0
                )
                await server.start()
                self.servers.append(server)
        except BaseException:
            await self.stop()
            raise
        return self.servers

    async def stop(self) -> None:
        """Stop every emulator."""
        for server in self.servers:
            await server.stop()
        self.servers.clear()
