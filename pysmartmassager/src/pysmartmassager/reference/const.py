"""The reference protocol's constants (docs/protocol.md)."""

from typing import Final

DEFAULT_PORT: Final = 8765
API_PREFIX: Final = "/api/v1"
ZEROCONF_TYPE: Final = "_smart-massager._tcp.local."
DEFAULT_REQUEST_TIMEOUT: Final = 10.0

# A device is untrusted input, and one that streamed an endless answer once grew its host to
# 3.9 GB. The largest real answer (info) is about 1 KB.
MAX_RESPONSE_BYTES: Final = 1024 * 1024
"""An HTTP answer's body, after decompression; a longer one is refused."""
MAX_EVENT_BYTES: Final = MAX_RESPONSE_BYTES
"""One event-stream message; a longer one is refused and the stream reconnects."""
