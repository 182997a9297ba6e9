"""The Tuya part of the config flow: forms, and checking a device before anything is stored.

Two ways in: tinytuya's `devices.json` (pasted whole or one entry of it), which carries the id,
local key, address, version and the device's own datapoint mapping; or by hand: address, device
id, local key, a shipped category map and the datapoint id of each of its codes.
"""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from pysmartmassager import MassagerConnectionError, MassagerError
from pysmartmassager.tuya import (
    DEFAULT_PORT,
    CategoryMap,
    DeviceMapping,
    DevicesJsonEntry,
    TuyaKeyError,
    TuyaMapError,
    TuyaUnsupportedError,
    category_keys,
    map_for,
    mapping_from_ids,
)
from pysmartmassager.tuya.discovery import PORTS, Announcement, HeardDevices, TuyaDiscovery

from .const import (
    CONF_DATAPOINT_MAP,
    CONF_DEVICE_ID,
    CONF_LOCAL_KEY,
    CONF_MAPPING,
    CONF_PROTOCOL_VERSION,
    CONF_TRANSPORT,
    LOGGER,
)
from .host_input import host_and_port, host_text
from .transport import TRANSPORT_TUYA, async_probe_tuya, tuya_power_id

# Where the flow listens for devices announcing themselves (tests point it at loopback).
DISCOVERY_PORTS = PORTS
DISCOVERY_HOST = "0.0.0.0"  # noqa: S104  # broadcasts reach only a socket bound to any address

CONF_DEVICES_JSON = "devices_json"
CONF_DISCOVERED = "discovered"
MANUAL = "manual"
CONF_DEVICE = "device"
AUTO_VERSION = "auto"
# The title of a device added by hand without a name (a map's name, such as "Massage chair",
# would mislabel a cushion that uses the same datapoints).
TUYA_FALLBACK_NAME = "Tuya massager"
VERSIONS = [AUTO_VERSION, "3.5", "3.4", "3.3"]


def _version_selector() -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=VERSIONS,
            mode=SelectSelectorMode.DROPDOWN,
            translation_key=CONF_PROTOCOL_VERSION,
        )
    )


def paste_schema() -> vol.Schema:
    """One multi-line field for tinytuya's devices.json."""
    return vol.Schema(
        {vol.Required(CONF_DEVICES_JSON): TextSelector(TextSelectorConfig(multiline=True))}
    )


def pick_schema(entries: list[DevicesJsonEntry]) -> vol.Schema:
    """Which device of a pasted file (by name and category, never by key)."""
    options = [
        SelectOptionDict(value=str(index), label=f"{entry.name} ({_where(entry)})")
        for index, entry in enumerate(entries)
    ]
    return vol.Schema(
        {vol.Required(CONF_DEVICE): SelectSelector(SelectSelectorConfig(options=options))}
    )


def _where(entry: DevicesJsonEntry) -> str:
    """What tells two devices of one name apart: the address, else the end of the id."""
    return entry.ip or f"id ...{entry.device_id[-4:]}"


def device_schema(entry: DevicesJsonEntry) -> vol.Schema:
    """Address, version and (when the file's is out of date) the key of a devices.json device.

    The address is suggested from the file, not a default: after an error the form shows what
    was typed, not the file's address again.
    """
    version = entry.version if entry.version in VERSIONS else AUTO_VERSION
    return vol.Schema(
        {
            vol.Required(CONF_HOST): str,
            vol.Required(CONF_PROTOCOL_VERSION, default=version): _version_selector(),
            vol.Optional(CONF_LOCAL_KEY): _secret_selector(),
        }
    )


def _secret_selector() -> TextSelector:
    return TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def shown_values(user_input: dict[str, Any] | None) -> dict[str, Any]:
    """What a form shows again after an error: what was typed, never a local key."""
    return {key: value for key, value in (user_input or {}).items() if key != CONF_LOCAL_KEY}


def tuya_address(text: str, port: int | None = None) -> tuple[str, int]:
    """Host and port from a host field: a typed port, else `port`, else Tuya's one port.

    Raises InvalidHostError for text that is not a host ("http://..." and spaces are fine).
    """
    return host_and_port(text, port or DEFAULT_PORT)


def tuya_unique_id(device_id: str) -> str:
    """One entry per device: its Tuya device id."""
    return f"tuya:{device_id}"


def tuya_host_text(data: dict[str, Any]) -> str:
    """The host field for an entry."""
    return host_text(data[CONF_HOST], data[CONF_PORT], DEFAULT_PORT)


def manual_schema() -> vol.Schema:
    """Everything a devices.json would have said, typed by hand; the map chosen from ours."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME): str,
            vol.Required(CONF_HOST): str,
            vol.Required(CONF_DEVICE_ID): str,
            vol.Required(CONF_LOCAL_KEY): _secret_selector(),
            vol.Required(CONF_PROTOCOL_VERSION, default=AUTO_VERSION): _version_selector(),
            vol.Required(CONF_DATAPOINT_MAP): SelectSelector(
                SelectSelectorConfig(
                    options=list(category_keys()),
                    mode=SelectSelectorMode.DROPDOWN,
                    translation_key=CONF_DATAPOINT_MAP,
                )
            ),
        }
    )


# A datapoint id is a number typed from a list (1-255 in Tuya's protocol): a box, not a slider.
DATAPOINT_ID_SELECTOR = vol.All(
    NumberSelector(NumberSelectorConfig(min=1, max=255, step=1, mode=NumberSelectorMode.BOX)),
    vol.Coerce(int),
)


def datapoints_schema(category_map: CategoryMap) -> vol.Schema:
    """One datapoint id per code with a role; only the power one is required."""
    fields: dict[Any, Any] = {}
    for code in category_map.roles.codes():
        published = category_map.datapoints[code].dp_id
        key = vol.Required(code) if code == category_map.roles.power else vol.Optional(code)
        if published:
            key = type(key)(code, default=int(published))
        fields[key] = DATAPOINT_ID_SELECTOR
    return vol.Schema(fields)


def massager_entries(entries: list[DevicesJsonEntry]) -> list[DevicesJsonEntry]:
    """The devices of a file whose datapoints one of our maps can run a massage with."""
    found = []
    for entry in entries:
        if entry.mapping is None:
            continue
        try:
            map_for(entry.category, entry.product_id, entry.mapping)
        except TuyaMapError:
            continue
        found.append(entry)
    return found


def tuya_entry_data(  # noqa: PLR0917  # the six facts of an entry, in one order everywhere
    address: tuple[str, int],
    device_id: str,
    local_key: str,
    version: str,
    mapping: DeviceMapping,
    category_map: CategoryMap,
) -> dict[str, Any]:
    """A Tuya config entry's data."""
    return {
        CONF_TRANSPORT: TRANSPORT_TUYA,
        CONF_HOST: address[0],
        CONF_PORT: address[1],
        CONF_DEVICE_ID: device_id,
        CONF_LOCAL_KEY: local_key,
        CONF_PROTOCOL_VERSION: version,
        CONF_MAPPING: mapping.as_json(),
        CONF_DATAPOINT_MAP: category_map.key,
    }


def connection_data(address: tuple[str, int], device_id: str, local_key: str) -> dict[str, Any]:
    """What it takes to connect."""
    return {
        CONF_HOST: address[0],
        CONF_PORT: address[1],
        CONF_DEVICE_ID: device_id,
        CONF_LOCAL_KEY: local_key,
    }


def manual_mapping(category_map: CategoryMap, ids: dict[str, int]) -> DeviceMapping | None:
    """The mapping typed by hand; None when two codes were given the same id."""
    if len(set(ids.values())) != len(ids):
        return None
    return mapping_from_ids(category_map, ids)


# What a failed connection says, most specific first.
PROBE_ERRORS: tuple[tuple[type[MassagerError], str], ...] = (
    (TuyaKeyError, "invalid_local_key"),
    (TuyaUnsupportedError, "unsupported_protocol"),
    (MassagerConnectionError, "cannot_connect"),
)

# The form field each connection error belongs to (on forms without it: the form as a whole).
ERROR_FIELDS = {
    "invalid_host": CONF_HOST,
    "invalid_local_key": CONF_LOCAL_KEY,
    "cannot_connect": CONF_HOST,
    "unsupported_protocol": CONF_PROTOCOL_VERSION,
}


def form_errors(error: str, schema: vol.Schema) -> dict[str, str]:
    """The error on its field, if the form has that field."""
    field = ERROR_FIELDS.get(error, "base")
    return {field if field in {str(key) for key in schema.schema} else "base": error}


async def async_check(
    data: dict[str, Any], requested_version: str, *, power: bool = True
) -> tuple[str | None, str | None]:
    """Connect as the entry would; (version, None) or (None, error key).

    The device must answer a query under the key and (with `power`) report the datapoint that
    runs the massage in its mapping.
    """
    version = None if requested_version == AUTO_VERSION else requested_version
    try:
        found, dps = await async_probe_tuya(
            data[CONF_HOST], data[CONF_PORT], data[CONF_DEVICE_ID], data[CONF_LOCAL_KEY], version
        )
    except MassagerError as err:
        error = next((key for kind, key in PROBE_ERRORS if isinstance(err, kind)), "unknown")
        if error == "unknown":
            LOGGER.debug(
                "Unexpected answer from a Tuya device at %s", data[CONF_HOST], exc_info=True
            )
        return None, error
    if not power:
        return found, None
    # The entry must be one the transport can run: its capabilities build, and the device
    # reports the datapoint that starts the massage.
    power_id = tuya_power_id(data)
    if power_id is None or power_id not in dps:
        return None, "not_massager"
    return found, None


class FlowDiscovery:
    """Listens for Tuya announcements while a flow is open, for the manual form to offer them.

    Only while the user adds a Tuya massager: a broadcast does not say what a device is, so
    announcing every Tuya plug and bulb on the network as a massager would be noise.
    """

    def __init__(self) -> None:
        self._devices = HeardDevices()
        self._discovery = TuyaDiscovery(self._devices.add, DISCOVERY_PORTS, DISCOVERY_HOST)

    @property
    def heard(self) -> dict[str, Announcement]:
        """The devices heard, by id, most recent first (see HeardDevices for what is kept)."""
        return self._devices.by_id()

    async def start(self) -> None:
        """Listen, and ask 3.5 devices (which announce only when asked) to announce."""
        await self._discovery.start()
        self._discovery.request()

    def close(self) -> None:
        """Stop listening."""
        self._discovery.close()


def discovered_schema(heard: dict[str, Announcement], configured: set[str]) -> vol.Schema:
    """The devices heard on the network (not yet set up), or typing by hand.

    Shown by address and the end of their id (enough to tell them apart, as the app shows it).
    """
    options = [
        SelectOptionDict(
            value=device_id, label=f"{a.ip} (protocol {a.version}, id ...{device_id[-4:]})"
        )
        for device_id, a in heard.items()
        if tuya_unique_id(device_id) not in configured
    ]
    options.append(SelectOptionDict(value=MANUAL, label=MANUAL))
    return vol.Schema(
        {
            vol.Required(CONF_DISCOVERED): SelectSelector(
                SelectSelectorConfig(options=options, translation_key=CONF_DISCOVERED)
            )
        }
    )
