"""Config flow: address, then pairing; zeroconf discovery, reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    DeviceSelector,
    DeviceSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from pysmartmassager import (
    LevelRange,
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerPairingNotEnabledError,
)
from pysmartmassager.decoding import clean_markup
from pysmartmassager.reference import DEFAULT_PORT, DeviceIdentity
from pysmartmassager.tuya import (
    CategoryMap,
    DevicesJsonEntry,
    DevicesJsonKeyError,
    TuyaMapError,
    map_for,
    parse_devices_json,
    shipped_maps,
)
from pysmartmassager.tuya.discovery import Announcement

from .const import (
    CONF_DATAPOINT_MAP,
    CONF_DEFAULT_INTENSITY,
    CONF_DEFAULT_MINUTES,
    CONF_DEVICE_ID,
    CONF_INSTALL_SENTENCES,
    CONF_LOCAL_KEY,
    CONF_PROTOCOL_VERSION,
    CONF_TOKEN,
    CONF_TRANSPORT,
    DOMAIN,
    LOGGER,
)
from .coordinator import MassagerConfigEntry
from .entities_flow import check_sources, form_values, sources_schema
from .from_entities import (
    CONF_POWER,
    CONF_TIMER,
    identity_source,
    sources_as_entity_ids,
    sources_as_refs,
)
from .host_input import InvalidHostError, parse_host
from .miot_flow import (
    CONF_SPEC,
    FoundDevice,
    MiotFlowError,
    address,
    async_check_power,
    async_find,
    async_published_map,
    errors_for,
    miot_entry_data,
    miot_host_text,
    miot_schema,
    miot_unique_id,
    pasted_map,
    spec_schema,
    token_field,
)
from .source_roles import CONF_SOURCE_DEVICE, device_timer_for, known_sources, propose_sources
from .transport import (
    TRANSPORT_ENTITIES,
    TRANSPORT_MIOT,
    TRANSPORT_REFERENCE,
    TRANSPORT_TUYA,
    async_holds_token,
    async_identify,
    async_pair,
)
from .tuya_flow import (
    AUTO_VERSION,
    CONF_DEVICE,
    CONF_DEVICES_JSON,
    CONF_DISCOVERED,
    TUYA_FALLBACK_NAME,
    VERSIONS,
    FlowDiscovery,
    async_check,
    connection_data,
    datapoints_schema,
    device_schema,
    discovered_schema,
    form_errors,
    manual_mapping,
    manual_schema,
    massager_entries,
    paste_schema,
    pick_schema,
    shown_values,
    tuya_address,
    tuya_entry_data,
    tuya_host_text,
    tuya_unique_id,
)

# Before the entry has loaded there are no capabilities to read: the reference device's ranges.
_FALLBACK_MINUTES = LevelRange(minimum=1, maximum=30)
_FALLBACK_INTENSITY = LevelRange(minimum=1, maximum=10)


def _shown(placeholders: dict[str, str]) -> dict[str, str]:
    """Placeholders fit for a form's Markdown, each cleaned and its syntax escaped.

    Names from a device (a MIoT model, a device's own name, a title made of it) neither break
    the line nor make a link.
    """
    return {key: clean_markup(value) for key, value in placeholders.items()}


def address_schema(host: str | None = None, port: int = DEFAULT_PORT) -> vol.Schema:
    """Host and port, prefilled when known."""
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=host or vol.UNDEFINED): str,
            vol.Required(CONF_PORT, default=port): vol.All(int, vol.Range(min=1, max=65535)),
        }
    )


class SmartMassagerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a massager: find it (typed address or zeroconf), then pair with its button."""

    VERSION = 1
    MINOR_VERSION = 3

    def __init__(self) -> None:
        self._host = ""
        self._port = DEFAULT_PORT
        self._identity: DeviceIdentity | None = None
        self._tuya_entries: list[DevicesJsonEntry] = []
        self._tuya_entry: DevicesJsonEntry | None = None
        self._tuya_manual: dict[str, Any] = {}
        self._tuya_discovery: FlowDiscovery | None = None
        self._tuya_suggested: dict[str, Any] = {}
        self._tuya_address: tuple[str, int] = ("", 0)  # the manual form's, for the next step
        self._timer_offered = False
        self._miot_found: FoundDevice | None = None
        self._miot_name = ""
        self._miot_spec_error = ""
        self._proposal: dict[str, Any] = {}  # the roles proposed from a picked device

    def _take_address(self, user_input: dict[str, Any]) -> bool:
        """Host and port from the form, normalised; False when the host cannot be used.

        A port typed into the host field ("host:8765") wins over the port field, which most
        people leave at its default.
        """
        try:
            address = parse_host(user_input[CONF_HOST])
        except InvalidHostError:
            return False
        self._host, self._port = address.host, address.port or user_input[CONF_PORT]
        return True

    async def _identify(self) -> str | None:
        """Ask who answers at the address; an error key, or None on success."""
        try:
            self._identity = await async_identify(self.hass, self._host, self._port)
        except MassagerConnectionError:
            return "cannot_connect"
        except MassagerError:
            LOGGER.debug("Unexpected answer while identifying %s", self._host, exc_info=True)
            return "unknown"
        return None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which kind of massager: built from existing entities, or one on the network."""
        return self.async_show_menu(
            step_id="user", menu_options=["device", "entities", "tuya", "miot", "address"]
        )

    async def async_step_device(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """From a device another integration has (a bed, a plug): its entities proposed."""
        if user_input is not None:
            await self.hass.async_add_executor_job(known_sources)  # read the table off the loop
            name, proposal = propose_sources(self.hass, user_input[CONF_SOURCE_DEVICE])
            if not identity_source(proposal):
                return self.async_show_form(
                    step_id="device",
                    data_schema=self._device_schema(),
                    errors={CONF_SOURCE_DEVICE: "no_massage_found"},
                )
            self._proposal = {CONF_NAME: name or "Massager", **proposal}
            return await self.async_step_entities()
        return self.async_show_form(step_id="device", data_schema=self._device_schema())

    def _device_schema(self) -> vol.Schema:
        return vol.Schema(
            {vol.Required(CONF_SOURCE_DEVICE): DeviceSelector(DeviceSelectorConfig())}
        )

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A massager built from entities Home Assistant already has (a smart plug, ...)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = check_sources(user_input)
            if not errors and (offered := self._offer_device_timer(data)) is not None:
                # The plug has its own countdown: offered once, so the massage also ends while
                # Home Assistant is down. Submitting again without it is the user's choice.
                user_input = {**form_values(data), CONF_TIMER: offered}
                errors = {CONF_TIMER: "device_timer_found"}  # said at the field it filled
            elif not errors:
                name = str(data.pop(CONF_NAME)).strip() or "Massager"
                # Sources by registry id: a source renamed later is followed.
                data = sources_as_refs(self.hass, data)
                await self.async_set_unique_id(f"entities:{identity_source(data)}")
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=name, data={CONF_TRANSPORT: TRANSPORT_ENTITIES, **data}
                )
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(
                sources_schema(self.hass, with_name=True), user_input or form_values(self._proposal)
            ),
            errors=errors,
        )

    def _offer_device_timer(self, data: dict[str, Any]) -> str | None:
        """The power entity's device's own countdown, the first time the form is sent."""
        if self._timer_offered or CONF_TIMER in data or CONF_POWER not in data:
            return None
        self._timer_offered = True
        return device_timer_for(self.hass, data[CONF_POWER])

    # -- Tuya ------------------------------------------------------------------------------------

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
                if not self._tuya_entries:
                    errors[CONF_DEVICES_JSON] = "no_massager_in_file"
                elif len(self._tuya_entries) == 1:
                    self._tuya_entry = self._tuya_entries[0]
                    return await self.async_step_tuya_device()
                else:
                    return await self.async_step_tuya_pick()
        # The pasted text holds local keys: it is never shown back in the form.
        return self.async_show_form(step_id="tuya_paste", data_schema=paste_schema(), errors=errors)

    async def async_step_tuya_pick(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which massager of the file."""
        if user_input is not None:
            self._tuya_entry = self._tuya_entries[int(user_input[CONF_DEVICE])]
            return await self.async_step_tuya_device()
        return self.async_show_form(
            step_id="tuya_pick", data_schema=pick_schema(self._tuya_entries)
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
            except InvalidHostError:
                errors = form_errors("invalid_host", schema)
            else:
                category_map = map_for(entry.category, entry.product_id, entry.mapping)
                # A key typed here replaces the file's (pasted before the device was re-paired).
                local_key = str(user_input.get(CONF_LOCAL_KEY, "")).strip() or entry.local_key
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
            description_placeholders=_shown({"name": entry.name}),
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
            except InvalidHostError:
                errors = form_errors("invalid_host", manual_schema())
            else:
                found, error = await async_check(
                    connection_data(address, manual[CONF_DEVICE_ID], manual[CONF_LOCAL_KEY]),
                    manual[CONF_PROTOCOL_VERSION],
                    power=False,
                )
                if found is not None:
                    self._tuya_manual = {**manual, CONF_PROTOCOL_VERSION: found}
                    self._tuya_address = address
                    return await self.async_step_tuya_datapoints()
                errors = form_errors(error or "unknown", manual_schema())
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
                errors["base"] = "duplicate_datapoint"
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
            description_placeholders=_shown({"map": category_map.name}),
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
        found, error = await async_check(data, version)
        if found is not None:
            return self.async_create_entry(title=name, data={**data, CONF_PROTOCOL_VERSION: found})
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, shown_values(user_input)),
            errors=form_errors(error or "unknown", schema),
            description_placeholders=_shown(
                {"name": name, "map": shipped_maps()[data[CONF_DATAPOINT_MAP]].name}
            ),
        )

    async def async_step_tuya_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The local key changed (the device was paired again in its app): the new one."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_LOCAL_KEY: user_input[CONF_LOCAL_KEY].strip()}
            found, error = await async_check(data, AUTO_VERSION)
            if found is not None:
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_LOCAL_KEY: data[CONF_LOCAL_KEY],
                        CONF_PROTOCOL_VERSION: found,
                    },
                )
            errors["base"] = error or "unknown"
        return self.async_show_form(
            step_id="tuya_reauth",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_LOCAL_KEY): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            errors=errors,
            description_placeholders=_shown({"name": entry.title}),
        )

    async def async_step_miot(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A Xiaomi MIoT massager: name, address and token; the model is asked of the device."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host, port = address(user_input[CONF_HOST])
                found = await async_find(host, port, user_input[CONF_TOKEN])
                await self.async_set_unique_id(miot_unique_id(found.device_id))
                # A known device is not re-pointed from here: a new address goes through
                # reconfigure, which checks the entry's own token.
                self._abort_if_unique_id_configured()
                self._miot_found, self._miot_name = found, user_input[CONF_NAME].strip()
                try:
                    mapping = await async_published_map(self.hass, found.model)
                except MiotFlowError as err:
                    if err.key == "spec_not_massager":
                        raise
                    # Not on the spec server (or no internet): the user may paste the spec.
                    self._miot_spec_error = err.key
                    return await self.async_step_miot_spec()
                await async_check_power(found, mapping)
                return self._create_miot(found, mapping)
            except MiotFlowError as err:
                errors = errors_for(err, miot_schema())
        return self.async_show_form(
            step_id="miot",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_NAME): str}).extend(miot_schema().schema),
                {CONF_NAME: "Massager", **(user_input or {}), CONF_TOKEN: ""},
            ),
            errors=errors,
        )

    async def async_step_miot_spec(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The model's spec, pasted: for a model the spec server does not have, or offline."""
        found = self._miot_found
        assert found is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                mapping = pasted_map(found.model, user_input[CONF_SPEC])
                await async_check_power(found, mapping)
                return self._create_miot(found, mapping)
            except MiotFlowError as err:
                errors = errors_for(err, spec_schema())
        else:  # shown first because the spec server could not give the spec: say why
            errors["base"] = self._miot_spec_error
        return self.async_show_form(
            step_id="miot_spec",
            data_schema=spec_schema(),
            errors=errors,
            description_placeholders=_shown({"model": found.model}),
        )

    def _create_miot(self, found: FoundDevice, mapping: Any) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._miot_name or "Massager", data=miot_entry_data(found, mapping)
        )

    async def _miot_same_device(self, host: str, port: int, token: str) -> FoundDevice:
        """The device at host:port under token, which must be the entry's own device."""
        found = await async_find(host, port, token)
        await self.async_set_unique_id(miot_unique_id(found.device_id))
        self._abort_if_unique_id_mismatch(reason="wrong_device")
        return found

    async def async_step_miot_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The token changed (the device was paired again in Mi Home): the new one."""
        entry = self._get_reauth_entry()
        schema = vol.Schema({vol.Required(CONF_TOKEN): token_field()})
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                found = await self._miot_same_device(
                    entry.data[CONF_HOST], entry.data[CONF_PORT], user_input[CONF_TOKEN]
                )
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_TOKEN: found.token}
                )
            except MiotFlowError as err:
                errors = errors_for(err, schema)
        return self.async_show_form(
            step_id="miot_reauth",
            data_schema=schema,
            errors=errors,
            description_placeholders=_shown({"name": entry.title}),
        )

    async def async_step_miot_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A MIoT massager's new address; its token and id prove it is the same device."""
        entry = self._get_reconfigure_entry()
        schema = vol.Schema({vol.Required(CONF_HOST): str})
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host, port = address(user_input[CONF_HOST])
                await self._miot_same_device(host, port, entry.data[CONF_TOKEN])
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_HOST: host, CONF_PORT: port}
                )
            except MiotFlowError as err:
                # Another device there does not answer to this massager's token.
                key = "not_this_device" if err.key == "invalid_token" else err.key
                errors = errors_for(MiotFlowError(key, err.field), schema)
        return self.async_show_form(
            step_id="miot_reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or {CONF_HOST: miot_host_text(dict(entry.data))}
            ),
            errors=errors,
        )

    async def async_step_address(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Host and port of a reference-protocol device, tested before anything is stored."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not self._take_address(user_input):
                errors[CONF_HOST] = "invalid_host"
            elif (error := await self._identify()) is None:
                assert self._identity is not None
                await self.async_set_unique_id(self._identity.serial)
                self._abort_if_unique_id_configured()
                return await self.async_step_pair()
            else:
                errors["base"] = error
        return self.async_show_form(
            step_id="address",
            data_schema=self.add_suggested_values_to_schema(address_schema(), user_input),
            errors=errors,
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A massager announced itself; a known one at a new address is updated and reloaded."""
        serial = discovery_info.properties.get("serial")
        if not serial:
            return self.async_abort(reason="no_serial")
        self._host, self._port = discovery_info.host, discovery_info.port or DEFAULT_PORT
        await self.async_set_unique_id(serial)
        known = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, serial)
        moved = known is not None and (known.data.get(CONF_HOST), known.data.get(CONF_PORT)) != (
            self._host,
            self._port,
        )
        if (
            known is not None
            and moved
            and CONF_TOKEN in known.data
            and not await async_holds_token(
                self.hass, self._host, self._port, known.data[CONF_TOKEN], serial
            )
        ):
            # Anyone can announce a known serial: the token goes to a new address only after
            # the device there proves it holds it (docs/protocol.md, token challenge).
            LOGGER.warning(
                "A device announced %s's serial at %s but could not prove it holds its token;"
                " the address was not changed",
                known.title,
                self._host,
            )
            return self.async_abort(reason="unconfirmed_address")
        self._abort_if_unique_id_configured(updates={CONF_HOST: self._host, CONF_PORT: self._port})
        if error := await self._identify():
            return self.async_abort(reason=error)
        assert self._identity is not None
        self.context["title_placeholders"] = _shown({"name": self._identity.name})
        return await self.async_step_zeroconf_confirm()

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm adding the discovered massager."""
        assert self._identity is not None
        if user_input is not None:
            return await self.async_step_pair()
        return self.async_show_form(
            step_id="zeroconf_confirm",
            description_placeholders=_shown({"name": self._identity.name, "host": self._host}),
        )

    async def _pair(self) -> tuple[str | None, str | None]:
        """Pair and check the token; (token, None) or (None, error key)."""
        try:
            token = await async_pair(self.hass, self._host, self._port)
        except MassagerPairingNotEnabledError:
            return None, "pairing_not_enabled"
        except MassagerAuthenticationError:
            return None, "invalid_auth"
        except MassagerConnectionError:
            return None, "cannot_connect"
        except MassagerError:
            LOGGER.debug("Unexpected answer while pairing with %s", self._host, exc_info=True)
            return None, "unknown"
        return token, None

    async def async_step_pair(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the button press, then fetch the token."""
        assert self._identity is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            token, error = await self._pair()
            if token is not None:
                return self.async_create_entry(
                    title=self._identity.name,
                    data={
                        CONF_TRANSPORT: TRANSPORT_REFERENCE,
                        CONF_HOST: self._host,
                        CONF_PORT: self._port,
                        CONF_TOKEN: token,
                    },
                )
            errors["base"] = error or "unknown"
        return self.async_show_form(
            step_id="pair",
            errors=errors,
            description_placeholders=_shown({"name": self._identity.name}),
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The token (or a Tuya device's local key) was refused: pair again, or a new key."""
        if entry_data.get(CONF_TRANSPORT) == TRANSPORT_TUYA:
            return await self.async_step_tuya_reauth()
        if entry_data.get(CONF_TRANSPORT) == TRANSPORT_MIOT:
            return await self.async_step_miot_reauth()
        self._host, self._port = entry_data[CONF_HOST], entry_data[CONF_PORT]
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the button press, check it is the same massager, store the new token."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := await self._identify()) is None:
                assert self._identity is not None
                await self.async_set_unique_id(self._identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                token, error = await self._pair()
                if token is not None:
                    return self.async_update_reload_and_abort(
                        entry, data_updates={CONF_TOKEN: token}
                    )
            errors["base"] = error or "unknown"
        return self.async_show_form(
            step_id="reauth_confirm",
            errors=errors,
            description_placeholders=_shown({"name": entry.title}),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new address for the same massager (a different one is refused)."""
        entry = self._get_reconfigure_entry()
        if entry.data.get(CONF_TRANSPORT) == TRANSPORT_TUYA:
            return await self.async_step_tuya_reconfigure(user_input)
        if entry.data.get(CONF_TRANSPORT) == TRANSPORT_MIOT:
            return await self.async_step_miot_reconfigure(user_input)
        errors: dict[str, str] = {}
        if user_input is not None:
            if not self._take_address(user_input):
                errors[CONF_HOST] = "invalid_host"
            elif (error := await self._identify()) is None:
                assert self._identity is not None
                await self.async_set_unique_id(self._identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_HOST: self._host, CONF_PORT: self._port}
                )
            else:
                errors["base"] = error
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                address_schema(), user_input or dict(entry.data)
            ),
            errors=errors,
        )

    async def async_step_tuya_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Tuya massager's new address; the key proves it is the same device."""
        entry = self._get_reconfigure_entry()
        schema = vol.Schema({vol.Required(CONF_HOST): str})
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                # Only the host changed, unless a port is typed with it.
                host, port = tuya_address(user_input[CONF_HOST], entry.data[CONF_PORT])
            except InvalidHostError:
                errors[CONF_HOST] = "invalid_host"
            else:
                data = {**entry.data, CONF_HOST: host, CONF_PORT: port}
                found, error = await async_check(data, AUTO_VERSION)
                if found is not None:
                    return self.async_update_reload_and_abort(
                        entry,
                        data_updates={
                            CONF_HOST: host,
                            CONF_PORT: port,
                            CONF_PROTOCOL_VERSION: found,
                        },
                    )
                errors["base"] = error or "unknown"
        return self.async_show_form(
            step_id="tuya_reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or {CONF_HOST: tuya_host_text(dict(entry.data))}
            ),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: MassagerConfigEntry) -> MassagerOptionsFlow:
        """Options: session defaults and voice sentences."""
        return MassagerOptionsFlow()


class MassagerOptionsFlow(OptionsFlowWithReload):
    """Default session length and intensity; whether to install voice sentences."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Session defaults; a massager built from entities can also change its entities."""
        if self.config_entry.data.get(CONF_TRANSPORT) == TRANSPORT_ENTITIES:
            return self.async_show_menu(step_id="init", menu_options=["defaults", "sources"])
        return await self.async_step_defaults(user_input)

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The entities the massager is built from, and its session lengths."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = check_sources(user_input)
            if not errors:
                # Options layer over the entry's data (transport.py merges them).
                return self.async_create_entry(
                    data={**entry.options, **sources_as_refs(self.hass, data)}
                )
        current = sources_as_entity_ids(self.hass, {**entry.data, **entry.options})
        return self.async_show_form(
            step_id="sources",
            data_schema=self.add_suggested_values_to_schema(
                sources_schema(self.hass, with_name=False), user_input or form_values(current)
            ),
            errors=errors,
        )

    async def async_step_defaults(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form; ranges and steps from the device when it is loaded."""
        entry: MassagerConfigEntry = self.config_entry
        minutes, intensity = _FALLBACK_MINUTES, _FALLBACK_INTENSITY
        minutes_default = 15
        if (runtime := getattr(entry, "runtime_data", None)) is not None:
            caps = runtime.info.capabilities
            minutes, intensity = caps.session_minutes, caps.intensity
            minutes_default = caps.default_minutes
        levels = {CONF_DEFAULT_MINUTES: minutes}
        if intensity is not None:  # a massager without levels has no default intensity
            levels[CONF_DEFAULT_INTENSITY] = intensity
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(user_input)
            for key, allowed in levels.items():
                # The selector's min and max are checked before this step runs; its step is a
                # hint to the frontend only, so 15.5 minutes or level 4 of 1-3-5 arrive here.
                value = user_input[key]
                if not float(value).is_integer():
                    errors[key] = "not_whole_number"
                elif (level := int(value)) not in allowed:
                    errors[key] = "not_a_level"
                else:
                    data[key] = level
            if not errors:
                return self.async_create_entry(data={**entry.options, **data})
        options = entry.options
        fields: dict[Any, Any] = {
            vol.Required(
                CONF_DEFAULT_MINUTES, default=options.get(CONF_DEFAULT_MINUTES, minutes_default)
            ): NumberSelector(
                NumberSelectorConfig(
                    min=minutes.minimum,
                    max=minutes.maximum,
                    step=minutes.step,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="min",
                )
            )
        }
        if intensity is not None:
            level_default = intensity.clamp((intensity.minimum + intensity.maximum) // 2)
            fields[
                vol.Required(
                    CONF_DEFAULT_INTENSITY,
                    default=options.get(CONF_DEFAULT_INTENSITY, level_default),
                )
            ] = NumberSelector(
                NumberSelectorConfig(
                    min=intensity.minimum,
                    max=intensity.maximum,
                    step=intensity.step,
                    mode=NumberSelectorMode.SLIDER,
                )
            )
        fields[
            vol.Required(CONF_INSTALL_SENTENCES, default=options.get(CONF_INSTALL_SENTENCES, True))
        ] = BooleanSelector()
        return self.async_show_form(
            step_id="defaults"
            if self.config_entry.data.get(CONF_TRANSPORT) == TRANSPORT_ENTITIES
            else "init",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), user_input),
            errors=errors,
        )
