"""The reference protocol's side of the integration: its builder and its config-flow steps.

A device is found by its typed address or by zeroconf, then paired with its button; reauth pairs
again; reconfigure moves it to a new address. The device proves who it is by its serial, and a
known serial announced at a new address must prove it holds the entry's token
(docs/protocol.md, token challenge).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from pysmartmassager import (
    Massager,
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerPairingNotEnabledError,
)
from pysmartmassager.reference import DEFAULT_PORT, DeviceIdentity, SmartMassagerClient

from .const import CONF_TOKEN, CONF_TRANSPORT, DOMAIN, LOGGER, TRANSPORT_REFERENCE
from .flow_base import FamilyFlow, FlowError, errors_for, shown
from .host_input import InvalidHostError, parse_host

# What pairing says, most specific first.
_PAIR_ERRORS: tuple[tuple[type[MassagerError], str], ...] = (
    (MassagerPairingNotEnabledError, "pairing_not_enabled"),
    (MassagerAuthenticationError, "invalid_auth"),
    (MassagerConnectionError, "cannot_connect"),
)


def reference_client(
    hass: HomeAssistant, host: str, port: int, token: str | None = None
) -> SmartMassagerClient:
    """A client for the reference protocol (docs/protocol.md) on Home Assistant's session."""
    return SmartMassagerClient(host, port=port, token=token, session=async_get_clientsession(hass))


def build(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager."""
    return reference_client(
        hass, entry.data[CONF_HOST], entry.data[CONF_PORT], entry.data[CONF_TOKEN]
    )


def device_page(data: Mapping[str, Any]) -> str:
    """The device's own page (where it is paired)."""
    return f"http://{data[CONF_HOST]}:{data[CONF_PORT]}/api/v1/pair"


def address_schema(host: str | None = None, port: int = DEFAULT_PORT) -> vol.Schema:
    """Host and port, prefilled when known."""
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=host or vol.UNDEFINED): str,
            vol.Required(CONF_PORT, default=port): vol.All(int, vol.Range(min=1, max=65535)),
        }
    )


def _address(user_input: dict[str, Any]) -> tuple[str, int]:
    """Host and port from the form, normalised.

    A port typed into the host field ("host:8765") wins over the port field, which most people
    leave at its default.
    """
    try:
        address = parse_host(user_input[CONF_HOST])
    except InvalidHostError as err:
        raise FlowError("invalid_host", CONF_HOST) from err
    return address.host, address.port or user_input[CONF_PORT]


async def _async_holds_token(
    hass: HomeAssistant, host: str, port: int, token: str, serial: str
) -> bool:
    """Whether the reference device at an address holds `token` (without sending it there)."""
    try:
        return await reference_client(hass, host, port, token).holds_token(serial)
    except MassagerError:
        return False


class ReferenceFlow(FamilyFlow):
    """The reference protocol's steps of the integration's config flow."""

    def __init__(self) -> None:
        super().__init__()
        self._host = ""
        self._port = DEFAULT_PORT
        self._identity: DeviceIdentity | None = None

    async def _identify(self) -> DeviceIdentity:
        """Who answers at the address; FlowError when nobody (or nothing sensible) does."""
        try:
            self._identity = await reference_client(self.hass, self._host, self._port).identify()
        except MassagerConnectionError as err:
            raise FlowError("cannot_connect") from err
        except MassagerError as err:
            LOGGER.debug("Unexpected answer while identifying %s", self._host, exc_info=True)
            raise FlowError("unknown") from err
        return self._identity

    async def _pair(self) -> str:
        """Pair with the device and check the token; FlowError says why not."""
        client = reference_client(self.hass, self._host, self._port)
        try:
            token = await client.pair()
            await client.get_info()
        except MassagerError as err:
            key = next((key for kind, key in _PAIR_ERRORS if isinstance(err, kind)), "unknown")
            if key == "unknown":
                LOGGER.debug("Unexpected answer while pairing with %s", self._host, exc_info=True)
            raise FlowError(key) from err
        return token

    async def _async_address_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        suggested: Mapping[str, Any] | None,
        found: Callable[[], Awaitable[ConfigFlowResult]],
    ) -> ConfigFlowResult:
        """The address form: the device there identified, its serial the flow's unique id."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._host, self._port = _address(user_input)
                identity = await self._identify()
            except FlowError as err:
                errors = errors_for(err, address_schema())
            else:
                await self.async_set_unique_id(identity.serial)
                return await found()
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                address_schema(), user_input or suggested
            ),
            errors=errors,
        )

    async def async_step_address(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Host and port of a reference-protocol device, tested before anything is stored."""

        async def found() -> ConfigFlowResult:
            self._abort_if_unique_id_configured()
            return await self.async_step_pair()

        return await self._async_address_step("address", user_input, None, found)

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
            and not await _async_holds_token(
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
        try:
            identity = await self._identify()
        except FlowError as err:
            return self.async_abort(reason=err.key)
        self.context["title_placeholders"] = shown({"name": identity.name})
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
            description_placeholders=shown({"name": self._identity.name, "host": self._host}),
        )

    async def async_step_pair(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the button press, then fetch the token."""
        assert self._identity is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                token = await self._pair()
            except FlowError as err:
                errors = errors_for(err)
            else:
                return self.async_create_entry(
                    title=self._identity.name,
                    data={
                        CONF_TRANSPORT: TRANSPORT_REFERENCE,
                        CONF_HOST: self._host,
                        CONF_PORT: self._port,
                        CONF_TOKEN: token,
                    },
                )
        return self.async_show_form(
            step_id="pair",
            errors=errors,
            description_placeholders=shown({"name": self._identity.name}),
        )

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the button press, check it is the same massager, store the new token."""
        entry = self._get_reauth_entry()
        self._host, self._port = entry.data[CONF_HOST], entry.data[CONF_PORT]
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                identity = await self._identify()
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                token = await self._pair()
            except FlowError as err:
                errors = errors_for(err)
            else:
                return self.async_update_reload_and_abort(entry, data_updates={CONF_TOKEN: token})
        return self.async_show_form(
            step_id="reauth_confirm",
            errors=errors,
            description_placeholders=shown({"name": entry.title}),
        )

    async def async_step_reference_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new address for the same massager (a different one is refused).

        Its form keeps Home Assistant's own step id, `reconfigure` (and so its translations):
        sent, it comes back here through the config flow's `async_step_reconfigure`.
        """
        entry = self._get_reconfigure_entry()

        async def found() -> ConfigFlowResult:
            self._abort_if_unique_id_mismatch(reason="wrong_device")
            return self.async_update_reload_and_abort(
                entry, data_updates={CONF_HOST: self._host, CONF_PORT: self._port}
            )

        return await self._async_address_step("reconfigure", user_input, entry.data, found)
