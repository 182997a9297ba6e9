"""Protocol constants (docs/protocol.md)."""

from typing import Final

DEFAULT_PORT: Final = 8765
API_PREFIX: Final = "/api/v1"
ZEROCONF_TYPE: Final = "_smart-massager._tcp.local."
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
