"""Protocol constants (docs/protocol.md)."""

from typing import Final

DEFAULT_PORT: Final = 8765
API_PREFIX: Final = "/api/v1"
ZEROCONF_TYPE: Final = "_smart-massager._tcp.local."
DEFAULT_REQUEST_TIMEOUT: Final = 10.0

# Limits on what a device may send: a device is untrusted input, and one that streamed an endless
# answer once grew its host to 3.9 GB. The largest real answer (info) is about 1 KB.
MAX_RESPONSE_BYTES: Final = 1024 * 1024
"""An HTTP answer's body, after decompression; a longer one is refused."""
MAX_EVENT_BYTES: Final = MAX_RESPONSE_BYTES
"""One event-stream message; a longer one is refused and the stream reconnects."""
MAX_CHOICES: Final = 64
"""Programs or zones one device may list."""
MAX_ID_LENGTH: Final = 64
"""A program or zone id (docs/protocol.md, capabilities)."""
MAX_NAME_LENGTH: Final = 64
"""A display name; a longer one is cut, not refused."""
MAX_MESSAGE_LENGTH: Final = 300
"""A sentence or message that quotes device text (a spoken answer, a diagnostics reason)."""
