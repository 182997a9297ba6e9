"""Xiaomi MIoT's side of the integration: its builder, its config-flow steps, forms and checks.

The user gives the address and the device's token. The device names its model (`miIO.info`);
the model's published spec comes from Xiaomi's spec server (or is pasted, for a model the server
does not have or a Home Assistant without internet); the massage roles are found in it. The
device must then answer a read of the property that starts the massage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from pysmartmassager import (
    Massager,
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
)
from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_markup
from pysmartmassager.miot import (
    DEFAULT_PORT,
    SPEC_SERVER,
    MiotConnection,
    MiotDevice,
    MiotInfo,
    MiotMap,
    MiotMassager,
    MiotSilentError,
    MiotSpecError,
    MiotSpecMissingError,
    fetch_spec,
    massager_map,
    parse_token,
    strict_json,
)
from pysmartmassager.miot.spec import ROLE_NAMES, MiotProperty, map_with_roles, offered_roles

from .const import (
    CONF_DEVICE_ID,
    CONF_MIOT_MAP,
    CONF_MODEL,
    CONF_TOKEN,
    CONF_TRANSPORT,
    LOGGER,
    TRANSPORT_MIOT,
)
from .credentials import credential_doubts
from .flow_base import BASE, FamilyFlow, FlowError, RolesOptions, errors_for, shown
from .host_input import InvalidHostError, host_and_port, host_text

CONF_SPEC = "spec"
MAX_PASTED_SPEC = 1024 * 1024
# Where the published specs are read (tests point it at a server on loopback).
SPEC_SERVER_URL = SPEC_SERVER


def token_field() -> TextSelector:
    """A token is a secret: typed into a password field."""
    return TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def miot_schema() -> vol.Schema:
    """Address and token."""
    return vol.Schema({vol.Required(CONF_HOST): str, vol.Required(CONF_TOKEN): token_field()})


def spec_schema() -> vol.Schema:
    """The model's instance spec, pasted."""
    return vol.Schema({vol.Required(CONF_SPEC): TextSelector(TextSelectorConfig(multiline=True))})


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A device that answered under the token: where it is, who it is, what it runs."""

    host: str
    port: int
    token: str = field(repr=False)  # a secret
    device_id: int = field(repr=False)  # names the device in Xiaomi's cloud
    model: str = ""
    firmware: str = ""


async def async_identify_miot(host: str, port: int, token: str) -> tuple[MiotInfo, int]:
    """Who answers at a miio address under `token`: its info and device id."""
    connection = MiotConnection(host, token, port=port)
    try:
        return await connection.info(), connection.device_id
    finally:
        await connection.close()


async def async_read_miot(
    host: str, port: int, token: str, keys: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[int, Any]]:
    """(code, value) of MIoT properties at a miio address."""
    connection = MiotConnection(host, token, port=port)
    try:
        return await connection.get_properties(keys)
    finally:
        await connection.close()


def address(text: str) -> tuple[str, int]:
    """Host and port from the host field ("192.168.1.20", or "host:port" for emulators)."""
    try:
        return host_and_port(text, DEFAULT_PORT)
    except InvalidHostError as err:
        raise FlowError("invalid_host", CONF_HOST) from err


async def async_find(host: str, port: int, token: str) -> FoundDevice:
    """Ask the device who it is, under the token; FlowError says what is wrong."""
    token = token.strip().lower()
    try:
        parse_token(token)
    except ValueError as err:
        raise FlowError("invalid_token_format", CONF_TOKEN) from err
    try:
        info, device_id = await async_identify_miot(host, port, token)
    except (MiotSilentError, MassagerAuthenticationError) as err:
        # It answered hello, so it is there: it does not understand requests under this token.
        raise FlowError("invalid_token", CONF_TOKEN) from err
    except MassagerConnectionError as err:
        raise FlowError("cannot_connect", CONF_HOST) from err
    except MassagerError as err:
        LOGGER.debug("Unexpected answer from a MIoT device at %s", host, exc_info=True)
        raise FlowError("unknown") from err
    return FoundDevice(host, port, token, device_id, info.model, info.firmware)


async def async_published_map(hass: HomeAssistant, model: str) -> MiotMap:
    """The massage roles from the model's published spec; FlowError if there is none."""
    try:
        spec = await fetch_spec(async_get_clientsession(hass), model, server=SPEC_SERVER_URL)
    except MiotSpecMissingError as err:
        raise FlowError("spec_not_published") from err
    except MiotSpecError as err:
        raise FlowError("spec_unreachable") from err
    return roles_of(model, spec)


def pasted_spec(text: str) -> Any:
    """A pasted spec as JSON (bounded: it is the user's paste, read strictly)."""
    if len(text) > MAX_PASTED_SPEC:
        raise FlowError("invalid_spec", CONF_SPEC)
    try:
        return strict_json(text)
    except (ValueError, RecursionError) as err:
        raise FlowError("invalid_spec", CONF_SPEC) from err


async def async_paste_spec_step(
    flow: FamilyFlow | RolesOptions,
    step_id: str,
    user_input: dict[str, Any] | None,
    *,
    model: str,
    first_error: str,
    accept: Callable[[Any, MiotMap], Awaitable[ConfigFlowResult]],
) -> ConfigFlowResult:
    """The form for a model's pasted spec, shown first with why the spec server gave none.

    A paste that is no JSON, or no massager's spec, is refused at its field; `accept` takes the
    spec and its roles (and may refuse too, with a FlowError).
    """
    errors: dict[str, str] = {}
    if user_input is not None:
        try:
            spec = pasted_spec(user_input[CONF_SPEC])
            return await accept(spec, roles_of(model, spec, CONF_SPEC))
        except FlowError as err:
            errors = errors_for(err, spec_schema())
    else:
        errors[BASE] = first_error
    return flow.async_show_form(
        step_id=step_id,
        data_schema=spec_schema(),
        errors=errors,
        description_placeholders=shown({"model": model}),
    )


def roles_of(model: str, spec: Any, form_field: str = BASE) -> MiotMap:
    """The roles, or FlowError("spec_not_massager") when nothing in the spec runs a massage."""
    try:
        return massager_map(model, spec)
    except MiotSpecError as err:
        raise FlowError("spec_not_massager", form_field) from err


async def async_check_power(found: FoundDevice, mapping: MiotMap) -> None:
    """The device must answer a read of its on/off: the map fits this device."""
    power = mapping.role("power")
    assert power is not None  # a MiotMap always has power
    try:
        read = await async_read_miot(found.host, found.port, found.token, [power.key])
    except MassagerError as err:
        raise FlowError("power_unreadable") from err
    if read.get(power.key, (-1, None))[0] != 0:
        raise FlowError("power_unreadable")


def miot_entry_data(found: FoundDevice, mapping: MiotMap) -> dict[str, Any]:
    """A MIoT config entry's data (the token is redacted in diagnostics, never in a title)."""
    return {
        CONF_TRANSPORT: TRANSPORT_MIOT,
        CONF_HOST: found.host,
        CONF_PORT: found.port,
        CONF_TOKEN: found.token,
        CONF_DEVICE_ID: found.device_id,
        CONF_MODEL: found.model,
        CONF_MIOT_MAP: mapping.as_data(),
    }


def device_shape(data: Mapping[str, Any]) -> dict[str, Any]:
    """The model, its spec type and the properties the entry uses, with formats and ranges."""
    stored = data.get(CONF_MIOT_MAP)
    if not isinstance(stored, dict) or not isinstance(stored.get("roles"), dict):
        return {"error": "the entry holds no readable MIoT map"}
    return {
        "model": stored.get("model"),
        "urn": stored.get("urn"),
        "properties": [
            {"role": role, **prop}
            for role, prop in sorted(stored["roles"].items())
            if isinstance(prop, dict)
        ]
        + [  # airbag switches used as zones (a massage service without massage-part)
            {"role": "zone (airbag)", **prop}
            for prop in stored.get("airbags") or []
            if isinstance(prop, dict)
        ],
    }


def miot_host_text(data: dict[str, Any]) -> str:
    """The host field for an entry: with its port when that is not miio's."""
    return host_text(data[CONF_HOST], data[CONF_PORT], DEFAULT_PORT)


def miot_unique_id(device_id: int) -> str:
    """One entry per device: its miio device id."""
    return f"miot:{device_id}"


def build(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager."""
    return MiotMassager(
        MiotDevice(
            host=entry.data[CONF_HOST],
            port=entry.data[CONF_PORT],
            token=entry.data[CONF_TOKEN],
            device_id=entry.data[CONF_DEVICE_ID],
            mapping=MiotMap.from_data(entry.data[CONF_MIOT_MAP]),
            name=entry.title,
        ),
        doubts=credential_doubts(hass, TRANSPORT_MIOT),
    )


class MiotFlow(FamilyFlow):
    """Xiaomi MIoT's steps of the integration's config flow."""

    def __init__(self) -> None:
        super().__init__()
        self._miot_found: FoundDevice | None = None
        self._miot_name = ""
        self._miot_spec_error = ""

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
                except FlowError as err:
                    if err.key == "spec_not_massager":
                        raise
                    # Not on the spec server (or no internet): the user may paste the spec.
                    self._miot_spec_error = err.key
                    return await self.async_step_miot_spec()
                await async_check_power(found, mapping)
                return self._create_miot(found, mapping)
            except FlowError as err:
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

        async def accept(_spec: Any, mapping: MiotMap) -> ConfigFlowResult:
            await async_check_power(found, mapping)
            return self._create_miot(found, mapping)

        return await async_paste_spec_step(
            self,
            "miot_spec",
            user_input,
            model=found.model,
            first_error=self._miot_spec_error,
            accept=accept,
        )

    def _create_miot(self, found: FoundDevice, mapping: MiotMap) -> ConfigFlowResult:
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

        async def updates_for(user_input: dict[str, Any]) -> dict[str, Any]:
            found = await self._miot_same_device(
                entry.data[CONF_HOST], entry.data[CONF_PORT], user_input[CONF_TOKEN]
            )
            return {CONF_TOKEN: found.token}

        schema = vol.Schema({vol.Required(CONF_TOKEN): token_field()})
        return await self._async_renew("miot_reauth", user_input, schema, updates_for)

    async def async_step_miot_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A MIoT massager's new address; its token and id prove it is the same device."""
        entry = self._get_reconfigure_entry()

        async def updates_for(text: str) -> dict[str, Any]:
            host, port = address(text)
            try:
                await self._miot_same_device(host, port, entry.data[CONF_TOKEN])
            except FlowError as err:
                if err.key != "invalid_token":
                    raise
                # Another device there does not answer to this massager's token.
                raise FlowError("not_this_device", err.field) from err
            return {CONF_HOST: host, CONF_PORT: port}

        current = miot_host_text(dict(entry.data))
        return await self._async_new_host("miot_reconfigure", user_input, current, updates_for)


NO_ROLE = "none"


def _key_text(prop: MiotProperty) -> str:
    return f"{prop.siid}.{prop.piid}"


def _property_label(prop: MiotProperty) -> str:
    """A property as the role form shows it: where it is, its name, format and values."""
    if prop.choices:
        detail = ", ".join(description or str(value) for value, description in prop.choices[:4])
    elif prop.value_range is not None:
        low, high, _ = prop.value_range
        detail = f"{low:g}..{high:g} {prop.unit}".rstrip()
    else:
        detail = prop.format
    # Names, descriptions and units come from the spec (untrusted): cleaned for the form.
    return clean_markup(f"{_key_text(prop)} {prop.name} ({detail})", MAX_MESSAGE_LENGTH)


def roles_schema(offered: Mapping[str, list[MiotProperty]]) -> vol.Schema:
    """A select per role of the properties that can play it (power is required)."""
    fields: dict[Any, Any] = {}
    for role in ROLE_NAMES:
        options = [
            SelectOptionDict(value=_key_text(prop), label=_property_label(prop))
            for prop in offered.get(role, [])
        ]
        if role == "power":
            fields[vol.Required(role)] = SelectSelector(SelectSelectorConfig(options=options))
        elif options:
            none = SelectOptionDict(value=NO_ROLE, label="-")
            config = SelectSelectorConfig(
                options=[none, *options], mode=SelectSelectorMode.DROPDOWN
            )
            fields[vol.Optional(role, default=NO_ROLE)] = SelectSelector(config)
    return vol.Schema(fields)


def chosen_keys(user_input: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """The role form's answers as (siid, piid) per role; FlowError on a property used twice."""
    chosen: dict[str, tuple[int, int]] = {}
    for role in ROLE_NAMES:
        value = user_input.get(role)
        if not isinstance(value, str) or value == NO_ROLE:
            continue
        siid, _, piid = value.partition(".")
        key = (int(siid), int(piid))  # the selector allowed only the offered "siid.piid"
        if key in chosen.values() and role not in ("status", "fault"):
            raise FlowError("datapoint_twice", role)
        chosen[role] = key
    return chosen


class MiotOptions(RolesOptions):
    """MIoT's options step: which property of the model's spec plays which role."""

    # The spec the roles are chosen from: the published one, or pasted in this flow.
    _miot_spec: Any = None
    _miot_spec_error = "spec_not_published"

    async def async_step_miot_roles(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Every fitting property of the spec per role, vendor services too."""
        entry = self.config_entry
        model = entry.data[CONF_MODEL]
        try:
            current = MiotMap.from_data(entry.data[CONF_MIOT_MAP])
        except MiotSpecError, KeyError, TypeError, ValueError:
            return self.async_abort(reason="invalid_entry_data")
        if self._miot_spec is None:
            try:
                session = async_get_clientsession(self.hass)
                self._miot_spec = await fetch_spec(session, model, server=SPEC_SERVER_URL)
            except MiotSpecMissingError:
                # A model added with a pasted spec: pasted again, as when it was added.
                return await self.async_step_miot_roles_spec()
            except MiotSpecError:
                self._miot_spec_error = "spec_unreachable"
                return await self.async_step_miot_roles_spec()
        spec = self._miot_spec
        try:
            offered = offered_roles(spec)
        except MiotSpecError:
            return self.async_abort(reason="spec_not_massager")

        async def save(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            try:
                mapping = map_with_roles(model, spec, chosen_keys(answer))
            except MiotSpecError as err:
                raise FlowError("spec_not_massager") from err
            data = entry.data
            found = FoundDevice(
                data[CONF_HOST], data[CONF_PORT], data[CONF_TOKEN], data[CONF_DEVICE_ID], model, ""
            )
            await async_check_power(found, mapping)
            return {**data, CONF_MIOT_MAP: mapping.as_data()}, dict(entry.options)

        return await self._roles_step(
            "miot_roles",
            user_input,
            schema=roles_schema(offered),
            current={role: _key_text(prop) for role, prop in current.roles.items()},
            placeholders={"name": entry.title, "model": model},
            save=save,
        )

    async def async_step_miot_roles_spec(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The spec pasted, for a model the spec server does not have (or while it is down)."""

        async def accept(spec: Any, mapping: MiotMap) -> ConfigFlowResult:
            stored = MiotMap.from_data(self.config_entry.data[CONF_MIOT_MAP])
            if mapping.urn != stored.urn:
                # Another model's or revision's spec puts the properties elsewhere: a role
                # chosen from it would write to the wrong one.
                raise FlowError("spec_other_model", CONF_SPEC)
            self._miot_spec = spec
            return await self.async_step_miot_roles()

        return await async_paste_spec_step(
            self,
            "miot_roles_spec",
            user_input,
            model=self.config_entry.data[CONF_MODEL],
            first_error=self._miot_spec_error,
            accept=accept,
        )
