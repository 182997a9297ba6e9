"""Tuya Wi-Fi massager emulator: Tuya's local protocol 3.3/3.4/3.5 over real TCP (dev/test tool).

The wire layer stands on tinytuya's own primitives (framing, CRC/HMAC, AES, constants), and
nothing here imports the client library or the integration: our client is tested against a
device built on an independent implementation of the protocol.
"""

from .device import DataPoint, DpValue, Product, TuyaMassager
from .server import TuyaEmulatorServer
from .wire import VERSIONS, Session, Version, WireError

__all__ = [
    "VERSIONS",
    "DataPoint",
    "DpValue",
    "Product",
    "Session",
    "TuyaEmulatorServer",
    "TuyaMassager",
    "Version",
    "WireError",
]
