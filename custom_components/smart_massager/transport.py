"""The registry: one row per family of massagers, and the only place that lists them.

Everything else in the integration is written against `pysmartmassager.Massager` and the neutral
models, and reads what differs between families from this table: how an entry's massager is
built, which steps of the config flow add, re-authenticate and reconfigure one, what its options
add, what diagnostics redact, where the device's own page is. A family's code lives in its own
modules (the library's subpackage, the component's `<id>_flow.py`); adding one is a new row here
(docs/adding-a-transport.md). A test checks the rows against the flow and the import rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant

from pysmartmassager import Massager

from . import entities_flow, miot_flow, reference_flow, tuya_flow
from .const import (
    CONF_DEVICE_ID,
    CONF_LOCAL_KEY,
    CONF_TOKEN,
    CONF_TRANSPORT,
    TRANSPORT_ENTITIES,
    TRANSPORT_MIOT,
    TRANSPORT_REFERENCE,
    TRANSPORT_TUYA,
)

type MassagerBuilder = Callable[[HomeAssistant, ConfigEntry], Massager]


@dataclass(frozen=True, slots=True, kw_only=True)
class Transport:
    """One family of massagers, as the integration sees it."""

    id: str
    build: MassagerBuilder
    """The entry's massager (may raise on stored data it cannot read)."""
    flow: type[ConfigFlow]
    """The mixin with this family's config-flow steps (the config flow is made of them all)."""
    add_steps: tuple[str, ...]
    """The steps of the add menu that add one, in the menu's order."""
    reauth_step: str | None = None
    """Where reauth goes when the device refuses its credentials; None: it cannot be asked."""
    reconfigure_step: str | None = None
    """Where Reconfigure goes; None: nothing of the entry is reconfigured (its options are)."""
    options_steps: tuple[str, ...] = ()
    """Options steps beside the session defaults (steps of the options flow)."""
    secrets: frozenset[str] = frozenset()
    """Entry data that diagnostics, logs and messages never show."""
    device_page: Callable[[Mapping[str, Any]], str] | None = None
    """The device's own web page, from the entry's data."""
    load_data: Callable[[], object] | None = None
    """Reads the family's data files once, off the event loop, when the integration sets up."""
    on_remove: Callable[[HomeAssistant, ConfigEntry], None] | None = None
    """Undoes what the entry did outside itself, when it is removed."""
    device_shape: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    """The device's datapoints or properties with their types and ranges, from the entry's data,
    for diagnostics: what an owner pastes into an issue about a device nobody has mapped yet."""


# In the order of the add menu: from a device and from entities first (where most users start).
TRANSPORTS: dict[str, Transport] = {
    row.id: row
    for row in (
        Transport(
            id=TRANSPORT_ENTITIES,
            build=entities_flow.build,
            flow=entities_flow.EntitiesFlow,
            add_steps=("device", "entities"),
            options_steps=("sources",),
            on_remove=entities_flow.on_remove,
        ),
        Transport(
            id=TRANSPORT_TUYA,
            build=tuya_flow.build,
            flow=tuya_flow.TuyaFlow,
            add_steps=("tuya",),
            reauth_step="tuya_reauth",
            reconfigure_step="tuya_reconfigure",
            # A local key opens the device to anyone on the network; the id names it in the cloud.
            secrets=frozenset({CONF_LOCAL_KEY, CONF_DEVICE_ID}),
            options_steps=("tuya_roles",),
            load_data=tuya_flow.load_data,
            device_shape=tuya_flow.device_shape,
        ),
        Transport(
            id=TRANSPORT_MIOT,
            build=miot_flow.build,
            flow=miot_flow.MiotFlow,
            add_steps=("miot",),
            reauth_step="miot_reauth",
            reconfigure_step="miot_reconfigure",
            options_steps=("miot_roles",),
            secrets=frozenset({CONF_TOKEN, CONF_DEVICE_ID}),
            device_shape=miot_flow.device_shape,
        ),
        Transport(
            id=TRANSPORT_REFERENCE,
            build=reference_flow.build,
            flow=reference_flow.ReferenceFlow,
            add_steps=("address",),
            reauth_step="reauth_confirm",
            reconfigure_step="reference_reconfigure",
            secrets=frozenset({CONF_TOKEN}),
            device_page=reference_flow.device_page,
        ),
    )
}


def transport_of(data: Mapping[str, Any]) -> Transport | None:
    """The row of an entry, by its data; None for a transport this version does not know.

    An entry stored before entries named their transport is a reference device (the 1.2
    migration says so too).
    """
    return TRANSPORTS.get(data.get(CONF_TRANSPORT, TRANSPORT_REFERENCE))


async def async_load_transport_data(hass: HomeAssistant) -> None:
    """Read the families' data files once, off the event loop (the shipped Tuya maps).

    Building a massager later finds them in the cache; read on the loop, each file was a
    "Detected blocking call" at start-up.
    """
    for row in TRANSPORTS.values():
        if row.load_data is not None:
            await hass.async_add_executor_job(row.load_data)


def create_massager(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager, built by its transport; KeyError for an unknown transport."""
    row = transport_of(entry.data)
    if row is None:
        raise KeyError(f"unknown transport {entry.data.get(CONF_TRANSPORT)!r:.40}")
    return row.build(hass, entry)


def configuration_url(entry: ConfigEntry) -> str | None:
    """Where the device's own page is, if it has one."""
    row = transport_of(entry.data)
    return row.device_page(entry.data) if row is not None and row.device_page else None


def secret_keys() -> frozenset[str]:
    """Every family's secrets: what diagnostics redact from any entry."""
    return frozenset().union(*(row.secrets for row in TRANSPORTS.values()))
