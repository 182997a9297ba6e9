"""Roles for a Tuya massager that no shipped map fits: proposed, confirmed, and run.

The device is the Tuya emulator's neck massager, shaped like Tuya's reference design (every
function on a custom id 101-105, heat as an Enum, a gear Enum of bare numbers, a power switch
that reads false while it runs), over loopback TCP in the emulator's tinytuya wire layer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from conftest import TUYA_ID, TUYA_KEY, start_tuya
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager import MassagerInvalidRequestError, SessionSettings, Status
from pysmartmassager.tuya import TuyaDevice, TuyaMassager, TuyaProfile, Version, parse_mapping
from pysmartmassager.tuya.datapoints import (
    DEVICE_MAP_KEY,
    CategoryMap,
    DeviceMapping,
    TuyaMapError,
    map_for,
)
from pysmartmassager.tuya.roles import device_map, device_map_document, propose

pytestmark = pytest.mark.usefixtures("socket_enabled")

# What the owner confirms on the role step for the neck massager (see the product file).
CONFIRMED = {
    "power": "on_off",
    "programs": ["work_pattern"],
    "intensity": "gear",
    "heat": "heat_gear",
}


@pytest.fixture
async def neck() -> AsyncGenerator[TuyaEmulatorServer]:
    server = await start_tuya("neck_massager", "3.4")
    yield server
    await server.stop()


def neck_mapping(server: TuyaEmulatorServer) -> DeviceMapping:
    return parse_mapping(server.device_entry()["mapping"])


def confirmed(
    mapping: DeviceMapping, roles: dict[str, object], off: dict[str, str], *, inverted: bool = False
) -> CategoryMap:
    """The owner's roles as the map the entry keeps."""
    return device_map(
        device_map_document(mapping, "Neck massager", roles, off, power_inverted=inverted)
    )


def neck_massager(server: TuyaEmulatorServer, category_map: CategoryMap) -> TuyaMassager:
    """The library's massager for the emulated neck massager, under the given map."""
    device = TuyaDevice(
        host=server.host,
        port=server.port,
        device_id=server.device_id,
        local_key=TUYA_KEY,
        version=Version(server.version),
        mapping=neck_mapping(server),
        category_map=category_map,
        name="Neck massager",
    )
    return TuyaMassager(device, timeout=1.0, heartbeat=0.5)


def test_no_shipped_map_fits_the_reference_design(neck: TuyaEmulatorServer) -> None:
    with pytest.raises(TuyaMapError):
        map_for(None, None, neck_mapping(neck))


def test_roles_are_proposed_from_codes_types_and_ranges(neck: TuyaEmulatorServer) -> None:
    proposal = propose(neck_mapping(neck))
    assert proposal.proposed["power"] == "on_off"
    assert proposal.proposed["intensity"] == "gear"
    assert proposal.proposed["heat"] == "heat_gear"
    assert proposal.programs == ("work_pattern",)
    assert proposal.heat_off == "off"
    # The battery flag is a Boolean too: offered for the power role, not proposed for it.
    assert set(proposal.candidates["power"]) == {"on_off", "battery_state"}
    assert proposal.proposed["session_minutes"] is None


def test_pinyin_codes_are_understood() -> None:
    mapping = parse_mapping(
        {
            "1": {"code": "kaiguan", "type": "Boolean", "values": {}},
            "2": {"code": "dangwei", "type": "Integer", "values": {"min": 1, "max": 9}},
            "3": {"code": "jiare", "type": "Boolean", "values": {}},
            "4": {"code": "moshi", "type": "Enum", "values": {"range": ["a", "b"]}},
            "5": {"code": "dingshi", "type": "Integer", "values": {"min": 0, "max": 60}},
        }
    )
    proposal = propose(mapping)
    assert [proposal.proposed[role] for role in ("power", "intensity", "heat")] == [
        "kaiguan",
        "dangwei",
        "jiare",
    ]
    assert (proposal.programs, proposal.proposed["session_minutes"]) == (("moshi",), "dingshi")


def test_a_confirmed_map_is_checked_by_the_shipped_maps_schema(neck: TuyaEmulatorServer) -> None:
    mapping = neck_mapping(neck)
    # An Enum heat without its off value is refused, as in a shipped map.
    with pytest.raises(TuyaMapError, match="off value"):
        confirmed(mapping, CONFIRMED, {})
    with pytest.raises(TuyaMapError, match="needs one of its"):
        confirmed(mapping, {**CONFIRMED, "zone": "on_off"}, {})
    with pytest.raises(TuyaMapError, match="not datapoints of this device"):
        confirmed(mapping, {**CONFIRMED, "zone": "nope"}, {})
    built = confirmed(mapping, CONFIRMED, {"heat_gear": "off"})
    assert built.key == DEVICE_MAP_KEY
    assert built.has_dp_ids
    assert built.roles.power == "on_off"


async def test_the_reference_design_runs_a_session(neck: TuyaEmulatorServer) -> None:
    category_map = confirmed(neck_mapping(neck), CONFIRMED, {"heat_gear": "off"}, inverted=True)
    assert category_map.roles.power_inverted
    massager = neck_massager(neck, category_map)
    try:
        caps = (await massager.get_info()).capabilities
        assert caps.program_ids == [
            "relieve",
            "vitality",
            "hammering",
            "scraping_therapy",
            "intelligent",
        ]
        assert (caps.intensity.minimum, caps.intensity.maximum) == (1, 16)  # type: ignore[union-attr]
        assert caps.heat
        state = await massager.get_state()
        assert (state.status, state.heat) == (Status.IDLE, False)  # on_off reads true: off

        state = await massager.start_session(
            SessionSettings(program="hammering", intensity=11, heat=True)
        )
        values = neck.device
        assert values.running
        assert values.value("on_off") is False  # the device's own "on"
        assert (values.value("work_pattern"), values.value("gear")) == ("hammering", "10")
        assert values.value("heat_gear") == "strong"
        assert (state.status, state.intensity, state.heat) == (Status.RUNNING, 11, True)

        with pytest.raises(MassagerInvalidRequestError):
            await massager.change_settings(SessionSettings(intensity=17))

        state = await massager.stop()
        assert not values.running
        assert (values.value("on_off"), values.value("heat_gear")) == (True, "off")
        assert (state.status, state.heat) == (Status.IDLE, False)
    finally:
        await massager.close()


async def test_without_the_inversion_the_switch_would_read_backwards(
    neck: TuyaEmulatorServer,
) -> None:
    """The checkbox matters: the same device, confirmed without it, reads idle as running."""
    massager = neck_massager(neck, confirmed(neck_mapping(neck), CONFIRMED, {"heat_gear": "off"}))
    try:
        assert (await massager.get_state()).status is Status.RUNNING
    finally:
        await massager.close()


def test_an_enum_heat_at_a_value_the_map_does_not_list_reads_as_on(
    neck: TuyaEmulatorServer,
) -> None:
    """Heat that may be on is on: the session's end then switches it off."""
    profile = TuyaProfile(
        neck_mapping(neck), confirmed(neck_mapping(neck), CONFIRMED, {"heat_gear": "off"})
    )
    assert profile.heat_of({"102": "medium"}) is True  # a firmware's new level
    assert profile.heat_of({"102": "off"}) is False
    assert profile.heat_of({}) is False  # not reported: nothing to switch off


def test_only_what_the_transport_can_run_is_offered() -> None:
    mapping = parse_mapping(
        {
            "1": {"code": "switch", "type": "Boolean", "values": {}},
            "2": {"code": "fault", "type": "Enum", "values": {"range": ["normal", "overheat"]}},
            "3": {"code": "timer", "type": "Enum", "values": {"range": ["15", "30"]}},
            "4": {"code": "heat", "type": "Enum", "values": {"range": ["off"]}},
            "5": {"code": "alarm", "type": "Bitmap", "values": {}},
        }
    )
    candidates = propose(mapping).candidates
    # An Enum fault would read "normal" as a fault; an Enum length is not minutes; an Enum heat
    # of one value cannot be switched on.
    assert candidates["fault"] == ("alarm",)
    assert candidates["session_minutes"] == ()
    assert "heat" not in candidates["heat"]  # the other Booleans and Enums are offered


async def test_an_enum_heat_of_several_levels_offers_them() -> None:
    """The neck massager's heat with three levels and an off: chosen, reported, off at stop."""
    import json  # noqa: PLC0415

    from emulators.tuya.device import PRODUCTS_DIR, Product  # noqa: PLC0415
    from emulators.tuya.device import TuyaMassager as EmulatedMassager  # noqa: PLC0415

    data = json.loads((PRODUCTS_DIR / "neck_massager.json").read_text())
    data["mapping"]["102"]["values"]["range"] = ["gentle", "warm", "strong", "off"]
    server = TuyaEmulatorServer(
        EmulatedMassager(Product.from_json(data)),
        device_id=TUYA_ID,
        local_key=TUYA_KEY,
        version="3.4",
    )
    await server.start()
    roles_map = confirmed(neck_mapping(server), CONFIRMED, {"heat_gear": "off"}, inverted=True)
    massager = neck_massager(server, roles_map)
    try:
        caps = (await massager.get_info()).capabilities
        assert [level.id for level in caps.heat_levels] == ["gentle", "warm", "strong"]
        await massager.change_settings(SessionSettings(heat=True))
        assert server.device.value("heat_gear") == "gentle"  # heat on: the first level
        state = await massager.change_settings(SessionSettings(heat_level="strong"))
        assert server.device.value("heat_gear") == "strong"
        assert (state.heat, state.heat_level) == (True, "strong")
        with pytest.raises(MassagerInvalidRequestError):
            await massager.change_settings(SessionSettings(heat_level="off"))  # off is no level
        state = await massager.stop()
        assert (state.heat, state.heat_level, server.device.value("heat_gear")) == (
            False,
            "",
            "off",
        )
    finally:
        await massager.close()
        await server.stop()


def test_an_enum_heat_of_one_level_is_on_off(neck: TuyaEmulatorServer) -> None:
    roles_map = confirmed(neck_mapping(neck), CONFIRMED, {"heat_gear": "off"}, inverted=True)
    profile = TuyaProfile(neck_mapping(neck), roles_map)
    assert profile.capabilities().heat_levels == ()


def test_bare_number_heat_levels_are_gentlest_first() -> None:
    """["3", "2", "1", "0"] with off "0": heat on is "1", not the hottest the list names first."""
    mapping = parse_mapping(
        {
            "1": {"code": "kaiguan", "type": "Boolean", "values": {}},
            "2": {"code": "jiare", "type": "Enum", "values": {"range": ["3", "2", "1", "0"]}},
        }
    )
    roles_map = confirmed(mapping, {"power": "kaiguan", "heat": "jiare"}, {"jiare": "0"})
    profile = TuyaProfile(mapping, roles_map)
    assert profile.heat_levels() == ["1", "2", "3"]
    assert profile.heat_dps(on=True) == {"2": "1"}
    assert profile.heat_dps(on=False) == {"2": "0"}
