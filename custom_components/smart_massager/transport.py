"""The factory: the only module that knows the concrete transports.

Everything else in the integration is written against `pysmartmassager.Massager` and the neutral
models. A config entry names its transport in `CONF_TRANSPORT`; a new transport adds one builder
to TRANSPORTS (and its own config-flow steps), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from pysmartmassager import Massager, MassagerError
from pysmartmassager.miot import MiotConnection, MiotDevice, MiotInfo, MiotMap, MiotMassager
from pysmartmassager.reference import DeviceIdentity, SmartMassagerClient
from pysmartmassager.tuya import (
    TuyaDevice,
    TuyaMassager,
    TuyaProfile,
    Version,
    parse_mapping,
    probe,
    shipped_maps,
)

from .const import (
    CONF_DATAPOINT_MAP,
    CONF_DEVICE_ID,
    CONF_LOCAL_KEY,
    CONF_MAPPING,
    CONF_MIOT_MAP,
    CONF_PROTOCOL_VERSION,
    CONF_TOKEN,
    CONF_TRANSPORT,
)
from .from_entities import EntitiesMassager

TRANSPORT_REFERENCE = "reference"
TRANSPORT_ENTITIES = "entities"
TRANSPORT_TUYA = "tuya"
TRANSPORT_MIOT = "miot"

type MassagerBuilder = Callable[[HomeAssistant, ConfigEntry], Massager]


def reference_client(
    hass: HomeAssistant, host: str, port: int, token: str | None = None
) -> SmartMassagerClient:
    """A client for the reference protocol (docs/protocol.md) on Home Assistant's session."""
    return SmartMassagerClient(host, port=port, token=token, session=async_get_clientsession(hass))


async def async_load_transport_data(hass: HomeAssistant) -> None:
    """Read the transports' data files once, off the event loop (the shipped Tuya maps).

    Building a transport later finds them in the cache; read on the loop, each file was a
    "Detected blocking call" at start-up.
    """
    await hass.async_add_executor_job(shipped_maps)


def _reference(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    return reference_client(
        hass, entry.data[CONF_HOST], entry.data[CONF_PORT], entry.data[CONF_TOKEN]
    )


def _entities(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    return EntitiesMassager(hass, entry.entry_id, entry.title, {**entry.data, **entry.options})


def tuya_device(data: Mapping[str, Any], name: str) -> TuyaDevice:
    """A Tuya device from an entry's (or a flow's) data; TuyaMapError if its map is broken."""
    return TuyaDevice(
        host=data[CONF_HOST],
        port=data[CONF_PORT],
        device_id=data[CONF_DEVICE_ID],
        local_key=data[CONF_LOCAL_KEY],
        version=Version(data[CONF_PROTOCOL_VERSION]),
        mapping=parse_mapping(data[CONF_MAPPING]),
        category_map=shipped_maps()[data[CONF_DATAPOINT_MAP]],
        name=name,
    )


def tuya_power_id(data: Mapping[str, Any]) -> str | None:
    """The datapoint that starts the massage, if the transport can run this entry at all."""
    try:
        profile = TuyaProfile(
            parse_mapping(data[CONF_MAPPING]), shipped_maps()[data[CONF_DATAPOINT_MAP]]
        )
        profile.capabilities()
    except MassagerError, KeyError, ValueError:
        return None
    return profile.power.dp_id


def _tuya(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    def keep_version(version: Version) -> None:
        # A firmware update moved the device to another version: found once, kept, so the next
        # start does not probe every version again.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_PROTOCOL_VERSION: version.value}
        )

    return TuyaMassager(tuya_device(entry.data, entry.title), on_version=keep_version)


def _miot(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    return MiotMassager(
        MiotDevice(
            host=entry.data[CONF_HOST],
            port=entry.data[CONF_PORT],
            token=entry.data[CONF_TOKEN],
            device_id=entry.data[CONF_DEVICE_ID],
            mapping=MiotMap.from_data(entry.data[CONF_MIOT_MAP]),
            name=entry.title,
        )
    )


async def async_identify_miot(host: str, port: int, token: str) -> tuple[MiotInfo, int]:
    """Who answers at a miio address under `token` (config flow): its info and device id."""
    connection = MiotConnection(host, token, port=port)
    try:
        return await connection.info(), connection.device_id
    finally:
        await connection.close()


async def async_read_miot(
    host: str, port: int, token: str, keys: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[int, Any]]:
    """(code, value) of MIoT properties at a miio address (config flow)."""
    connection = MiotConnection(host, token, port=port)
    try:
        return await connection.get_properties(keys)
    finally:
        await connection.close()


async def async_probe_tuya(
    host: str, port: int, device_id: str, local_key: str, version: str | None
) -> tuple[str, dict[str, Any]]:
    """The version a Tuya device answers in (the given one, or found) and its datapoints."""
    versions = (Version(version),) if version else tuple(Version)[::-1]
    found, dps = await probe(host, device_id, local_key, versions, port=port)
    return found.value, dps


TRANSPORTS: dict[str, MassagerBuilder] = {
    TRANSPORT_REFERENCE: _reference,
    TRANSPORT_ENTITIES: _entities,
    TRANSPORT_TUYA: _tuya,
    TRANSPORT_MIOT: _miot,
}


def create_massager(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager, built by its transport."""
    return TRANSPORTS[entry.data[CONF_TRANSPORT]](hass, entry)


def configuration_url(entry: ConfigEntry) -> str | None:
    """Where the device's own page is, if it has one."""
    if entry.data.get(CONF_TRANSPORT) == TRANSPORT_REFERENCE:
        return f"http://{entry.data[CONF_HOST]}:{entry.data[CONF_PORT]}/api/v1/pair"
    return None


async def async_identify(hass: HomeAssistant, host: str, port: int) -> DeviceIdentity:
    """Who answers at a reference-protocol address (config flow)."""
    return await reference_client(hass, host, port).identify()


async def async_pair(hass: HomeAssistant, host: str, port: int) -> str:
    """Pair with a reference-protocol device and check the token (config flow)."""
    client = reference_client(hass, host, port)
    token = await client.pair()
    await client.get_info()
    return token


async def async_holds_token(
    hass: HomeAssistant, host: str, port: int, token: str, serial: str
) -> bool:
    """Whether the reference device at an address holds `token` (without sending it there)."""
    try:
        return await reference_client(hass, host, port, token).holds_token(serial)
    except MassagerError:
        return False
