"""Finding the massage roles in a model's MIoT instance spec, and refusing broken specs.

The spec below is test data in the published instance format (services, properties with iid,
type, format, access, value-list/value-range, unit); it is no real model's spec.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from pysmartmassager.miot import (
    MiotMap,
    MiotSpecError,
    MiotSpecMissingError,
    MiotSpecUnavailableError,
    fetch_spec,
    massager_map,
    specserver,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


def prop(iid: int, name: str, fmt: str, access: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "iid": iid,
        "type": f"urn:miot-spec-v2:property:{name}:0000FFFF:test-model:1",
        "description": name,
        "format": fmt,
        "access": access,
        **extra,
    }


RW = ["read", "write", "notify"]
SPEC: dict[str, Any] = {
    "type": "urn:miot-spec-v2:device:massager:0000FFFF:test-model:1",
    "services": [
        {
            "iid": 1,
            "type": "urn:miot-spec-v2:service:device-information:00007801:test-model:1",
            "properties": [prop(1, "manufacturer", "string", ["read"])],
        },
        {
            "iid": 2,
            "type": "urn:miot-spec-v2:service:massager:0000788E:test-model:1",
            "properties": [
                prop(1, "on", "bool", RW),
                prop(
                    2,
                    "mode",
                    "uint8",
                    RW,
                    **{"value-list": [{"value": 1, "description": "Shiatsu"}]},
                ),
                prop(3, "massage-strength", "uint8", RW, **{"value-range": [1, 5, 1]}),
                prop(4, "heating", "bool", RW),
                prop(5, "left-time", "uint16", ["read"], unit="minutes"),
                prop(6, "fault", "uint8", ["read"]),
                prop(7, "massage-part", "uint8", ["read"]),  # no value-list: no zone role
                prop(8, "something-else", "uint8", RW),
            ],
        },
    ],
}


def test_roles_come_from_the_standard_names() -> None:
    found = massager_map("test.massage.v1", SPEC)
    assert {role: (p.siid, p.piid) for role, p in found.roles.items()} == {
        "power": (2, 1),
        "program": (2, 2),
        "intensity": (2, 3),
        "heat": (2, 4),
        "remaining": (2, 5),
        "fault": (2, 6),
    }
    assert found.model == "test.massage.v1"
    assert found.urn == SPEC["type"]


def test_a_stored_map_reads_back_the_same() -> None:
    found = massager_map("test.massage.v1", SPEC)
    assert MiotMap.from_data(found.as_data()) == found


def test_the_vendor_service_name_massage_is_accepted() -> None:
    spec = copy.deepcopy(SPEC)
    spec["services"][1]["type"] = "urn:miot-spec-v2:service:massage:00007FFF:myoung-m900:1"
    assert massager_map("m", spec).role("power") is not None


def broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    change(spec)
    return spec


@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        {"services": "x"},
        {"services": [1]},
        {"services": [{"iid": 1, "type": "urn:miot-spec-v2:service:massager:1", "properties": 3}]},
        broken(lambda s: s["services"][1]["properties"].pop(0)),  # no on/off
        broken(lambda s: s["services"][1]["properties"][0].update(access=["read"])),
        broken(lambda s: s["services"][1]["properties"][0].update(format="weird")),
        broken(lambda s: s["services"][1].update(iid=-1)),
        broken(lambda s: s["services"][1].update(iid=True)),
        broken(lambda s: s["services"][1]["properties"][2].update({"value-range": [5, 1, 1]})),
        broken(
            lambda s: s["services"][1]["properties"][2].update(
                {"value-range": [1, float("inf"), 1]}
            )
        ),
        broken(
            lambda s: s["services"][1]["properties"][2].update(
                {"value-range": [float("nan"), 5, 1]}
            )
        ),
        broken(lambda s: s["services"][1]["properties"][2].update({"value-range": [1, 5, -1]})),
        broken(lambda s: s["services"][1]["properties"][1].update({"value-list": [{"x": 1}]})),
        broken(
            lambda s: s["services"][1]["properties"][1].update({"value-list": [{"value": 1}] * 65})
        ),
        {"services": [{}] * 65},
    ],
)
def test_broken_specs_are_spec_errors(spec: Any) -> None:
    with pytest.raises(MiotSpecError):
        massager_map("m", spec)


@pytest.mark.parametrize("data", [None, {"roles": []}, {"roles": {"evil": {}}}, {"roles": {}}])
def test_tampered_stored_maps_are_spec_errors(data: Any) -> None:
    with pytest.raises(MiotSpecError):
        MiotMap.from_data(data)


def test_placeholder_descriptions_are_dropped() -> None:
    spec = broken(
        lambda s: s["services"][1]["properties"][1].update(
            {"value-list": [{"value": 1, "description": "NA"}, {"value": 2, "description": "Roll"}]}
        )
    )
    program = massager_map("m", spec).role("program")
    assert program is not None
    assert program.describe(1) == "1"
    assert program.describe(2) == "Roll"
    assert program.describe(9) == "9"


async def spec_server(listing: Any, spec: Any, status: int = 200) -> TestServer:
    async def instances(request: web.Request) -> web.Response:
        assert request.query["status"] == "released"
        return web.json_response(listing, status=status)

    async def instance(request: web.Request) -> web.Response:
        assert request.query["type"] == "urn:new"
        return web.json_response(spec)

    app = web.Application()
    app.router.add_get("/miot-spec-v2/instances", instances)
    app.router.add_get("/miot-spec-v2/instance", instance)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


LISTING = {
    "instances": [
        {"model": "test.massage.v1", "version": 1, "type": "urn:old", "status": "released"},
        {"model": "test.massage.v1", "version": 2, "type": "urn:new", "status": "released"},
        {"model": "test.massage.v1", "version": 3, "type": "urn:draft", "status": "debug"},
        {"model": "other.model", "version": 9, "type": "urn:other", "status": "released"},
        "junk",
    ]
}


async def test_the_newest_released_spec_is_fetched() -> None:
    server = await spec_server(LISTING, SPEC)
    try:
        async with ClientSession() as session:
            spec = await fetch_spec(session, "test.massage.v1", server=str(server.make_url("")))
        assert spec == SPEC
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("listing", "status", "error"),
    [
        ({"instances": []}, 200, MiotSpecMissingError),
        ({"nothing": 1}, 200, MiotSpecUnavailableError),
        (LISTING, 500, MiotSpecUnavailableError),
    ],
)
async def test_spec_server_failures_are_typed(
    listing: Any, status: int, error: type[Exception]
) -> None:
    server = await spec_server(listing, SPEC, status)
    try:
        async with ClientSession() as session:
            with pytest.raises(error):
                await fetch_spec(session, "test.massage.v1", server=str(server.make_url("")))
    finally:
        await server.close()


async def test_an_oversized_spec_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(specserver, "MAX_SPEC_BYTES", 100)
    server = await spec_server(LISTING, SPEC)
    try:
        async with ClientSession() as session:
            with pytest.raises(MiotSpecUnavailableError, match="too large"):
                await fetch_spec(session, "test.massage.v1", server=str(server.make_url("")))
    finally:
        await server.close()


async def test_an_unreachable_spec_server_is_typed() -> None:
    async with ClientSession() as session:
        with pytest.raises(MiotSpecUnavailableError):
            await fetch_spec(session, "m", server="http://127.0.0.1:9")


def test_an_intensity_range_off_whole_numbers_is_not_used() -> None:
    spec = broken(lambda s: s["services"][1]["properties"][2].update({"value-range": [0.5, 10, 1]}))
    assert massager_map("m", spec).role("intensity") is None
