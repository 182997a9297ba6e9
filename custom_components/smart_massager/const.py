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

CONF_TRANSPORT: Final = "transport"
# The families of massagers (transport.py's registry has a row for each).
TRANSPORT_REFERENCE: Final = "reference"
TRANSPORT_ENTITIES: Final = "entities"
TRANSPORT_TUYA: Final = "tuya"
TRANSPORT_MIOT: Final = "miot"

# Tuya: the device id and local key (both secret: redacted everywhere), the protocol version, the
# device's datapoint mapping (tinytuya's shape) and the shipped map that gives it its roles.
CONF_DEVICE_ID: Final = "device_id"
CONF_LOCAL_KEY: Final = "local_key"
CONF_PROTOCOL_VERSION: Final = "protocol_version"
CONF_MAPPING: Final = "mapping"
CONF_DATAPOINT_MAP: Final = "datapoint_map"
# A Tuya device no shipped map fits: the map of its roles, as its owner confirmed them.
CONF_DEVICE_MAP: Final = "device_map"

# Xiaomi MIoT: the device's model (miIO.info) and the massage roles found in its published spec.
# The token (CONF_TOKEN) and device id are secrets: redacted everywhere.
CONF_MODEL: Final = "model"
CONF_MIOT_MAP: Final = "miot_map"

# Pushed states are applied at most this often (seconds); a flood keeps only the newest.
PUSH_COALESCE_S: Final = 0.2

# The session guard: a session reported as lasting longer than the device's cap plus this margin
# is stopped by Home Assistant.
GUARD_MARGIN: Final = timedelta(minutes=2)

# Home Assistant as the timer: attempts to stop a session at its end before giving up with a
# repair issue, and the first wait between them (doubling).
TIMER_STOP_ATTEMPTS: Final = 4
TIMER_STOP_RETRY_S: Final = 2.0
# Heat off after a session: attempts (same doubling waits, about 2 minutes in all) before a
# repair issue says the heat would not go off.
HEAT_OFF_ATTEMPTS: Final = 6
# After those, still owed: tried again this often (seconds) until the heat reports off.
HEAT_OFF_SLOW_RETRY_S: Final = 300.0
# A massager removed during a session Home Assistant times: one last stop, at most this long
# (seconds), so the removal never hangs on a device that does not answer.
REMOVAL_STOP_TIMEOUT_S: Final = 15.0
