"""Async clients for massagers on the local network, behind one transport-neutral interface.

This package is the neutral core (`Massager`, the models, the exceptions, the limits); each wire
family is a subpackage: `reference` (docs/protocol.md), `tuya`, `miot`. Imports nothing from Home
Assistant: it can be published to PyPI as it is.
"""

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

__all__ = [
    "Capabilities",
    "Choice",
    "ConnectionCallback",
    "DeviceError",
    "DeviceInfo",
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
    "StateCallback",
    "StateSubscription",
    "Status",
]
