"""Xiaomi MIoT massagers over the miio local protocol (UDP 54321), polled.

`MiotConnection` speaks the protocol; `fetch_spec` reads a model's published spec from Xiaomi's
spec server and `massager_map` finds the massage roles in it; `MiotMassager` is the transport.
"""

from .connection import (
    DEFAULT_PORT,
    MiotConnection,
    MiotDeviceError,
    MiotInfo,
    MiotSilentError,
)
from .massager import ACTIVE_POLL_S, IDLE_POLL_S, MiotDevice, MiotMassager, MiotProfile
from .protocol import MiotProtocolError, MiotTokenError, parse_token, strict_json
from .spec import MiotMap, MiotProperty, MiotSpecError, massager_map
from .specserver import (
    SPEC_SERVER,
    MiotSpecMissingError,
    MiotSpecUnavailableError,
    fetch_spec,
    spec_urn,
)

__all__ = [
    "ACTIVE_POLL_S",
    "DEFAULT_PORT",
    "IDLE_POLL_S",
    "SPEC_SERVER",
    "MiotConnection",
    "MiotDevice",
    "MiotDeviceError",
    "MiotInfo",
    "MiotMap",
    "MiotMassager",
    "MiotProfile",
    "MiotProperty",
    "MiotProtocolError",
    "MiotSilentError",
    "MiotSpecError",
    "MiotSpecMissingError",
    "MiotSpecUnavailableError",
    "MiotTokenError",
    "fetch_spec",
    "massager_map",
    "parse_token",
    "spec_urn",
    "strict_json",
]
