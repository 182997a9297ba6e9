"""Reference Smart Massager device: docs/protocol.md over real TCP, with fault injection.

Imports nothing from Home Assistant and nothing from the client library, so that the client
is tested against an independent implementation of the protocol.
"""

from .catalogue import PROGRAMS, ZONES, Catalogue
from .device import ProtocolError, SettingsChange, Status, VirtualMassager
from .fleet import Fleet
from .server import EmulatorServer, Faults

__all__ = [
    "PROGRAMS",
    "ZONES",
    "Catalogue",
    "EmulatorServer",
    "Faults",
    "Fleet",
    "ProtocolError",
    "SettingsChange",
    "Status",
    "VirtualMassager",
]
