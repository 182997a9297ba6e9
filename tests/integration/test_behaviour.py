"""One behaviour suite for every transport: each new transport adds itself to TRANSPORTS.

Today: the reference protocol (its emulator over loopback TCP), the Home-Assistant-timed fake
(tests/fake_massager.py: no timer, no push, fixed 10/15/20/30-minute lengths), a massager built
from existing entities (real input helpers as plug, mode select, level and heat pad), a bed base
built from Adjustable Bed's entities (head and foot numbers, "massage off", no toggle), and Tuya
massagers over Tuya's local protocol (the Tuya emulator, whose wire layer is tinytuya's: a massage
chair on protocol 3.5 and a cushion on 3.3), and Xiaomi MIoT massagers over the miio protocol (the
MIoT emulator, built on python-miio's codec: a chair with its own countdown and a cushion without).
Tests here speak only of what a user sees and what
the device did, never of one wire protocol.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_component import async_update_entity
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_config_flow

from conftest import start_miot, start_tuya
from custom_components.smart_massager import transport
from custom_components.smart_massager.const import CONF_TRANSPORT, DOMAIN
from custom_components.smart_massager.diagnostics import async_get_config_entry_diagnostics
from emulators.miot import MiotEmulatorServer
from emulators.reference import EmulatorServer
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager import Status
from pysmartmassager.tuya import parse_mapping
from tests.fake_massager import FakeMassager, fake_row

from .adjustable_bed import Bed, BedFlow, BedShape, add_bed
from .conftest import setup_assist, wait_for
from .entries import miot_entry, tuya_entry
from .test_blueprints import use_blueprint

TRANSPORTS = [
    "reference",
    "fake",
    "entities",
    "entities_bed",
    "tuya_chair",
    "tuya_cushion",
    "miot_chair",
    "miot_cushion",
]
SECRETS = {"token", "host", "local_key", "device_id"}


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


@pytest.fixture(autouse=True)
def bed_integration() -> Iterator[None]:
    """Adjustable Bed's config flow, standing in for the bed row's integration."""
    with mock_config_flow("adjustable_bed", BedFlow):
        yield


@pytest.fixture(params=TRANSPORTS)
async def massager(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
) -> AsyncGenerator[Massager]:
    # Every transport's fixtures are set up; each test uses one of them.
    if request.param == "reference":
        entry = config_entry
        device = emulator.device

        def read() -> dict[str, Any]:
            return {
                "status": device.status.value,
                "program": device.program,
                "intensity": device.intensity,
                "heat": device.heat,
            }

        handle = Massager(entry, "fan.back_massager", read, lambda: emulator.requests)
    elif request.param == "fake":
        fake = FakeMassager()
        transport.TRANSPORTS["fake"] = fake_row(fake)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Cushion",
            unique_id=fake.serial,
            minor_version=2,
            data={CONF_TRANSPORT: "fake"},
        )

        def read_fake() -> dict[str, Any]:
            return {
                "status": fake.status.value,
                "program": fake.program,
                "intensity": fake.intensity,
                "heat": fake.heat,
            }

        async def off_on_fake() -> None:
            fake.status, fake.started_at = Status.IDLE, None

        handle = Massager(
            entry, "fan.cushion", read_fake, lambda: len(fake.commands), off_on_device=off_on_fake
        )
    elif request.param == "entities":
        handle = await entities_massager(hass)
    elif request.param == "entities_bed":
        handle = await bed_massager(hass)
    elif request.param.startswith("miot"):
        server = await start_miot(request.param.removeprefix("miot_"))
        handle = miot_massager(server)
    else:
        server = await (
            start_tuya("massage_chair", "3.5")
            if request.param == "tuya_chair"
            else start_tuya("cushion", "3.3")
        )
        handle = tuya_massager(server)
    handle.entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(handle.entry.entry_id)
    await hass.async_block_till_done()
    yield handle
    if handle.entry.state.recoverable:
        await hass.config_entries.async_unload(handle.entry.entry_id)
        await hass.async_block_till_done()
    transport.TRANSPORTS.pop("fake", None)
    if request.param.startswith(("tuya", "miot")):
        await server.stop()


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
    modes = {i["value"]: i["description"] for i in spec_property(device.spec, "mode")["value-list"]}
    levels = spec_property(device.spec, "massage-strength")
    listed = [item["value"] for item in levels.get("value-list", [])]

    def read() -> dict[str, Any]:
        strength = device.value("massage-strength")
        return {
            "status": "running" if device.value("on") else "idle",
            "program": modes[device.value("mode")].casefold(),
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


async def act(hass: HomeAssistant, massager: Massager, service: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, service, {"entity_id": massager.fan, **data}, blocking=True
    )
    # The calls a source massager counts arrive as bus events, delivered after the call.
    await hass.async_block_till_done()


async def test_fan_starts_and_stops_a_session(hass: HomeAssistant, massager: Massager) -> None:
    await hass.services.async_call("fan", "turn_on", {"entity_id": massager.fan}, blocking=True)
    assert massager.device()["status"] == "running"
    assert hass.states.get(massager.fan).state == "on"
    await hass.services.async_call("fan", "turn_off", {"entity_id": massager.fan}, blocking=True)
    assert massager.device()["status"] == "idle"
    assert hass.states.get(massager.fan).state == "off"


async def test_start_session_with_settings(hass: HomeAssistant, massager: Massager) -> None:
    strongest = massager.strongest
    await act(hass, massager, "start_session", program="shiatsu", intensity=strongest, heat=True)
    assert massager.device() == {
        "status": "running",
        "program": "shiatsu",
        "intensity": strongest,
        "heat": True,
    }


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"program": "no_such_program"}, "invalid_program"),
        ({"intensity": 99}, "invalid_intensity"),
        ({"minutes": 31}, "invalid_minutes"),
    ],
)
async def test_refusals_send_nothing(
    hass: HomeAssistant, massager: Massager, data: dict[str, Any], key: str
) -> None:
    before, sent = massager.device(), massager.sent()
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, massager, "start_session", **data)
    assert err.value.translation_key == key
    assert (massager.device(), massager.sent()) == (before, sent)


async def test_nothing_restarts_a_running_session(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "start_session", program="shiatsu")
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, massager, "start_session", program="shiatsu")
    assert err.value.translation_key == "session_active"


async def test_gentler_and_firmer(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "start_session", intensity=massager.strongest - 1)
    await act(hass, massager, "adjust", firmer=1)
    assert massager.device()["intensity"] == massager.strongest
    await act(hass, massager, "adjust", gentler=10)  # clamped to the lowest level
    assert massager.device()["intensity"] == 1


async def test_routine_starts_its_first_step(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "run_routine", steps=[{"program": "shiatsu", "minutes": 10}])
    await wait_for(hass, lambda: massager.device()["status"] == "running")
    assert massager.device()["program"] == "shiatsu"
    await act(hass, massager, "stop_routine")
    assert massager.device()["status"] == "idle"


async def test_diagnostics_hold_no_secret(hass: HomeAssistant, massager: Massager) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, massager.entry)
    text = repr(diagnostics)
    secrets = [value for key, value in massager.entry.data.items() if key in SECRETS]
    for value in secrets:
        assert str(value) not in text
    assert massager.entry.unique_id not in text


async def test_voice_through_the_real_agent(hass: HomeAssistant, massager: Massager) -> None:
    await setup_assist(hass)
    name = hass.states.get(massager.fan).name
    for text, status in ((f"turn on the {name}", "running"), ("stop the massage", "idle")):
        result = await conversation.async_converse(hass, text, None, Context(), language="en")
        assert result.response.response_type.value == "action_done", text
        await wait_for(hass, lambda status=status: massager.device()["status"] == status)


async def test_safety_stop_blueprint(
    hass: HomeAssistant, massager: Massager, tmp_path: Path
) -> None:
    hass.states.async_set("zone.home", "1")
    await use_blueprint(
        hass, tmp_path, "safety_stop.yaml", {"massagers": [massager.fan], "latest_time": "23:59:59"}
    )
    await act(hass, massager, "start_session", program="shiatsu", heat=True)
    hass.states.async_set("zone.home", "0")  # everybody left
    await wait_for(hass, lambda: massager.device()["status"] == "idle")
    assert massager.device()["heat"] is False
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_the_length_is_locked_during_a_session(
    hass: HomeAssistant, massager: Massager
) -> None:
    length = massager.fan.replace("fan.", "number.") + "_session_length"
    await act(hass, massager, "start_session", program="shiatsu")
    before, sent = hass.states.get(length).state, massager.sent()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": length, "value": 20}, blocking=True
        )
    assert err.value.translation_key == "length_during_session"
    assert (hass.states.get(length).state, massager.sent()) == (before, sent)


async def test_a_session_ended_on_the_device_takes_its_heat_with_it(
    hass: HomeAssistant, massager: Massager
) -> None:
    """Home Assistant's session timer is the one owner of this rule, for every transport."""
    if massager.off_on_device is None:
        pytest.skip("the device ends its sessions, and their heat, by itself")
    await act(hass, massager, "start_session", program="shiatsu", heat=True)
    await massager.off_on_device()
    assert massager.device()["heat"] is True  # left on by the device
    await wait_for(hass, lambda: massager.device()["heat"] is False)
    assert massager.device()["status"] == "idle"  # nothing started again
