"""Constants of the Smart Massager integration."""

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "smart_massager"
LOGGER = logging.getLogger(__package__)

CONF_TOKEN: Final = "token"  # noqa: S105  # the key's name, not a secret
CONF_DEFAULT_MINUTES: Final = "default_minutes"
CONF_DEFAULT_INTENSITY: Final = "default_intensity"
CONF_INSTALL_SENTENCES: Final = "install_sentences"

# Polling happens only while the push stream is down, and then slowly: the stream's own reconnect
# loop (every 3 s at most) is what brings the device back quickly.
FALLBACK_POLL_INTERVAL: Final = timedelta(seconds=60)

# Routine limits (README "Safety"): a routine is at most this many steps and, in total, at most
# ROUTINE_CAP_FACTOR times the device's session cap; with heat, at most one cap in total.
MAX_ROUTINE_STEPS: Final = 10
ROUTINE_CAP_FACTOR: Final = 2
