"""The Smart Massager reference protocol (docs/protocol.md): HTTP requests and a WebSocket push.

`SmartMassagerClient` is the transport; `wire` turns the protocol's JSON into the neutral models
and back; `EventStream` is the push subscription.
"""

from .client import SmartMassagerClient
from .const import DEFAULT_PORT, ZEROCONF_TYPE
from .events import EventStream
from .wire import DeviceIdentity, StateReader

__all__ = [
    "DEFAULT_PORT",
    "ZEROCONF_TYPE",
    "DeviceIdentity",
    "EventStream",
    "SmartMassagerClient",
    "StateReader",
]
