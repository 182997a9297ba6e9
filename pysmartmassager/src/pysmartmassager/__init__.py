"""Async client for Smart Massager devices on the local network (docs/protocol.md).

Imports nothing from Home Assistant: it can be published to PyPI as it is.
"""

from .client import SmartMassagerClient
from .const import DEFAULT_PORT, ZEROCONF_TYPE
from .events import EventStream
from .exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerPairingNotEnabledError,
    MassagerResponseError,
    MassagerTimeoutError,
)
from .massager import (
    ConnectionCallback,
    Massager,
    ReportingSubscription,
    StateCallback,
    StateSubscription,
)
from .models import (
    Capabilities,
    Choice,
    DeviceError,
    DeviceInfo,
    LevelRange,
    LevelZone,
    SessionSettings,
    SessionState,
    Status,
)
from .wire import DeviceIdentity, StateReader

__all__ = [
    "DEFAULT_PORT",
    "ZEROCONF_TYPE",
    "Capabilities",
    "Choice",
    "ConnectionCallback",
    "DeviceError",
    "DeviceIdentity",
    "DeviceInfo",
    "EventStream",
    "LevelRange",
    "LevelZone",
    "Massager",
    "MassagerAuthenticationError",
    "MassagerConnectionError",
    "MassagerError",
    "MassagerInvalidRequestError",
    "MassagerInvalidStateError",
    "MassagerPairingNotEnabledError",
    "MassagerResponseError",
    "MassagerTimeoutError",
    "ReportingSubscription",
    "SessionSettings",
    "SessionState",
    "SmartMassagerClient",
    "StateCallback",
    "StateReader",
    "StateSubscription",
    "Status",
]
