"""Xiaomi MIoT massager emulator: the miio local protocol over real UDP (dev/test tool).

The wire layer stands on python-miio's own codec (`miio.protocol.Message`), and nothing here
imports the client library or the integration: our client is tested against a device built
on an independent implementation of the protocol. See README.md.
"""

from .device import MiotMassagerDevice, Product, PropertySpec, load_product, product_names
from .server import MIIO_PORT, MiotEmulatorServer

__all__ = [
    "MIIO_PORT",
    "MiotEmulatorServer",
    "MiotMassagerDevice",
    "Product",
    "PropertySpec",
    "load_product",
    "product_names",
]
