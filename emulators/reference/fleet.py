"""Several emulated massagers on consecutive ports (the CLI's --count, benchmarks)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .device import VirtualMassager
from .server import EmulatorServer


def device_name(base: str, index: int) -> str:
    """'Back massager', 'Back massager 2', ... so every device has a distinct name."""
    return base if index == 0 else f"{base} {index + 1}"


@dataclass
class Fleet:
    """N emulators; port 0 gives each an OS-chosen port, otherwise ports are consecutive.

    Each massager has its own admin API (on 127.0.0.1, consecutive from `admin_port` likewise),
    so a device's admin calls are the same with one massager or fifty; all share one admin token.
    """

    count: int = 1
    host: str = "127.0.0.1"
    port: int = 0
    name: str = "Back massager"
    first_serial: int = 1  # SM-0001, SM-0002, ...
    pairing_open: bool = False
    catalogue: Catalogue = field(default_factory=Catalogue)
    admin_port: int = 0
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    servers: list[EmulatorServer] = field(default_factory=list)

    async def start(self) -> list[EmulatorServer]:
        """Start every emulator; on failure the ones already started are stopped again."""
        try:
            for index in range(self.count):
                device = VirtualMassager(
                    serial=f"SM-{self.first_serial + index:04d}",
                    name=device_name(self.name, index),
                    catalogue=self.catalogue,
                )
                device.pairing_always_open = self.pairing_open
                server = EmulatorServer(
                    device,
                    host=self.host,
                    port=self.port + index if self.port else 0,
                    admin_port=self.admin_port + index if self.admin_port else 0,
                    admin_token=self.admin_token,
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
