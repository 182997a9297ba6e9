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
