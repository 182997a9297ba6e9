"""Pair with running emulated massagers and write their config entries into a config folder.

scripts/develop runs this before Home Assistant starts (Home Assistant owns the storage file
while it runs). Entries are matched by serial: a second run updates address and token (the
emulator forgets its tokens when it stops) and leaves everything else in the configuration alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import (
    STORAGE_KEY,
    STORAGE_VERSION,
    STORAGE_VERSION_MINOR,
    ConfigEntry,
)
from homeassistant.const import CONF_HOST, CONF_PORT

from custom_components.smart_massager.const import CONF_TOKEN, DOMAIN
from custom_components.smart_massager.flow_base import FlowError
from custom_components.smart_massager.miot_flow import (
    async_find,
    miot_entry_data,
    miot_unique_id,
)
from custom_components.smart_massager.tuya_flow import tuya_entry_data, tuya_unique_id
from emulators.miot import load_product as load_miot_product
from emulators.tuya import Product
from pysmartmassager.miot import massager_map
from pysmartmassager.reference import SmartMassagerClient
from pysmartmassager.tuya import map_for, parse_mapping, probe


async def pair(host: str, port: int) -> tuple[str, str, dict[str, Any]]:
    """(serial, name, entry data) for the massager at host:port; it must be in pairing mode."""
    async with SmartMassagerClient(host, port=port) as client:
        for _ in range(50):  # the emulator may still be starting
            try:
                identity = await client.identify()
                break
            except Exception:  # noqa: BLE001  # any failure here means "not up yet"
                await asyncio.sleep(0.2)
        else:
            raise SystemExit(f"No massager answers at {host}:{port}")
        token = await client.pair()
    return identity.serial, identity.name, {CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token}


async def tuya(
    host: str, port: int, device_id: str, local_key: str
) -> tuple[str, str, dict[str, Any]]:
    """(unique id, name, entry data) for the emulated Tuya chair, as its devices.json gives it."""
    for _ in range(50):  # the emulator may still be starting
        try:
            version, _ = await probe(host, device_id, local_key, port=port)
            break
        except Exception:  # noqa: BLE001  # any failure here means "not up yet"
            await asyncio.sleep(0.2)
    else:
        raise SystemExit(f"No Tuya massager answers at {host}:{port}")
    product = Product.load("massage_chair")
    mapping = parse_mapping(product.mapping_json())
    data = tuya_entry_data(
        (host, port), device_id, local_key, version.value, mapping, map_for("amy", None, mapping)
    )
    return tuya_unique_id(device_id), product.name, data


async def miot(host: str, port: int, token: str) -> tuple[str, str, dict[str, Any]]:
    """(unique id, name, entry data) for the emulated MIoT chair; its spec from its product file.

    The flow would read the spec from Xiaomi's spec server, which has no emulated models.
    """
    for _ in range(50):  # the emulator may still be starting
        try:
            found = await async_find(host, port, token)
            break
        except FlowError:
            await asyncio.sleep(0.2)
    else:
        raise SystemExit(f"No MIoT massager answers at {host}:{port}")
    product = load_miot_product("chair")
    data = miot_entry_data(found, massager_map(found.model, product.spec))
    return miot_unique_id(found.device_id), "Xiaomi chair", data


def merge(storage: dict[str, Any], devices: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Update existing entries by serial, add the missing ones."""
    entries: list[dict[str, Any]] = storage["data"]["entries"]
    for serial, name, data in devices:
        known = next(
            (e for e in entries if e["domain"] == DOMAIN and e["unique_id"] == serial), None
        )
        if known is not None:
            known["data"] = data
            continue
        entry = ConfigEntry(
            domain=DOMAIN,
            title=name,
            data=data,
            source="user",
            unique_id=serial,
            version=1,
            minor_version=2 if "transport" in data else 1,
            options={},
            discovery_keys=MappingProxyType({}),
            subentries_data=None,
        )
        entries.append(entry.as_dict())


async def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--tuya-port", type=int, help="also add the emulated Tuya chair there")
    parser.add_argument("--tuya-id", default="")
    parser.add_argument("--tuya-key", default="")
    parser.add_argument("--miot-port", type=int, help="also add the emulated MIoT chair there")
    parser.add_argument("--miot-token", default="")
    args = parser.parse_args()

    devices = [await pair(args.host, args.port + index) for index in range(args.count)]
    if args.tuya_port:
        devices.append(await tuya(args.host, args.tuya_port, args.tuya_id, args.tuya_key))
    if args.miot_port:
        devices.append(await miot(args.host, args.miot_port, args.miot_token))
    path = args.config / ".storage" / STORAGE_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    storage: dict[str, Any] = (
        json.loads(path.read_text())
        if path.exists()
        else {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_VERSION_MINOR,
            "key": STORAGE_KEY,
            "data": {"entries": []},
        }
    )
    merge(storage, devices)
    path.write_text(json.dumps(storage, indent=2))
    for _, name, data in devices:
        print(f"  {name} at {data[CONF_HOST]}:{data[CONF_PORT]}: added")


if __name__ == "__main__":
    asyncio.run(main())
