"""The transport set-ups every transport-wide suite reads: one row per kind of massager.

A row sets up one massager as a user would have it (its emulator or its source entities, its
entry) and says how to read the device itself. The behaviour suite, the entity snapshots and
the diagnostics snapshots all run over SETUPS, so a new transport adds one row and gets them all.

Today: the reference protocol (its emulator over loopback TCP), the Home-Assistant-timed fake
(tests/fake_massager.py: no timer, no push, fixed 10/15/20/30-minute lengths), a massager built
from existing entities (real input helpers as plug, mode select, level and heat pad), a bed base
built from Adjustable Bed's entities (head and foot numbers, "massage off", no toggle), Tuya
massagers over Tuya's local protocol (the Tuya emulator, whose wire layer is tinytuya's: a massage
chair on protocol 3.5 and a cushion on 3.3; a neck massager shaped like Tuya's reference design,
which no shipped map fits, added by the roles its owner confirms), and Xiaomi MIoT massagers over
the miio protocol (the MIoT emulator, built on python-miio's codec: a chair with its own countdown
and a cushion without).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from homeassistant.const import EVENT_CALL_SERVICE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.entity_component import async_update_entity
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_config_flow

from conftest import start_miot, start_tuya
from custom_components.smart_massager import transport, tuya_flow
from custom_components.smart_massager.const import CONF_TRANSPORT, DOMAIN
from emulators.miot import MiotEmulatorServer
from emulators.reference import EmulatorServer
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager import Status
from pysmartmassager.tuya import parse_mapping
from tests.fake_massager import FakeMassager, fake_row

from .adjustable_bed import Bed, BedFlow, BedShape, add_bed
from .conftest import suggested
from .entries import miot_entry, to_tuya_roles, tuya_entry

SETUPS = [
    "reference",
    "fake",
    "entities",
    "entities_bed",
    "tuya_chair",
    "tuya_cushion",
    "tuya_neck",
    "miot_chair",
    "miot_cushion",
    "miot_m900",
]


@dataclass
class Massager:
    """A set-up massager of some transport, and a way to read the device itself."""

    entry: MockConfigEntry
    fan: str
    device: Callable[[], dict[str, Any]]  # status, program, intensity, heat as the device has them
    sent: Callable[[], int]  # how many requests reached the device
    strongest: int = 4  # the highest intensity the tests use (a Tuya chair has 3 levels)
    # Someone switches the massage off on the device itself, which leaves its heat on; None for
    # a device that ends its sessions and heat by itself (Home Assistant is not its timer).
    off_on_device: Callable[[], Awaitable[None]] | None = None
    program: str = "shiatsu"  # a program the device has (a neck massager has no shiatsu)


@asynccontextmanager
async def set_up_massager(
    kind: str,
    hass: HomeAssistant,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
    platforms: list[Platform] | None = None,
) -> AsyncIterator[Massager]:
    """One row of SETUPS, set up (with only `platforms`, where given) and unloaded afterwards.

    The reference row uses the session's reference emulator and its entry (the `emulator` and
    `config_entry` fixtures); the other rows start what they need.
    """
    servers: list[TuyaEmulatorServer | MiotEmulatorServer] = []
    with mock_config_flow("adjustable_bed", BedFlow):  # the bed row's own integration
        if kind == "reference":
            handle = reference_massager(emulator, config_entry)
        elif kind == "fake":
            handle = fake_massager()
        elif kind == "entities":
            handle = await entities_massager(hass)
        elif kind == "entities_bed":
            handle = await bed_massager(hass)
        elif kind.startswith("miot_"):
            miot = await start_miot(kind.removeprefix("miot_"))
            servers.append(miot)
            handle = miot_massager(miot)
        elif kind == "tuya_neck":
            neck = await start_tuya("neck_massager", "3.4")
            servers.append(neck)
            handle = await neck_massager(hass, neck)
        else:
            tuya = await (
                start_tuya("massage_chair", "3.5")
                if kind == "tuya_chair"
                else start_tuya("cushion", "3.3")
            )
            servers.append(tuya)
            handle = tuya_massager(tuya)
        try:
            handle.entry.add_to_hass(hass)
            if platforms is None:
                assert await hass.config_entries.async_setup(handle.entry.entry_id)
            else:
                with patch("custom_components.smart_massager.PLATFORMS", platforms):
                    assert await hass.config_entries.async_setup(handle.entry.entry_id)
            await hass.async_block_till_done()
            yield handle
            if handle.entry.state.recoverable:
                await hass.config_entries.async_unload(handle.entry.entry_id)
                await hass.async_block_till_done()
        finally:
            transport.TRANSPORTS.pop("fake", None)
            for server in servers:
                await server.stop()


def reference_massager(emulator: EmulatorServer, entry: MockConfigEntry) -> Massager:
    """The reference emulator's massager, added by address and pairing token."""
    device = emulator.device

    def read() -> dict[str, Any]:
        return {
            "status": device.status.value,
            "program": device.program,
            "intensity": device.intensity,
            "heat": device.heat,
        }

    return Massager(entry, "fan.back_massager", read, lambda: emulator.requests)


def fake_massager() -> Massager:
    """The test fake: no timer, no push; Home Assistant times its sessions."""
    fake = FakeMassager()
    transport.TRANSPORTS["fake"] = fake_row(fake)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Cushion",
        unique_id=fake.serial,
        minor_version=2,
        data={CONF_TRANSPORT: "fake"},
    )

    def read() -> dict[str, Any]:
        return {
            "status": fake.status.value,
            "program": fake.program,
            "intensity": fake.intensity,
            "heat": fake.heat,
        }

    async def off_on_fake() -> None:
        fake.status, fake.started_at = Status.IDLE, None

    return Massager(
        entry, "fan.cushion", read, lambda: len(fake.commands), off_on_device=off_on_fake
    )


def tuya_massager(server: TuyaEmulatorServer) -> Massager:
    """A Tuya massager added from its devices.json entry, as a user would add it."""
    file_entry = server.device_entry()
    mapping = parse_mapping(file_entry["mapping"])
    entry = tuya_entry(server)
    device = server.device
    levels = mapping.by_code("massage_speed").enum_range  # type: ignore[union-attr]

    def read() -> dict[str, Any]:
        modes = [
            device.value(code) for code in ("auto_mode", "manual_mode") if device.product.has(code)
        ]
        return {
            "status": "running" if device.value("switch") else "idle",
            "program": next((mode for mode in modes if mode != "close"), ""),
            "intensity": levels.index(device.value("massage_speed")) + 1,
            "heat": device.value("heat"),
        }

    async def off_on_device() -> None:
        device.heat_off_at_end = False
        await server.press("switch", False)

    fan = "fan." + file_entry["name"].lower().replace(" ", "_")
    return Massager(
        entry, fan, read, lambda: sum(server.frames.values()), len(levels), off_on_device
    )


# The neck massager's roles as its owner confirms them on the role step (its product file says
# what each custom datapoint is; tests/integration/test_tuya_roles_flow.py walks the step).
async def neck_massager(hass: HomeAssistant, server: TuyaEmulatorServer) -> Massager:
    """A Tuya neck massager no shipped map fits (Tuya's reference design), added through the
    role step as its owner would: devices.json pasted, the proposal confirmed with the heat's
    off value and the reversed on/off ticked. The entry the flow stores is the row's entry (the
    flow's own is removed again, so the row is set up like every other)."""
    flow = hass.config_entries.flow
    with (  # the flow's discovery listener on an OS-chosen loopback port
        patch.object(tuya_flow, "DISCOVERY_PORTS", (0,)),
        patch.object(tuya_flow, "DISCOVERY_HOST", "127.0.0.1"),
        patch.object(tuya_flow, "DEFAULT_PORT", server.port),
    ):
        result = await to_tuya_roles(hass, server)
        proposed = suggested(result)
        answer = {**proposed, "heat_off": "off", "power_inverted": True}
        result = await flow.async_configure(result["flow_id"], answer)
        assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    created = result["result"]
    await hass.async_block_till_done()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=created.title,
        unique_id=created.unique_id,
        version=created.version,
        minor_version=created.minor_version,
        data=dict(created.data),
        options=dict(created.options),
    )
    await hass.config_entries.async_remove(created.entry_id)
    await hass.async_block_till_done()
    mapping = parse_mapping(server.device_entry()["mapping"])
    device = server.device
    levels = sorted(mapping.by_code("gear").enum_range, key=int)  # type: ignore[union-attr]

    def read() -> dict[str, Any]:
        return {
            "status": "running" if device.running else "idle",
            "program": device.value("work_pattern"),
            "intensity": levels.index(str(device.value("gear"))) + 1,
            "heat": device.value("heat_gear") != "off",
        }

    async def off_on_device() -> None:
        device.heat_off_at_end = False
        await server.press("on_off", True)  # its own button: true is off on this design

    return Massager(
        entry,
        "fan.neck_massager",
        read,
        lambda: sum(server.frames.values()),
        len(levels),
        off_on_device,
        program="hammering",
    )


def spec_property(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """A property of a MIoT instance spec, by the name in its type URN."""
    return next(
        prop
        for service in spec["services"]
        for prop in service.get("properties", [])
        if prop["type"].split(":")[3] == name
    )


def miot_massager(server: MiotEmulatorServer) -> Massager:
    """A MIoT massager added by address and token, its roles found in its published spec."""
    device = server.device
    # The program: `mode`, or on a massage service without one (the m900) its technique.
    program = "massage-manipulation" if device.product.key == "m900" else "mode"
    modes = {
        i["value"]: i["description"] for i in spec_property(device.spec, program)["value-list"]
    }
    levels = spec_property(device.spec, "massage-strength")
    listed = [item["value"] for item in levels.get("value-list", [])]

    def read() -> dict[str, Any]:
        strength = device.value("massage-strength")
        return {
            "status": "running" if device.value("on") else "idle",
            "program": modes[device.value(program)].casefold(),
            "intensity": listed.index(strength) + 1 if listed else strength,
            "heat": device.value("heating"),
        }

    async def off_on_device() -> None:
        device.heat_off_at_end = False
        device.press("on", False)

    strongest = len(listed) or int(levels["value-range"][1])
    return Massager(
        miot_entry(server),
        "fan.xiaomi_chair",
        read,
        lambda: server.datagrams,
        strongest,
        off_on_device,
    )


async def entities_massager(hass: HomeAssistant) -> Massager:
    """A cushion on a smart plug, with mode select, level number and heat pad (real helpers)."""
    for domain, config in (
        ("input_boolean", {"plug": {}, "heat_pad": {}}),
        ("input_select", {"mode": {"options": ["Kneading", "Shiatsu"]}}),
        ("input_number", {"level": {"min": 1, "max": 5, "step": 1}}),
    ):
        assert await async_setup_component(hass, domain, {domain: config})
    calls: list[str] = []
    hass.bus.async_listen(
        EVENT_CALL_SERVICE,
        lambda event: (
            calls.append(event.data["service"])
            if event.data["domain"].startswith("input_")
            else None
        ),
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Cushion",
        # Fixed: an entities massager's serial is its entry's id, and the snapshots hold it.
        entry_id="01JSMARTMASSAGERENTITIES001",
        unique_id="entities:input_boolean.plug",
        minor_version=2,
        data={
            CONF_TRANSPORT: "entities",
            "power_entity": "input_boolean.plug",
            "program_entity": "input_select.mode",
            "intensity_entity": "input_number.level",
            "heat_entity": "input_boolean.heat_pad",
            "min_minutes": 5,
            "max_minutes": 30,
            "session_minutes": 15,
        },
    )

    def read() -> dict[str, Any]:
        return {
            "status": "running" if hass.states.get("input_boolean.plug").state == "on" else "idle",
            "program": hass.states.get("input_select.mode").state.casefold(),
            "intensity": round(float(hass.states.get("input_number.level").state)),
            "heat": hass.states.get("input_boolean.heat_pad").state == "on",
        }

    async def plug_off() -> None:  # the plug's own button: the heat pad is plugged elsewhere
        await hass.services.async_call(
            "input_boolean", "turn_off", {"entity_id": "input_boolean.plug"}, blocking=True
        )

    return Massager(entry, "fan.cushion", read, lambda: len(calls), off_on_device=plug_off)


async def bed_massager(hass: HomeAssistant) -> Massager:
    """A Reverie-shaped bed (Adjustable Bed's entities: head/foot numbers and "massage off", no
    toggle) with a mode select and a heat pad beside it (real helpers)."""
    bed = Bed(mac="aa:bb:cc:dd:ee:09", name="Bed base")
    await add_bed(hass, bed, BedShape(buttons=("massage_all_off",), numbers=("head", "foot")))
    for domain, config in (
        ("input_boolean", {"heat_pad": {}}),
        ("input_select", {"mode": {"options": ["Kneading", "Shiatsu"]}}),
    ):
        assert await async_setup_component(hass, domain, {domain: config})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bed",
        entry_id="01JSMARTMASSAGERENTITIES002",
        unique_id="entities:button.bed_base_massage_all_off",
        minor_version=3,
        data={
            CONF_TRANSPORT: "entities",
            "stop_entity": "button.bed_base_massage_all_off",
            "head_intensity_entity": "number.bed_base_massage_head_intensity",
            "foot_intensity_entity": "number.bed_base_massage_foot_intensity",
            "program_entity": "input_select.mode",
            "heat_entity": "input_boolean.heat_pad",
            "min_minutes": 5,
            "max_minutes": 30,
            "session_minutes": 15,
        },
    )

    def read() -> dict[str, Any]:
        return {
            "status": "running" if bed.massaging else "idle",
            "program": hass.states.get("input_select.mode").state.casefold(),
            "intensity": max(bed.levels["head"], bed.levels["foot"]),
            "heat": hass.states.get("input_boolean.heat_pad").state == "on",
        }

    async def remote_off() -> None:  # the bed's own remote, seen at the numbers' next poll
        bed.press("massage_all_off")
        for zone in ("head", "foot"):
            await async_update_entity(hass, f"number.bed_base_massage_{zone}_intensity")

    return Massager(entry, "fan.bed", read, lambda: len(bed.commands), off_on_device=remote_off)
