"""Limits on what any device may send, for every transport: a device is untrusted input."""

from typing import Final

MAX_CHOICES: Final = 64
"""Programs or zones one device may list."""
MAX_ID_LENGTH: Final = 64
"""A program or zone id (docs/protocol.md, capabilities)."""
MAX_NAME_LENGTH: Final = 64
"""A display name; a longer one is cut, not refused."""
MAX_MESSAGE_LENGTH: Final = 300
"""A sentence or message that quotes device text (a spoken answer, a diagnostics reason)."""
MAX_INTENSITY_LEVELS: Final = 100
"""Levels a number range may give; a device declaring more is reached in coarser steps."""
