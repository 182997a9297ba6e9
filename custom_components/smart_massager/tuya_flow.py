"""Tuya's side of the integration: its builder, its config-flow steps, forms and checks.

Two ways in: tinytuya's `devices.json` (pasted whole or one entry of it), which carries the id,
local key, address, version and the device's own datapoint mapping; or by hand: address, device
id, local key, a shipped category map and the datapoint id of each of its codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    BooleanSelector,
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

from pysmartmassager import Massager, MassagerConnectionError, MassagerError
from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_markup
from pysmartmassager.tuya import (
    DEFAULT_PORT,
    CategoryMap,
    DeviceMapping,
    DevicesJsonEntry,
    DevicesJsonKeyError,
    TuyaDevice,
    TuyaKeyError,
    TuyaMapError,
    TuyaMassager,
    TuyaProfile,
    TuyaUnsupportedError,
    Version,
    category_keys,
    map_for,
    mapping_from_ids,
    parse_devices_json,
    parse_mapping,
    probe,
    shipped_maps,
)
from pysmartmassager.tuya.datapoints import DEVICE_MAP_KEY, ROLES, Roles
from pysmartmassager.tuya.discovery import PORTS, Announcement, HeardDevices, TuyaDiscovery
from pysmartmassager.tuya.roles import (
    Proposal,
    device_map,
    device_map_document,
    off_value,
    propose,
)

from .const import (
    CONF_DATAPOINT_MAP,
    CONF_DEFAULT_INTENSITY,
    CONF_DEVICE_ID,
    CONF_DEVICE_MAP,
    CONF_LOCAL_KEY,
    CONF_MAPPING,
    CONF_PROTOCOL_VERSION,
    CONF_TRANSPORT,
    LOGGER,
    TRANSPORT_TUYA,
)
from .credentials import credential_doubts
from .flow_base import BASE, FamilyFlow, FlowError, RolesOptions, errors_for, shown
from .host_input import InvalidHostError, host_and_port, host_text

# Where the flow listens for devices announcing themselves (tests point it at loopback).
DISCOVERY_PORTS = PORTS
DISCOVERY_HOST = "0.0.0.0"  # noqa: S104  # broadcasts reach only a socket bound to any address

CONF_DEVICES_JSON = "devices_json"
CONF_DISCOVERED = "discovered"
MANUAL = "manual"
CONF_DEVICE = "device"
NONE_OF_THESE = "none"  # the pick step's way to a device no shipped map fits
CONF_HEAT_OFF = "heat_off"
CONF_POWER_INVERTED = "power_inverted"
NO_ROLE = "none"
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


def pick_schema(entries: list[DevicesJsonEntry], *, none_of_these: bool = False) -> vol.Schema:
    """Which device of a pasted file (by name and address, never by key).

    With `none_of_these`, a last option leads to the devices whose roles the user assigns.
    """
    options = [
        SelectOptionDict(value=str(index), label=f"{entry.name} ({_where(entry)})")
        for index, entry in enumerate(entries)
    ]
    if none_of_these:
        options.append(SelectOptionDict(value=NONE_OF_THESE, label=NONE_OF_THESE))
    return vol.Schema(
        {
            vol.Required(CONF_DEVICE): SelectSelector(
                SelectSelectorConfig(options=options, translation_key="tuya_pick")
            )
        }
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

    Raises FlowError for text that is not a host ("http://..." and spaces are fine).
    """
    try:
        return host_and_port(text, port or DEFAULT_PORT)
    except InvalidHostError as err:
        raise FlowError("invalid_host", CONF_HOST) from err


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


def role_entries(
    entries: list[DevicesJsonEntry], massagers: list[DevicesJsonEntry]
) -> list[DevicesJsonEntry]:
    """The devices no shipped map fits (not among `massagers`) whose roles a user could assign.

    A Boolean to run the massage and something more: a plug's lone switch is no massager.
    """
    return [
        entry
        for entry in entries
        if entry.mapping is not None
        and entry not in massagers
        and len(entry.mapping.datapoints) >= 2  # noqa: PLR2004  # power and one more
        and any(dp.type == "Boolean" for dp in entry.mapping.datapoints)
    ]


def _datapoint_label(mapping: DeviceMapping, code: str) -> str:
    """A datapoint as the role form shows it: id, code, type and what its values look like."""
    dp = mapping.by_code(code)
    assert dp is not None  # only the device's own codes are offered
    if dp.type == "Enum":
        values = ", ".join(dp.enum_range[:4]) + (", ..." if len(dp.enum_range) > 4 else "")  # noqa: PLR2004
        detail = f"{dp.type}: {values}"
    elif dp.type == "Integer":
        low, high, _, _ = dp.integer_range
        detail = f"{dp.type} {low}..{high} {dp.values.get('unit', '')}".rstrip()
    else:
        detail = dp.type
    # Codes are checked ([a-z0-9_]); Enum values and units come from the device: cleaned.
    return clean_markup(f"{dp.dp_id} {dp.code} ({detail})", MAX_MESSAGE_LENGTH)


def roles_schema(mapping: DeviceMapping, proposal: Proposal) -> vol.Schema:
    """A select per role, of the device's datapoints that can play it; heat's off; polarity."""

    def options(role: str, *, none: bool) -> list[SelectOptionDict]:
        found = [
            SelectOptionDict(value=code, label=_datapoint_label(mapping, code))
            for code in proposal.candidates[role]
        ]
        return [SelectOptionDict(value=NO_ROLE, label="-"), *found] if none else found

    fields: dict[Any, Any] = {}
    for role in ROLES:
        if role == "power":
            selector = SelectSelector(SelectSelectorConfig(options=options(role, none=False)))
            fields[vol.Required(role)] = selector
        elif role == "programs":
            config = SelectSelectorConfig(options=options(role, none=False), multiple=True)
            fields[vol.Optional(role)] = SelectSelector(config)
        elif proposal.candidates[role]:
            config = SelectSelectorConfig(
                options=options(role, none=True), mode=SelectSelectorMode.DROPDOWN
            )
            fields[vol.Optional(role, default=NO_ROLE)] = SelectSelector(config)
    heat_values = sorted(
        {
            value
            for code in proposal.candidates["heat"]
            if (dp := mapping.by_code(code)) is not None
            for value in dp.enum_range
        }
    )
    if heat_values:
        fields[vol.Optional(CONF_HEAT_OFF)] = SelectSelector(
            SelectSelectorConfig(
                options=[SelectOptionDict(value=v, label=clean_markup(v)) for v in heat_values]
            )
        )
    fields[vol.Optional(CONF_POWER_INVERTED, default=False)] = BooleanSelector()
    return vol.Schema(fields)


def proposed_roles(proposal: Proposal) -> dict[str, Any]:
    """The role form's suggested values: the proposal, for the user to confirm."""
    suggested: dict[str, Any] = {
        role: code for role, code in proposal.proposed.items() if code is not None
    }
    suggested["programs"] = list(proposal.programs)
    if proposal.heat_off is not None:
        suggested[CONF_HEAT_OFF] = proposal.heat_off
    return suggested


def confirmed_map(mapping: DeviceMapping, name: str, user_input: dict[str, Any]) -> dict[str, Any]:
    """The device map from the role form; FlowError on the field that does not fit."""
    roles: dict[str, Any] = {}
    used: set[str] = set()
    for role in ROLES:
        value = user_input.get(role)
        codes = [c for c in (value if isinstance(value, list) else [value]) if c and c != NO_ROLE]
        if not codes:
            continue
        if used & set(codes):
            raise FlowError("datapoint_twice", role)
        used.update(codes)
        roles[role] = codes if role == "programs" else codes[0]
    off_values: dict[str, str] = {}
    for code in [*roles.get("programs", []), roles.get("zone")]:
        if (dp := mapping.by_code(code)) is not None and (off := off_value(dp)) is not None:
            off_values[dp.code] = off
    heat = mapping.by_code(roles.get("heat"))
    if heat is not None and heat.type == "Enum":
        if user_input.get(CONF_HEAT_OFF) not in heat.enum_range:
            raise FlowError("heat_off_value", CONF_HEAT_OFF)
        off_values[heat.code] = user_input[CONF_HEAT_OFF]
    inverted = bool(user_input.get(CONF_POWER_INVERTED, False))
    try:
        document = device_map_document(mapping, name, roles, off_values, power_inverted=inverted)
        device_map(document)
    except TuyaMapError as err:
        raise FlowError("invalid_roles") from err
    return document


def entry_map(data: Mapping[str, Any]) -> CategoryMap:
    """An entry's map: a shipped one by its key, or the device's own (its confirmed roles)."""
    if data[CONF_DATAPOINT_MAP] == DEVICE_MAP_KEY:
        return device_map(data[CONF_DEVICE_MAP])
    return shipped_maps()[data[CONF_DATAPOINT_MAP]]


def tuya_entry_data(  # noqa: PLR0917  # the six facts of an entry, in one order everywhere
    address: tuple[str, int],
    device_id: str,
    local_key: str,
    version: str,
    mapping: DeviceMapping,
    category_map: CategoryMap | dict[str, Any],
) -> dict[str, Any]:
    """A Tuya config entry's data; a device's own map (a document) is stored whole."""
    return {
        CONF_TRANSPORT: TRANSPORT_TUYA,
        CONF_HOST: address[0],
        CONF_PORT: address[1],
        CONF_DEVICE_ID: device_id,
        CONF_LOCAL_KEY: local_key,
        CONF_PROTOCOL_VERSION: version,
        CONF_MAPPING: mapping.as_json(),
        **(
            {CONF_DATAPOINT_MAP: DEVICE_MAP_KEY, CONF_DEVICE_MAP: category_map}
            if isinstance(category_map, dict)
            else {CONF_DATAPOINT_MAP: category_map.key}
        ),
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


def build(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager; a firmware update that moved it to another version is kept."""

    def keep_version(version: Version) -> None:
        # Found once, kept, so the next start does not probe every version again.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_PROTOCOL_VERSION: version.value}
        )

    return TuyaMassager(
        tuya_device(entry.data, entry.title),
        on_version=keep_version,
        doubts=credential_doubts(hass, TRANSPORT_TUYA),
    )


def load_data() -> None:
    """The shipped datapoint maps, read once (off the event loop, by the integration's set-up)."""
    shipped_maps()


def tuya_device(data: Mapping[str, Any], name: str) -> TuyaDevice:
    """A Tuya device from an entry's (or a flow's) data; TuyaMapError if its map is broken."""
    return TuyaDevice(
        host=data[CONF_HOST],
        port=data[CONF_PORT],
        device_id=data[CONF_DEVICE_ID],
        local_key=data[CONF_LOCAL_KEY],
        version=Version(data[CONF_PROTOCOL_VERSION]),
        mapping=parse_mapping(data[CONF_MAPPING]),
        category_map=entry_map(data),
        name=name,
    )


def device_shape(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every datapoint of the device (id, code, type, values) and the roles the entry gave them."""
    try:
        mapping = parse_mapping(data[CONF_MAPPING])
        roles = entry_map(data).roles
    except (TuyaMapError, KeyError) as err:
        return {"error": f"the entry's datapoints cannot be read: {type(err).__name__}"}
    by_code = {code: role for role in ROLES for code in _role_codes(roles, role)}
    return {
        "map": data.get(CONF_DATAPOINT_MAP),
        "power_inverted": roles.power_inverted,
        "datapoints": [
            {
                "id": int(dp.dp_id),
                "code": dp.code,
                "type": dp.type,
                "values": dict(dp.values),
                "role": by_code.get(dp.code),
            }
            for dp in mapping.datapoints
        ],
    }


def _role_codes(roles: Roles, role: str) -> tuple[str, ...]:
    value = getattr(roles, role)
    return tuple(value) if isinstance(value, tuple) else ((value,) if value else ())


def tuya_profile(data: Mapping[str, Any]) -> TuyaProfile | None:
    """The entry's datapoints as a massage session, if the transport can run this entry at all."""
    try:
        profile = TuyaProfile(parse_mapping(data[CONF_MAPPING]), entry_map(data))
        profile.capabilities()
    except MassagerError, KeyError, ValueError:
        return None
    return profile


# What a failed connection says, most specific first.
PROBE_ERRORS: tuple[tuple[type[MassagerError], str], ...] = (
    (TuyaKeyError, "invalid_local_key"),
    (TuyaUnsupportedError, "unsupported_protocol"),
    (MassagerConnectionError, "cannot_connect"),
)

# The form field each error belongs to (on forms without it: the form as a whole).
ERROR_FIELDS = {
    "invalid_host": CONF_HOST,
    "invalid_local_key": CONF_LOCAL_KEY,
    "cannot_connect": CONF_HOST,
    "unsupported_protocol": CONF_PROTOCOL_VERSION,
}


def _error(key: str) -> FlowError:
    return FlowError(key, ERROR_FIELDS.get(key, BASE))


async def async_check(data: dict[str, Any], requested_version: str, *, power: bool = True) -> str:
    """Connect as the entry would: the version the device answers in, or FlowError.

    The device must answer a query under the key and (with `power`) report the datapoint that
    runs the massage in its mapping.
    """
    versions = (
        tuple(Version)[::-1] if requested_version == AUTO_VERSION else (Version(requested_version),)
    )
    try:
        found, dps = await probe(
            data[CONF_HOST],
            data[CONF_DEVICE_ID],
            data[CONF_LOCAL_KEY],
            versions,
            port=data[CONF_PORT],
        )
    except MassagerError as err:
        key = next((key for kind, key in PROBE_ERRORS if isinstance(err, kind)), "unknown")
        if key == "unknown":
            LOGGER.debug(
                "Unexpected answer from a Tuya device at %s", data[CONF_HOST], exc_info=True
            )
        raise _error(key) from err
    # The entry must be one the transport can run: its capabilities build, and the device
    # reports the datapoint that starts the massage.
    if not power:
        return found.value
    if (profile := tuya_profile(data)) is None or profile.power.dp_id not in dps:
        raise _error("not_massager")
    # Roles the user gave: a wrong polarity would make every stop a start. A massager being
    # added or re-mapped is idle, so a power that reads "running" is refused.
    if data.get(CONF_DATAPOINT_MAP) == DEVICE_MAP_KEY and profile.running_of(dps):
        raise FlowError("reports_running", CONF_POWER_INVERTED)
    return found.value


async def _async_check_on_form(data: dict[str, Any]) -> str:
    """`async_check` for a stored entry: what the device says is shown on the form as a whole.

    On a one-field form (a new key, a new host) a device's answer is not about the field typed.
    """
    try:
        return await async_check(data, AUTO_VERSION)
    except FlowError as err:
        raise FlowError(err.key) from err


class TuyaFlow(FamilyFlow):
    """Tuya's steps of the integration's config flow."""

    def __init__(self) -> None:
        super().__init__()
        self._tuya_entries: list[DevicesJsonEntry] = []
        self._tuya_others: list[DevicesJsonEntry] = []  # no shipped map fits: roles by the user
        self._tuya_roles_from: dict[str, Any] = {}  # the device step's entry data, for the roles
        self._tuya_entry: DevicesJsonEntry | None = None
        self._tuya_manual: dict[str, Any] = {}
        self._tuya_discovery: FlowDiscovery | None = None
        self._tuya_suggested: dict[str, Any] = {}
        self._tuya_address: tuple[str, int] = ("", 0)  # the manual form's, for the next step

    async def async_step_tuya(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A Tuya massager: from tinytuya's devices.json, or typed by hand."""
        if self._tuya_discovery is None:
            # Listen while the user finds the key: the devices heard prefill the forms.
            self._tuya_discovery = FlowDiscovery()
            await self._tuya_discovery.start()
        return self.async_show_menu(step_id="tuya", menu_options=["tuya_paste", "tuya_manual"])

    @callback
    def async_remove(self) -> None:
        """The flow ended: stop listening."""
        super().async_remove()
        if self._tuya_discovery is not None:
            self._tuya_discovery.close()

    def _heard(self) -> dict[str, Announcement]:
        return self._tuya_discovery.heard if self._tuya_discovery is not None else {}

    async def async_step_tuya_paste(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The devices.json tinytuya's wizard wrote (the whole file, or one device's entry)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                entries = parse_devices_json(user_input[CONF_DEVICES_JSON])
            except DevicesJsonKeyError:
                errors[CONF_DEVICES_JSON] = "invalid_local_key_in_file"
            except TuyaMapError:
                errors[CONF_DEVICES_JSON] = "invalid_devices_json"
            else:
                self._tuya_entries = massager_entries(entries)
                self._tuya_others = role_entries(entries, self._tuya_entries)
                if not self._tuya_entries and not self._tuya_others:
                    errors[CONF_DEVICES_JSON] = "no_massager_in_file"
                elif not self._tuya_entries:
                    return await self.async_step_tuya_pick_other()
                elif len(self._tuya_entries) == 1 and not self._tuya_others:
                    self._tuya_entry = self._tuya_entries[0]
                    return await self.async_step_tuya_device()
                else:
                    return await self.async_step_tuya_pick()
        # The pasted text holds local keys: it is never shown back in the form.
        return self.async_show_form(step_id="tuya_paste", data_schema=paste_schema(), errors=errors)

    async def async_step_tuya_pick(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which massager of the file (or none of these: one whose roles the user assigns)."""
        if user_input is not None:
            if user_input[CONF_DEVICE] == NONE_OF_THESE:
                return await self.async_step_tuya_pick_other()
            self._tuya_entry = self._tuya_entries[int(user_input[CONF_DEVICE])]
            return await self.async_step_tuya_device()
        schema = pick_schema(self._tuya_entries, none_of_these=bool(self._tuya_others))
        return self.async_show_form(step_id="tuya_pick", data_schema=schema)

    async def async_step_tuya_pick_other(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A device of the file no shipped map fits: its roles are assigned after its address."""
        if user_input is not None:
            self._tuya_entry = self._tuya_others[int(user_input[CONF_DEVICE])]
            return await self.async_step_tuya_device()
        return self.async_show_form(
            step_id="tuya_pick_other", data_schema=pick_schema(self._tuya_others)
        )

    async def async_step_tuya_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The device's address (the file's, when it has one), protocol version and maybe key."""
        entry = self._tuya_entry
        assert entry is not None
        if not entry.ip and (heard := self._heard().get(entry.device_id)) is not None:
            entry = self._tuya_entry = replace(entry, ip=heard.ip)
        assert entry.mapping is not None  # massager_entries() kept only entries with one
        schema = device_schema(entry)
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                address = tuya_address(user_input[CONF_HOST])
            except FlowError as err:
                errors = errors_for(err, schema)
            else:
                # A key typed here replaces the file's (pasted before the device was re-paired).
                local_key = str(user_input.get(CONF_LOCAL_KEY, "")).strip() or entry.local_key
                try:
                    category_map = map_for(entry.category, entry.product_id, entry.mapping)
                except TuyaMapError:  # a device of tuya_pick_other: its roles come next
                    self._tuya_roles_from = {
                        "address": address,
                        CONF_LOCAL_KEY: local_key,
                        CONF_PROTOCOL_VERSION: user_input[CONF_PROTOCOL_VERSION],
                    }
                    return await self.async_step_tuya_roles()
                return await self._tuya_create(
                    entry.name,
                    tuya_entry_data(
                        address,
                        entry.device_id,
                        local_key,
                        AUTO_VERSION,
                        entry.mapping,
                        category_map,
                    ),
                    user_input[CONF_PROTOCOL_VERSION],
                    step_id="tuya_device",
                    schema=schema,
                    user_input=user_input,
                )
        return self.async_show_form(
            step_id="tuya_device",
            data_schema=self.add_suggested_values_to_schema(
                schema, shown_values(user_input) or {CONF_HOST: entry.ip or ""}
            ),
            errors=errors,
            description_placeholders=shown({"name": entry.name}),
        )

    async def async_step_tuya_roles(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which datapoint does what, proposed from the device's own and confirmed by the user."""
        entry = self._tuya_entry
        assert entry is not None
        assert entry.mapping is not None
        proposal = propose(entry.mapping)
        schema = roles_schema(entry.mapping, proposal)
        placeholders = shown({"name": entry.name})
        if user_input is not None:
            try:
                document = confirmed_map(entry.mapping, entry.name, user_input)
            except FlowError as err:
                return self.async_show_form(
                    step_id="tuya_roles",
                    data_schema=self.add_suggested_values_to_schema(schema, user_input),
                    errors=errors_for(err, schema),
                    description_placeholders=placeholders,
                )
            given = self._tuya_roles_from
            return await self._tuya_create(
                entry.name,
                tuya_entry_data(
                    given["address"],
                    entry.device_id,
                    given[CONF_LOCAL_KEY],
                    AUTO_VERSION,
                    entry.mapping,
                    document,
                ),
                given[CONF_PROTOCOL_VERSION],
                step_id="tuya_roles",
                schema=schema,
                user_input=user_input,
            )
        return self.async_show_form(
            step_id="tuya_roles",
            data_schema=self.add_suggested_values_to_schema(schema, proposed_roles(proposal)),
            description_placeholders=placeholders,
        )

    async def async_step_tuya_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Address, device id, local key, version and which of our maps fits the device.

        The connection is tried here, so a wrong key or address is named on its own field.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            manual = {
                key: value.strip() if isinstance(value, str) else value
                for key, value in user_input.items()
            }
            await self.async_set_unique_id(tuya_unique_id(manual[CONF_DEVICE_ID]))
            self._abort_if_unique_id_configured()
            try:
                address = tuya_address(manual[CONF_HOST])
                found = await async_check(
                    connection_data(address, manual[CONF_DEVICE_ID], manual[CONF_LOCAL_KEY]),
                    manual[CONF_PROTOCOL_VERSION],
                    power=False,
                )
            except FlowError as err:
                errors = errors_for(err, manual_schema())
            else:
                self._tuya_manual = {**manual, CONF_PROTOCOL_VERSION: found}
                self._tuya_address = address
                return await self.async_step_tuya_datapoints()
        elif self._heard() and not self._tuya_suggested:
            return await self.async_step_tuya_discovered()
        # A typed local key is a secret: never sent back as a suggested value.
        return self.async_show_form(
            step_id="tuya_manual",
            data_schema=self.add_suggested_values_to_schema(
                manual_schema(), shown_values(user_input or self._tuya_suggested)
            ),
            errors=errors,
        )

    async def async_step_tuya_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Devices heard on the network: one of them, or typing by hand."""
        heard = self._heard()
        if user_input is not None:
            chosen = heard.get(user_input[CONF_DISCOVERED])
            self._tuya_suggested = {CONF_NAME: ""}
            if chosen is not None:
                self._tuya_suggested = {
                    CONF_HOST: chosen.ip,
                    CONF_DEVICE_ID: chosen.device_id,
                    CONF_PROTOCOL_VERSION: chosen.version
                    if chosen.version in VERSIONS
                    else AUTO_VERSION,
                }
            return await self.async_step_tuya_manual()
        configured = {entry.unique_id or "" for entry in self._async_current_entries()}
        return self.async_show_form(
            step_id="tuya_discovered", data_schema=discovered_schema(heard, configured)
        )

    async def async_step_tuya_datapoints(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The datapoint id of each code (from the device's mapping in Tuya's IoT platform)."""
        manual = self._tuya_manual
        category_map: CategoryMap = shipped_maps()[manual[CONF_DATAPOINT_MAP]]
        schema = datapoints_schema(category_map)
        errors: dict[str, str] = {}
        if user_input is not None:
            mapping = manual_mapping(category_map, dict(user_input))
            if mapping is None:
                errors[BASE] = "duplicate_datapoint"
            else:
                return await self._tuya_create(
                    str(manual[CONF_NAME]).strip() or TUYA_FALLBACK_NAME,
                    tuya_entry_data(
                        self._tuya_address,
                        manual[CONF_DEVICE_ID],
                        manual[CONF_LOCAL_KEY],
                        AUTO_VERSION,
                        mapping,
                        category_map,
                    ),
                    manual[CONF_PROTOCOL_VERSION],
                    step_id="tuya_datapoints",
                    schema=schema,
                    user_input=user_input,
                )
        return self.async_show_form(
            step_id="tuya_datapoints",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=shown({"map": category_map.name}),
        )

    async def _tuya_create(
        self,
        name: str,
        data: dict[str, Any],
        version: str,
        *,
        step_id: str,
        schema: vol.Schema,
        user_input: dict[str, Any] | None = None,
    ) -> ConfigFlowResult:
        """Check the device, then create the entry; the same form again with the error if not."""
        await self.async_set_unique_id(tuya_unique_id(data[CONF_DEVICE_ID]))
        self._abort_if_unique_id_configured()
        try:
            found = await async_check(data, version)
        except FlowError as err:
            return self.async_show_form(
                step_id=step_id,
                data_schema=self.add_suggested_values_to_schema(schema, shown_values(user_input)),
                errors=errors_for(err, schema),
                description_placeholders=shown({"name": name, "map": entry_map(data).name}),
            )
        return self.async_create_entry(title=name, data={**data, CONF_PROTOCOL_VERSION: found})

    async def async_step_tuya_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The local key changed (the device was paired again in its app): the new one."""
        entry = self._get_reauth_entry()

        async def updates_for(user_input: dict[str, Any]) -> dict[str, Any]:
            key = user_input[CONF_LOCAL_KEY].strip()
            found = await _async_check_on_form({**entry.data, CONF_LOCAL_KEY: key})
            return {CONF_LOCAL_KEY: key, CONF_PROTOCOL_VERSION: found}

        schema = vol.Schema({vol.Required(CONF_LOCAL_KEY): _secret_selector()})
        return await self._async_renew("tuya_reauth", user_input, schema, updates_for)

    async def async_step_tuya_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Tuya massager's new address; the key proves it is the same device."""
        entry = self._get_reconfigure_entry()

        async def updates_for(text: str) -> dict[str, Any]:
            # Only the host changed, unless a port is typed with it.
            host, port = tuya_address(text, entry.data[CONF_PORT])
            found = await _async_check_on_form({**entry.data, CONF_HOST: host, CONF_PORT: port})
            return {CONF_HOST: host, CONF_PORT: port, CONF_PROTOCOL_VERSION: found}

        current = tuya_host_text(dict(entry.data))
        return await self._async_new_host("tuya_reconfigure", user_input, current, updates_for)


def current_roles(category_map: CategoryMap) -> dict[str, Any]:
    """An entry's roles as the role form's values (to change them in the options)."""
    roles = category_map.roles
    values: dict[str, Any] = {
        role: code for role in ROLES if role != "programs" and (code := getattr(roles, role))
    }
    values["programs"] = list(roles.programs)
    if roles.heat and roles.heat in category_map.off_values:
        values[CONF_HEAT_OFF] = category_map.off_values[roles.heat]
    values[CONF_POWER_INVERTED] = roles.power_inverted
    return values


class TuyaOptions(RolesOptions):
    """Tuya's options step: which datapoint does what (the entry's own map from then on)."""

    async def async_step_tuya_roles(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The role form, filled with the entry's roles; checked on the device, then reloaded."""
        entry = self.config_entry
        try:
            mapping = parse_mapping(entry.data[CONF_MAPPING])
            current = current_roles(entry_map(entry.data))
        except TuyaMapError, KeyError:
            return self.async_abort(reason="invalid_entry_data")

        async def save(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            document = confirmed_map(mapping, entry.title, answer)
            data = {**entry.data, CONF_DATAPOINT_MAP: DEVICE_MAP_KEY, CONF_DEVICE_MAP: document}
            await async_check(data, data[CONF_PROTOCOL_VERSION])
            return data, options_for(entry.options, data)

        return await self._roles_step(
            "tuya_roles",
            user_input,
            schema=roles_schema(mapping, propose(mapping)),
            current=current,
            placeholders={"name": entry.title},
            save=save,
        )


def options_for(options: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's options under a new map: a default intensity it no longer has is dropped."""
    levels = TuyaProfile(parse_mapping(data[CONF_MAPPING]), entry_map(data)).intensity_levels()
    kept = dict(options)
    if CONF_DEFAULT_INTENSITY in kept and (
        levels is None or kept[CONF_DEFAULT_INTENSITY] not in levels
    ):
        del kept[CONF_DEFAULT_INTENSITY]
    return kept
