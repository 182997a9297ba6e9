"""A MIoT chair shaped like the real myoung.massage.m900, over the miio protocol on loopback.

The emulator's m900 product has the published device type (massage, not massager), a service
named `massage` without `mode` (its technique is `massage-manipulation`), a `left-time` without
a unit, a vendor service, and properties that answer -4004 at every read (see the product file
for what is published and what is a placeholder).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

import pytest

from conftest import MIOT_TOKEN, miot_device, start_miot
from emulators.miot import MiotEmulatorServer
from emulators.miot.device import load_product
from pysmartmassager import (
    MassagerInvalidRequestError,
    MassagerResponseError,
    SessionSettings,
    Status,
)
from pysmartmassager.miot import MiotMassager
from pysmartmassager.miot.massager import MiotProfile
from pysmartmassager.miot.spec import (
    MiotMap,
    MiotSpecError,
    map_with_roles,
    massager_map,
    offered_roles,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def m900() -> AsyncGenerator[MiotEmulatorServer]:
    server = await start_miot("m900")
    yield server
    await server.stop()


def test_the_real_device_type_and_service_are_recognised(m900: MiotEmulatorServer) -> None:
    found = massager_map(m900.model, m900.device.spec)
    assert found.urn.startswith("urn:miot-spec-v2:device:massage:0000A018")
    # No `mode` in the massage service: the technique is the program. The backrest's `mode`
    # (another service) is not taken for it.
    assert found.roles["program"].name == "massage-manipulation"
    assert (found.roles["program"].siid, found.roles["remaining"].unit) == (2, "")
    assert set(found.roles) == {
        "power",
        "program",
        "intensity",
        "zone",
        "heat",
        "remaining",
        "status",
        "fault",
    }


async def test_a_session_on_the_m900(m900: MiotEmulatorServer) -> None:
    massager = MiotMassager(miot_device(m900), timeout=1.0)
    try:
        caps = (await massager.get_info()).capabilities
        assert caps.program_ids == ["kneading", "tapping", "shiatsu", "rolling", "knocking"]
        state = await massager.start_session(SessionSettings(program="shiatsu", intensity=4))
        assert m900.device.value("massage-manipulation") == 3
        assert (state.status, state.program, state.intensity) == (Status.RUNNING, "shiatsu", 4)
        # left-time has no unit in this spec: taken as minutes, and diagnostics say so.
        assert 14 * 60 < state.remaining_s <= 15 * 60
        assert massager.diagnostics()["left_time_unit"] == "not in the spec: taken as minutes"
        state = await massager.stop()
        assert state.status is Status.IDLE
    finally:
        await massager.close()


async def test_a_property_that_never_reads_is_dropped_and_reported() -> None:
    """The m900 answered -4004 for some properties at every poll; here its strength does."""
    product = load_product("m900")
    product = replace(product, failing={(2, 4): -4004})  # massage-strength
    server = MiotEmulatorServer(product=copy.deepcopy(product), token=MIOT_TOKEN)
    await server.start()
    massager = MiotMassager(miot_device(server), timeout=1.0)
    try:
        for _ in range(2):
            state = await massager.get_state()  # a partial read is still a state
            assert state.status is Status.IDLE
            assert massager.diagnostics()["dropped_properties"] == []
        asked = server.datagrams
        await massager.get_state()  # the third failure in a row: no longer polled
        assert massager.diagnostics()["dropped_properties"] == [
            {"name": "massage-strength", "siid": 2, "piid": 4, "error": -4004}
        ]
        assert server.datagrams > asked
        await massager.start_session(SessionSettings(program="kneading"))
        assert (await massager.get_state()).status is Status.RUNNING
    finally:
        await massager.close()
        await server.stop()


async def test_the_on_off_is_never_dropped_nor_anything_read_with_it() -> None:
    """A massage whose on/off cannot be read stays visible as a failure, however often; and a
    device failing every read at once (booting) loses none of its properties."""
    product = replace(load_product("m900"), failing={(2, 1): -4004, (2, 4): -4004})
    server = MiotEmulatorServer(product=product, token=MIOT_TOKEN)
    await server.start()
    massager = MiotMassager(miot_device(server), timeout=1.0)
    try:
        for _ in range(4):
            with pytest.raises(MassagerResponseError, match="on/off"):
                await massager.get_state()
        assert massager.diagnostics()["dropped_properties"] == []
        server.device.product.failing.clear()  # booted: everything reads again
        assert (await massager.get_state()).intensity == 3
    finally:
        await massager.close()
        await server.stop()


async def test_a_property_that_read_once_is_not_dropped_when_it_fails_for_a_while(
    m900: MiotEmulatorServer,
) -> None:
    massager = MiotMassager(miot_device(m900), timeout=1.0)
    try:
        assert (await massager.get_state()).intensity == 3
        m900.device.product.failing[2, 4] = -4004  # the strength fails for a while
        for _ in range(5):
            await massager.get_state()
        assert massager.diagnostics()["dropped_properties"] == []
        m900.device.product.failing.clear()
        m900.device.press("massage-strength", 5)
        assert (await massager.get_state()).intensity == 5  # still read
    finally:
        await massager.close()


def test_every_fitting_property_is_offered_for_the_owner_to_choose(
    m900: MiotEmulatorServer,
) -> None:
    spec = m900.device.spec
    offered = offered_roles(spec)
    intensity = {prop.key for prop in offered["intensity"]}
    assert {(2, 4), (5, 4), (5, 7)} <= intensity  # the standard strength, the vendor's levels
    assert all(prop.siid != 1 for props in offered.values() for prop in props)
    chosen = map_with_roles(m900.model, spec, {"power": (2, 1), "intensity": (5, 4)})
    assert chosen.roles["intensity"].name == "air-level"
    with pytest.raises(MiotSpecError, match="heat"):
        map_with_roles(m900.model, spec, {"power": (2, 1), "heat": (2, 4)})  # a level, not a bool
    with pytest.raises(MiotSpecError):
        map_with_roles(m900.model, spec, {"intensity": (5, 4)})  # no on/off


def _without_massage_part(spec: dict[str, Any]) -> dict[str, Any]:
    """The m900's spec as a model without massage-part would have it: the airbags remain."""
    spec = copy.deepcopy(spec)
    for service in spec["services"]:
        service["properties"] = [
            p for p in service.get("properties", []) if ":massage-part:" not in p["type"]
        ]
    return spec


def test_airbag_switches_are_zones_only_where_there_is_no_massage_part() -> None:
    product = load_product("m900")
    assert massager_map(product.model, product.spec).airbags == ()  # massage-part is the zone
    found = massager_map(product.model, _without_massage_part(product.spec))
    assert "zone" not in found.roles
    assert [p.name for p in found.airbags] == [
        "all-airbag-switch",
        "shoulder-airbag-switch",
        "arm-airbag-switch",
        "leg-airbag-switch",
    ]
    assert MiotMap.from_data(found.as_data()).airbags == found.airbags  # kept in the entry


async def test_an_airbag_zone_switches_its_airbags_alone() -> None:
    product = load_product("m900")
    product = replace(product, spec=_without_massage_part(product.spec))
    server = MiotEmulatorServer(product=copy.deepcopy(product), token=MIOT_TOKEN)
    await server.start()
    device = miot_device(server)
    device = replace(device, mapping=massager_map(server.model, server.device.spec))
    massager = MiotMassager(device, timeout=1.0)
    try:
        caps = (await massager.get_info()).capabilities
        assert caps.zone_ids == ["all", "shoulders", "arm", "leg"]
        state = await massager.start_session(SessionSettings(zone="shoulders"))
        switches = ("all", "shoulder", "arm", "leg")
        assert [server.device.value(f"{s}-airbag-switch") for s in switches] == [
            False,
            True,
            False,
            False,
        ]
        assert state.zone == "shoulders"
        state = await massager.change_settings(SessionSettings(zone="leg"))
        assert (state.zone, server.device.value("shoulder-airbag-switch")) == ("leg", False)
        with pytest.raises(MassagerInvalidRequestError):
            await massager.change_settings(SessionSettings(zone="spine"))
        await massager.stop()
    finally:
        await massager.close()
        await server.stop()


def test_airbags_are_kept_apart_from_roles_and_from_each_other() -> None:
    product = load_product("m900")
    spec = _without_massage_part(product.spec)
    # An airbag chosen as the power is the power, not a zone that a zone change would switch.
    chosen = {"power": (2, 10)}  # all-airbag-switch
    mapping = map_with_roles(product.model, spec, chosen)
    assert (2, 10) not in {p.key for p in mapping.airbags}
    assert len(mapping.airbags) == 3
    # A malformed airbag is left out; the spec and its other airbags still count.
    broken = copy.deepcopy(spec)
    massage = next(s for s in broken["services"] if ":massage:" in s["type"])
    airbag = next(p for p in massage["properties"] if ":arm-airbag-switch:" in p["type"])
    airbag["format"] = "enum"
    names = [p.name for p in massager_map(product.model, broken).airbags]
    assert "arm-airbag-switch" not in names
    assert len(names) == 3
    # Two switches with the same first word get ids of their own: each is switched off.
    twin = copy.deepcopy(spec)
    massage = next(s for s in twin["services"] if ":massage:" in s["type"])
    massage["properties"].append(
        {**next(p for p in massage["properties"] if ":leg-airbag-switch:" in p["type"]), "iid": 40}
    )
    profile = MiotProfile(massager_map(product.model, twin))
    assert sorted(profile.airbags) == ["all", "arm", "leg", "leg_40", "shoulders"]
    values = profile.airbag_values("shoulders")
    assert sum(values.values()) == 1
    assert len(values) == 5
