"""Heat in levels on a MIoT massager: heat on/off, and the level itself.

A model whose heat is `heat-level` (MIoT's standard name for heat in steps) or a `heating` with a
value list is switched on at its gentlest level, off at its off value, and read as on at any
level but off; with two or more levels above off, the level can be chosen and is reported.
The emulator's chair is given such a property in place of its switch, over the miio protocol.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from conftest import MIOT_TOKEN, miot_device
from emulators.miot import MiotEmulatorServer
from emulators.miot.device import PRODUCTS_DIR, Product
from pysmartmassager import MassagerInvalidRequestError, SessionSettings, Status
from pysmartmassager.miot import MiotMassager
from pysmartmassager.miot.massager import MiotProfile
from pysmartmassager.miot.spec import heat_values, massager_map, offered_roles

pytestmark = pytest.mark.usefixtures("socket_enabled")

LEVELS = [
    {"value": 0, "description": "Off"},
    {"value": 1, "description": "Low"},
    {"value": 2, "description": "Medium"},
    {"value": 3, "description": "High"},
]


def chair_with_heat(heat: dict[str, Any]) -> dict[str, Any]:
    """The emulator's chair product, its heating switch replaced by `heat`."""
    product = json.loads((PRODUCTS_DIR / "chair.json").read_text())
    for service in product["spec"]["services"]:
        for index, prop in enumerate(service.get("properties", [])):
            if ":heating:" in prop["type"]:
                service["properties"][index] = {"iid": prop["iid"], **heat}
    return product


HEAT_LEVEL = {
    "type": "urn:miot-spec-v2:property:heat-level:0000FFFF:smartmassager-emuchair:1",
    "description": "Heat Level",
    "format": "uint8",
    "access": ["read", "write", "notify"],
    "value-list": LEVELS,
}


@pytest.fixture
async def chair() -> AsyncGenerator[MiotEmulatorServer]:
    product = Product.from_json(chair_with_heat(HEAT_LEVEL), key="chair_heat_levels")
    server = MiotEmulatorServer(product=copy.deepcopy(product), token=MIOT_TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.mark.parametrize(
    ("heat", "values"),
    [
        (HEAT_LEVEL, (0, 1)),
        # A `heating` with a list whose off is named, not 0 (values as a maker numbers them).
        (
            {
                **HEAT_LEVEL,
                "type": "urn:miot-spec-v2:property:heating:0000FFFF:x:1",
                "value-list": [
                    {"value": 3, "description": "Strong"},
                    {"value": 2, "description": "Gentle"},
                    {"value": 1, "description": "Close"},
                ],
            },
            (1, 2),
        ),
        (
            {
                **{k: v for k, v in HEAT_LEVEL.items() if k != "value-list"},
                "value-range": [0, 3, 1],
            },
            (0, 1),
        ),
    ],
)
def test_heat_in_levels_is_found_with_its_off_and_gentlest(
    heat: dict[str, Any], values: tuple[int, int]
) -> None:
    spec = chair_with_heat(heat)["spec"]
    found = massager_map("smartmassager.massage.chair", spec)
    assert heat_values(found.roles["heat"]) == values
    assert found.roles["heat"] in offered_roles(spec)["heat"]  # and offered in the options


def test_heat_in_levels_without_an_off_is_no_heat() -> None:
    """A list that cannot be switched off is never taken for heat (it could not go off)."""
    no_off = {
        **HEAT_LEVEL,
        "value-list": [{"value": 1, "description": "Low"}, {"value": 2, "description": "High"}],
    }
    found = massager_map("smartmassager.massage.chair", chair_with_heat(no_off)["spec"])
    assert "heat" not in found.roles


async def test_a_session_heats_at_the_gentlest_level_and_ends_with_it_off(
    chair: MiotEmulatorServer,
) -> None:
    massager = MiotMassager(miot_device(chair), timeout=1.0)
    try:
        assert (await massager.get_info()).capabilities.heat
        state = await massager.start_session(SessionSettings(heat=True, minutes=5))
        assert chair.device.value("heat-level") == 1
        assert state.heat
        chair.device.press("heat-level", 3)  # turned up on the device itself: still heat on
        assert (await massager.get_state()).heat
        state = await massager.stop()
        assert (state.status, state.heat) == (Status.IDLE, False)
        assert chair.device.value("heat-level") == 0
        await massager.change_settings(SessionSettings(heat=True))
        assert chair.device.value("heat-level") == 1
        await massager.change_settings(SessionSettings(heat=False))
        assert chair.device.value("heat-level") == 0
    finally:
        await massager.close()


def test_the_emulator_switches_heat_in_levels_off_at_the_session_end() -> None:
    """The emulator's chair ends its own session with the heat at its off level."""
    product = Product.from_json(chair_with_heat(HEAT_LEVEL), key="chair_heat_levels")
    from emulators.miot.device import MiotMassagerDevice  # noqa: PLC0415

    now = [0.0]
    device = MiotMassagerDevice(product, clock=lambda: now[0])
    device.press("heat-level", 2)
    device.press("on", True)
    now[0] += 31 * 60
    assert (device.value("on"), device.value("heat-level")) == (False, 0)


async def test_a_heat_level_is_chosen_read_and_refused_off_the_list(
    chair: MiotEmulatorServer,
) -> None:
    massager = MiotMassager(miot_device(chair), timeout=1.0)
    try:
        caps = (await massager.get_info()).capabilities
        assert [(level.id, level.name) for level in caps.heat_levels] == [
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
        ]
        state = await massager.start_session(SessionSettings(heat_level="high", minutes=5))
        assert chair.device.value("heat-level") == 3
        assert (state.heat, state.heat_level) == (True, "high")
        chair.device.press("heat-level", 2)  # on the device itself
        assert (await massager.get_state()).heat_level == "medium"
        for wrong in (
            SessionSettings(heat_level="scorching"),
            SessionSettings(heat=False, heat_level="low"),
        ):
            with pytest.raises(MassagerInvalidRequestError):
                await massager.change_settings(wrong)
        assert chair.device.value("heat-level") == 2  # nothing written
        state = await massager.stop()
        assert (state.heat, state.heat_level, chair.device.value("heat-level")) == (False, "", 0)
    finally:
        await massager.close()


def test_a_switch_or_a_single_level_has_no_levels_to_choose() -> None:
    single = {**HEAT_LEVEL, "value-list": LEVELS[:2]}  # off and one level: plain on/off
    for product in (json.loads((PRODUCTS_DIR / "chair.json").read_text()), chair_with_heat(single)):
        profile = MiotProfile(massager_map("smartmassager.massage.chair", product["spec"]))
        assert profile.capabilities().heat_levels == ()


def test_transports_with_heat_on_off_refuse_a_level_rather_than_drop_it() -> None:
    from pysmartmassager.reference.wire import settings_body  # noqa: PLC0415

    with pytest.raises(MassagerInvalidRequestError):
        settings_body(SessionSettings(heat=True, heat_level="high"))
    assert settings_body(SessionSettings(heat=True)) == {"heat": True}


def _heat(values: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    prop = {**HEAT_LEVEL, **changes}
    if values is not None:
        prop["value-list"] = values
    return prop


@pytest.mark.parametrize(
    ("heat", "why"),
    [
        # A described 0 is a level: with "Off" at 3, taking 0 for off would leave the heat on.
        (
            _heat([{"value": 0, "description": "Low"}, {"value": 1, "description": "High"}]),
            "no off",
        ),
        (_heat(**{"value-list": None, "value-range": [0, 3, 0]}), "a range of step 0"),
        (
            _heat(
                [{"value": 0, "description": "Off"}, {"value": 1, "description": "Strong"}],
                type="urn:miot-spec-v2:property:backrest-angle:0000FFFF:x:1",
            ),
            "not named for heat",
        ),
    ],
)
def test_a_list_that_is_not_heat_that_can_go_off_is_never_heat(
    heat: dict[str, Any], why: str
) -> None:
    heat = {k: v for k, v in heat.items() if v is not None}
    spec = chair_with_heat(heat)["spec"]
    assert "heat" not in massager_map("smartmassager.massage.chair", spec).roles, why
    assert not any(prop.name == heat["type"].split(":")[3] for prop in offered_roles(spec)["heat"])


def test_off_is_the_value_described_as_off_even_where_0_is_a_level() -> None:
    levels = [
        {"value": 0, "description": "Low"},
        {"value": 1, "description": "Medium"},
        {"value": 2, "description": "High"},
        {"value": 3, "description": "Off"},
    ]
    found = massager_map("smartmassager.massage.chair", chair_with_heat(_heat(levels))["spec"])
    assert "heat" not in found.roles  # off is 3 and no level is above it: nothing switches on
    below = [
        {"value": -1, "description": "Cool"},
        {"value": 0, "description": "Off"},
        {"value": 1, "description": "Warm"},
    ]
    found = massager_map(
        "smartmassager.massage.chair", chair_with_heat(_heat(below, format="int8"))["spec"]
    )
    assert heat_values(found.roles["heat"]) == (0, 1)  # the gentlest above off, not -1


def test_the_m900s_lists_are_not_offered_as_heat() -> None:
    from emulators.miot.device import load_product  # noqa: PLC0415

    offered = offered_roles(load_product("m900").spec)["heat"]
    assert all(prop.format == "bool" or "heat" in prop.name for prop in offered), offered


def test_a_long_heat_range_is_heat_on_off_not_a_hundred_choices() -> None:
    for top, count in ((3, 3), (100, 0), (4294967295, 0)):
        heat = {k: v for k, v in HEAT_LEVEL.items() if k != "value-list"}
        heat = {**heat, "format": "uint32", "value-range": [0, top, 1]}
        spec = chair_with_heat(heat)["spec"]
        profile = MiotProfile(massager_map("smartmassager.massage.chair", spec))
        assert len(profile.capabilities().heat_levels) == count
        assert profile.capabilities().heat  # still heat, on at 1


def test_an_undescribed_level_is_a_level_by_its_number() -> None:
    levels = [
        {"value": 0, "description": "Off"},
        {"value": 1, "description": ""},
        {"value": 2, "description": "Medium"},
        {"value": 3, "description": "High"},
    ]
    spec = chair_with_heat(_heat(levels))["spec"]
    profile = MiotProfile(massager_map("smartmassager.massage.chair", spec))
    assert [level.id for level in profile.capabilities().heat_levels] == ["1", "medium", "high"]


def test_a_heat_an_owner_chose_stays_heat_whatever_its_name() -> None:
    """Chosen in Property roles before names were checked: it is still switched off at a stop."""
    from pysmartmassager.miot.spec import MiotMap  # noqa: PLC0415

    vendor = _heat(type="urn:x-vendor:property:temperature:0000FFFF:x:1")
    spec = chair_with_heat(vendor)["spec"]
    stored = massager_map("smartmassager.massage.chair", chair_with_heat(HEAT_LEVEL)["spec"])
    data = stored.as_data()
    data["roles"]["heat"]["name"] = "temperature"
    assert MiotMap.from_data(data).role("heat") is not None
    assert not any(p.name == "temperature" for p in offered_roles(spec)["heat"])  # never offered
