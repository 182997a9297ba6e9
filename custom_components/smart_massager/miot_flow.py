"""The Xiaomi MIoT part of the config flow: forms, and checking a device before anything is stored.

The user gives the address and the device's token. The device names its model (`miIO.info`);
the model's published spec comes from Xiaomi's spec server (or is pasted, for a model the server
does not have or a Home Assistant without internet); the massage roles are found in it. The
device must then answer a read of the property that starts the massage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import probatio as vol
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType

from pysmartmassager import MassagerAuthenticationError, MassagerConnectionError, MassagerError
from pysmartmassager.miot import (
    DEFAULT_PORT,
    SPEC_SERVER,
    MiotMap,
    MiotSilentError,
    MiotSpecError,
    MiotSpecMissingError,
    fetch_spec,
    massager_map,
    parse_token,
    strict_json,
)

from .const import CONF_DEVICE_ID, CONF_MIOT_MAP, CONF_MODEL, CONF_TOKEN, CONF_TRANSPORT, LOGGER
from .host_input import InvalidHostError, host_and_port, host_text
from .transport import TRANSPORT_MIOT, async_identify_miot, async_read_miot

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


class MiotFlowError(Exception):
    """A check failed; `key` is the translated error, `field` the form field it belongs to."""

    def __init__(self, key: str, field: str = "base") -> None:
        super().__init__(key)
        self.key = key
        self.field = field


def errors_for(err: MiotFlowError, schema: vol.Schema) -> dict[str, str]:
    """The error on its field if the form has that field, else on the form as a whole."""
    fields = {str(key) for key in schema.schema}
    return {err.field if err.field in fields else "base": err.key}


def address(text: str) -> tuple[str, int]:
    """Host and port from the host field ("192.168.1.20", or "host:port" for emulators)."""
    try:
        return host_and_port(text, DEFAULT_PORT)
    except InvalidHostError as err:
        raise MiotFlowError("invalid_host", CONF_HOST) from err


async def async_find(host: str, port: int, token: str) -> FoundDevice:
    """Ask the device who it is, under the token; MiotFlowError says what is wrong."""
    token = token.strip().lower()
    try:
        parse_token(token)
    except ValueError as err:
        raise MiotFlowError("invalid_token_format", CONF_TOKEN) from err
    try:
        info, device_id = await async_identify_miot(host, port, token)
    except (MiotSilentError, MassagerAuthenticationError) as err:
        # It answered hello, so it is there: it does not understand requests under this token.
        raise MiotFlowError("invalid_token", CONF_TOKEN) from err
    except MassagerConnectionError as err:
        raise MiotFlowError("cannot_connect", CONF_HOST) from err
    except MassagerError as err:
        LOGGER.debug("Unexpected answer from a MIoT device at %s", host, exc_info=True)
        raise MiotFlowError("unknown") from err
    return FoundDevice(host, port, token, device_id, info.model, info.firmware)


async def async_published_map(hass: HomeAssistant, model: str) -> MiotMap:
    """The massage roles from the model's published spec; MiotFlowError if there is none."""
    try:
        spec = await fetch_spec(async_get_clientsession(hass), model, server=SPEC_SERVER_URL)
    except MiotSpecMissingError as err:
        raise MiotFlowError("spec_not_published") from err
    except MiotSpecError as err:
        raise MiotFlowError("spec_unreachable") from err
    return roles_of(model, spec)


def pasted_map(model: str, text: str) -> MiotMap:
    """The massage roles from a pasted spec."""
    if len(text) > MAX_PASTED_SPEC:
        raise MiotFlowError("invalid_spec", CONF_SPEC)
    try:
        spec = strict_json(text)
    except (ValueError, RecursionError) as err:
        raise MiotFlowError("invalid_spec", CONF_SPEC) from err
    return roles_of(model, spec, CONF_SPEC)


def roles_of(model: str, spec: Any, form_field: str = "base") -> MiotMap:
    """The roles, or MiotFlowError("spec_not_massager") when nothing in the spec runs a massage."""
    try:
        return massager_map(model, spec)
    except MiotSpecError as err:
        raise MiotFlowError("spec_not_massager", form_field) from err


async def async_check_power(found: FoundDevice, mapping: MiotMap) -> None:
    """The device must answer a read of its on/off: the map fits this device."""
    power = mapping.role("power")
    assert power is not None  # noqa: S101  # a MiotMap always has power
    try:
        read = await async_read_miot(found.host, found.port, found.token, [power.key])
    except MassagerError as err:
        raise MiotFlowError("power_unreadable") from err
    if read.get(power.key, (-1, None))[0] != 0:
        raise MiotFlowError("power_unreadable")


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


def miot_host_text(data: dict[str, Any]) -> str:
    """The host field for an entry: with its port when that is not miio's."""
    return host_text(data[CONF_HOST], data[CONF_PORT], DEFAULT_PORT)


def miot_unique_id(device_id: int) -> str:
    """One entry per device: its miio device id."""
    return f"miot:{device_id}"
