"""Tuya Wi-Fi massagers over Tuya's local protocol (3.3, 3.4, 3.5), with push.

`probe` finds the version and checks the key; `TuyaMassager` is the transport; the datapoint maps
(`shipped_maps`, `map_for`, `parse_devices_json`) give a device's datapoints their meaning.
"""

from .connection import DEFAULT_PORT, TuyaConnection
from .datapoints import (
    CategoryMap,
    DeviceMapping,
    DevicesJsonEntry,
    DevicesJsonKeyError,
    TuyaMapError,
    category_keys,
    map_for,
    mapping_from_ids,
    parse_devices_json,
    parse_mapping,
    shipped_maps,
)
from .massager import TuyaDevice, TuyaMassager, TuyaProfile
from .probe import TuyaHungUpError, TuyaUnsupportedError, probe
from .protocol import TuyaKeyError, TuyaProtocolError, Version

__all__ = [
    "DEFAULT_PORT",
    "CategoryMap",
    "DeviceMapping",
    "DevicesJsonEntry",
    "DevicesJsonKeyError",
    "TuyaConnection",
    "TuyaDevice",
    "TuyaHungUpError",
    "TuyaKeyError",
    "TuyaMapError",
    "TuyaMassager",
    "TuyaProfile",
    "TuyaProtocolError",
    "TuyaUnsupportedError",
    "Version",
    "category_keys",
    "map_for",
    "mapping_from_ids",
    "parse_devices_json",
    "parse_mapping",
    "probe",
    "shipped_maps",
]
