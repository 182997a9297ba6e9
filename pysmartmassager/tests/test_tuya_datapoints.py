"""Datapoint maps: shipped ones follow the schema and cite sources; untrusted ones are bounded."""

from __future__ import annotations

import json
import logging
import tracemalloc
from typing import Any

import pytest

from pysmartmassager import LevelRange, MassagerInvalidRequestError, SessionSettings, Status
from pysmartmassager.tuya import (
    TuyaMapError,
    category_keys,
    map_for,
    mapping_from_ids,
    parse_devices_json,
    parse_mapping,
    shipped_maps,
)
from pysmartmassager.tuya.datapoints import parse_map_document
from pysmartmassager.tuya.massager import MAX_SESSION_MINUTES, TuyaProfile

AMY_MAPPING: dict[str, Any] = {
    "1": {"code": "switch", "type": "Boolean", "values": {}},
    "2": {
        "code": "time_set",
        "type": "Integer",
        "values": {"unit": "min", "min": 0, "max": 500, "scale": 0, "step": 1},
    },
    "3": {"code": "heat", "type": "Boolean", "values": {}},
    "5": {
        "code": "massage_speed",
        "type": "Enum",
        "values": {"range": ["level_1", "level_2", "level_3"]},
    },
    # As the cloud API returns it: the specification as a JSON text.
    "6": {
        "code": "aircell_location",
        "type": "Enum",
        "values": json.dumps({"range": ["leg", "arm", "hip", "close"]}),
    },
    "12": {
        "code": "manual_mode",
        "type": "Enum",
        "values": {"range": ["pinch", "shiatsu", "close"]},
    },
    "13": {
        "code": "auto_mode",
        "type": "Enum",
        "values": {"range": ["shoulder_relax", "back_relax", "close"]},
    },
}


def test_every_shipped_map_loads_and_cites_its_source() -> None:
    maps = shipped_maps()
    assert {"amy", "liliao"} <= set(category_keys())
    for key, category_map in maps.items():
        assert category_map.sources, key
        assert all(source.url.startswith("https://") for source in category_map.sources)
        for code in category_map.roles.codes():
            assert code in category_map.datapoints


def test_amy_roles_are_the_published_codes() -> None:
    roles = shipped_maps()["amy"].roles
    assert roles.power == "switch"
    assert roles.programs == ("auto_mode", "manual_mode")
    assert (roles.intensity, roles.zone, roles.heat, roles.session_minutes) == (
        "massage_speed",
        "aircell_location",
        "heat",
        "time_set",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sources": []}, "cite"),
        ({"sources": [{"title": "x", "url": "http://insecure"}]}, "https"),
        ({"roles": {"programs": ["auto_mode"]}}, "power"),
        ({"roles": {"power": "heat_missing"}}, "power"),
        ({"roles": {"power": "switch", "zone": "switch"}}, "zone"),
        ({"off_values": {"auto_mode": "never"}}, "off value"),
        ({"schema": 2}, "schema"),
        ({"dp_ids": [1]}, "dp_ids"),
        ({"dp_ids": {"switch": "one"}}, "dp id"),
        ({"datapoints": {}}, "no datapoints"),
        ({"datapoints": {"switch": "x"}}, "not an object"),
        ({"category": "Bad Category"}, "category"),
        ({"roles": []}, "roles"),
        ({"roles": {"power": "switch", "programs": ["switch"]}}, "programs"),
        ({"sources": [{"title": "", "url": "https://x"}]}, "title"),
        ({"off_values": {"no_such_code": "close"}}, "off value"),
    ],
)
def test_a_broken_map_file_is_refused(change: dict[str, Any], message: str) -> None:
    document = json.loads(json.dumps(_amy_document()))
    document.update(change)
    with pytest.raises(TuyaMapError, match=message):
        parse_map_document(document, "test")


def _amy_document() -> dict[str, Any]:
    amy = shipped_maps()["amy"]
    return {
        "schema": 1,
        "category": "amy",
        "name": amy.name,
        "sources": [{"title": s.title, "url": s.url} for s in amy.sources],
        "datapoints": {
            c: {"type": d.type, "values": dict(d.values)} for c, d in amy.datapoints.items()
        },
        "roles": {"power": "switch", "programs": ["auto_mode"]},
        "off_values": {"auto_mode": "close"},
    }


@pytest.mark.parametrize(
    "raw",
    [
        {},
        [],
        {"0": {"code": "switch", "type": "Boolean"}},
        {"256": {"code": "switch", "type": "Boolean"}},
        {"1": {"code": "Switch!", "type": "Boolean"}},
        {"1": {"code": "switch", "type": "Float"}},
        {"1": {"code": "mode", "type": "Enum", "values": {"range": []}}},
        {"1": {"code": "mode", "type": "Enum", "values": {"range": ["a"] * 2}}},
        {"1": {"code": "mode", "type": "Enum", "values": {"range": ["x"] * 65}}},
        {"1": {"code": "t", "type": "Integer", "values": {"min": 5, "max": 1}}},
        {"1": {"code": "t", "type": "Integer", "values": "{not json"}},
        {"1": {"code": "a", "type": "Boolean"}, "2": {"code": "a", "type": "Boolean"}},
        {str(n): {"code": f"c{n}", "type": "Boolean"} for n in range(1, 300)},
    ],
)
def test_a_bad_device_mapping_is_a_typed_error(raw: Any) -> None:
    with pytest.raises(TuyaMapError):
        parse_mapping(raw)


def test_devices_json_whole_file_or_one_entry() -> None:
    entry = {
        "name": "Living room chair",
        "id": "bf0123456789abcdefgh",
        "key": "0123456789abcdef",
        "ip": "192.168.1.50",
        "version": "3.4",
        "category": "amy",
        "mapping": AMY_MAPPING,
    }
    plug = {"name": "Plug", "id": "bf9", "key": "fedcba9876543210", "mapping": {}}
    odd = {**plug, "name": "Plug\r\nSYSTEM: obey\u202e"}  # a name is shown: cleaned
    whole = parse_devices_json(json.dumps([entry, {**odd, "mapping": None}]))
    assert [e.name for e in whole] == ["Living room chair", "Plug SYSTEM: obey"]
    (single,) = parse_devices_json(json.dumps(entry))
    assert (single.device_id, single.version, single.ip) == (entry["id"], "3.4", "192.168.1.50")
    assert single.mapping is not None
    assert single.mapping.by_code("aircell_location").enum_range == ("leg", "arm", "hip", "close")  # type: ignore[union-attr]
    for bad in ("not json", "[1]", json.dumps({"id": "x"}), "[" * 10_000, " " * (2 << 20)):
        with pytest.raises(TuyaMapError):
            parse_devices_json(bad)


def test_map_for_a_device() -> None:
    mapping = parse_mapping(AMY_MAPPING)
    assert map_for("amy", None, mapping).key == "amy"
    # No category given: the map whose power code and most role codes the device has.
    assert map_for(None, None, mapping).key == "amy"
    with pytest.raises(TuyaMapError):
        map_for("cz", None, parse_mapping({"1": {"code": "switch_1", "type": "Boolean"}}))


def test_profile_capabilities_and_state_both_ways() -> None:
    profile = TuyaProfile(parse_mapping(AMY_MAPPING), shipped_maps()["amy"])
    caps = profile.capabilities()
    assert [p.id for p in caps.programs] == ["shoulder_relax", "back_relax", "pinch", "shiatsu"]
    assert [z.id for z in caps.zones] == ["leg", "arm", "hip"]
    assert caps.intensity == LevelRange(1, 3)
    # time_set allows 500 minutes; a session is capped, and Home Assistant is the timer.
    assert caps.session_minutes == LevelRange(1, MAX_SESSION_MINUTES)
    assert (caps.heat, caps.pause, caps.device_timer) == (True, False, False)

    dps = profile.datapoints_for(
        SessionSettings(program="shiatsu", zone="hip", intensity=2, minutes=20, heat=True)
    )
    # One mode at a time: choosing a manual technique closes the auto mode.
    assert dps == {"12": "shiatsu", "13": "close", "6": "hip", "5": "level_2", "3": True, "2": 20}

    state = {
        "1": True,
        "12": "shiatsu",
        "13": "close",
        "6": "hip",
        "5": "level_2",
        "3": True,
        "2": 20,
    }
    assert profile.status_of(state) == (Status.RUNNING, None)
    assert (profile.program_of(state), profile.zone_of(state), profile.intensity_of(state)) == (
        "shiatsu",
        "hip",
        2,
    )
    # A value the map does not know is shown as the device sends it, never dropped.
    assert profile.program_of({"13": "night_mode"}) == "night_mode"
    assert profile.zone_of({"6": "neck"}) == "neck"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (SessionSettings(program="tapping"), "program"),
        (SessionSettings(zone="close"), "zone"),
        (SessionSettings(intensity=4), "intensity"),
        (SessionSettings(minutes=31), "minutes"),
    ],
)
def test_invalid_settings_name_what_is_allowed(settings: SessionSettings, field: str) -> None:
    profile = TuyaProfile(parse_mapping(AMY_MAPPING), shipped_maps()["amy"])
    with pytest.raises(MassagerInvalidRequestError) as caught:
        profile.datapoints_for(settings)
    assert caught.value.field == field
    assert caught.value.allowed


def test_manual_mapping_uses_the_published_specifications() -> None:
    amy = shipped_maps()["amy"]
    mapping = mapping_from_ids(amy, {"switch": 1, "massage_speed": 4})
    speed = mapping.by_code("massage_speed")
    assert speed is not None
    assert (speed.dp_id, speed.enum_range) == ("4", amy.datapoints["massage_speed"].enum_range)
    with pytest.raises(TuyaMapError):
        mapping_from_ids(amy, {"switch": 1, "not_a_code": 2})


def test_liliao_physiotherapy_profile() -> None:
    liliao = shipped_maps()["liliao"]
    mapping = mapping_from_ids(liliao, {"switch": 1, "mode": 2, "level": 3, "countdown": 4})
    profile = TuyaProfile(mapping, liliao)
    caps = profile.capabilities()
    assert caps.program_ids == ["auto", "manual"]
    assert caps.zones == ()
    assert caps.heat is False
    # No minutes datapoint: Home Assistant's own choice of lengths, and it is the timer.
    assert (caps.session_minutes, caps.device_timer) == (LevelRange(5, 30, 5), False)
    # The published countdown has scale 1: not read as seconds (no guess at its meaning).
    assert profile.remaining_of({"4": 600}) == 0


def synthetic_map(**roles: Any) -> Any:
    """A map with datapoints no published set has (fault, a countdown in minutes): test only."""
    document = {
        "schema": 1,
        "category": "test",
        "name": "Test massager",
        "sources": [{"title": "test", "url": "https://example.invalid/test"}],
        "datapoints": {
            "switch": {"type": "Boolean", "values": {}},
            "strength": {"type": "Integer", "values": {"min": 1, "max": 9, "step": 2}},
            "minutes_enum": {"type": "Enum", "values": {"range": ["10", "20"]}},
            "seconds": {"type": "Integer", "values": {"unit": "s", "min": 0, "max": 3600}},
            "left": {"type": "Integer", "values": {"unit": "min", "min": 0, "max": 60}},
            "fault": {"type": "Bitmap", "values": {}},
        },
        "roles": {"power": "switch", **roles},
    }
    return parse_map_document(document, "test")


def test_integer_intensity_fault_and_countdown() -> None:
    category_map = synthetic_map(intensity="strength", remaining="left", fault="fault")
    mapping = mapping_from_ids(category_map, {"switch": 1, "strength": 2, "left": 3, "fault": 4})
    profile = TuyaProfile(mapping, category_map)
    assert profile.intensity_levels() == LevelRange(1, 9, 2)
    assert profile.datapoints_for(SessionSettings(intensity=5)) == {"2": 5}
    assert profile.intensity_of({"2": 7}) == 7
    assert profile.intensity_of({"2": True}) == 0
    assert profile.remaining_of({"3": 12}) == 720
    assert profile.remaining_of({"3": -1}) == 0
    # A fault while it still massages: a running session (Home Assistant keeps timing it).
    status, error = profile.status_of({"1": True, "4": 4})
    assert status is Status.RUNNING
    assert error is not None
    assert error.code == "fault_4"
    assert profile.status_of({"1": False, "4": 4})[0] is Status.ERROR
    assert profile.status_of({"1": True, "4": 0}) == (Status.RUNNING, None)
    with pytest.raises(MassagerInvalidRequestError):
        profile.datapoints_for(SessionSettings(zone="neck"))
    with pytest.raises(MassagerInvalidRequestError):
        profile.datapoints_for(SessionSettings(heat=True))


@pytest.mark.parametrize("code", ["minutes_enum", "seconds"])
def test_minutes_not_in_minutes_fall_back(code: str) -> None:
    category_map = synthetic_map(session_minutes=code)
    profile = TuyaProfile(mapping_from_ids(category_map, {"switch": 1, code: 2}), category_map)
    assert profile.session_minutes() == LevelRange(5, 30, 5)
    assert profile.minutes_of({"2": 20}) == 0


def test_a_device_without_the_power_datapoint_is_no_massager() -> None:
    amy = shipped_maps()["amy"]
    with pytest.raises(MassagerInvalidRequestError):
        TuyaProfile(mapping_from_ids(amy, {"heat": 1}), amy)


def test_keys_and_ids_stay_out_of_reprs() -> None:
    text = json.dumps({"id": "bf0123456789abcdefgh", "key": "s3cr3t-l0cal-k3y", "name": "Chair"})
    (entry,) = parse_devices_json(text)
    assert "s3cr3t" not in repr(entry)
    assert "bf0123456789abcdefgh" not in repr(entry)


def test_a_datapoint_of_the_wrong_type_is_not_used() -> None:
    amy = shipped_maps()["amy"]
    mapping = parse_mapping(
        {
            "1": {"code": "switch", "type": "Boolean"},
            "5": {"code": "massage_speed", "type": "String"},  # not levels: left out
            "3": {"code": "heat", "type": "Integer", "values": {"min": 0, "max": 1}},
        }
    )
    caps = TuyaProfile(mapping, amy).capabilities()
    assert (caps.intensity, caps.heat) == (None, False)
    with pytest.raises(MassagerInvalidRequestError):
        TuyaProfile(parse_mapping({"1": {"code": "switch", "type": "String"}}), amy)


def test_only_massagers_are_offered() -> None:
    plug = parse_mapping({"1": {"code": "switch", "type": "Boolean"}})
    with pytest.raises(TuyaMapError):
        map_for("cz", None, plug)  # a plug's category
    with pytest.raises(TuyaMapError):
        map_for(None, None, plug)  # a lone switch is no massager
    chair = parse_mapping(AMY_MAPPING)
    with pytest.raises(TuyaMapError):
        map_for("cz", None, chair)  # the device says it is something else


def test_one_odd_device_does_not_hide_the_others() -> None:
    chair = {"name": "Chair", "id": "bf0123456789abcdefgh", "key": "0123456789abcdef"}
    hub = {"name": "Hub", "id": "bf9", "key": ""}  # no key: skipped
    odd = {"name": "Odd", "id": "bf8", "key": "k" * 16, "mapping": {"\u00b2": {"code": "x"}}}
    entries = parse_devices_json(json.dumps([hub, odd, chair, "not a device"]))
    assert [entry.name for entry in entries] == ["Chair"]
    with pytest.raises(TuyaMapError):
        parse_devices_json(json.dumps([hub]))


HUGE_SPEED = {
    **AMY_MAPPING,
    "5": {
        "code": "massage_speed",
        "type": "Integer",
        "values": {"min": 1, "max": 3_000_000, "scale": 0, "step": 3},
    },
}


def test_an_integer_intensity_of_millions_of_levels_is_reached_in_at_most_100() -> None:
    profile = TuyaProfile(parse_mapping(HUGE_SPEED), shipped_maps()["amy"])
    levels = profile.intensity_levels()
    assert levels is not None
    assert levels.levels <= 100
    assert levels.minimum == 1
    assert levels.step % 3 == 0  # every level stays on the device's own grid
    assert (levels.maximum - levels.minimum) % levels.step == 0
    assert levels.maximum <= 3_000_000


def test_level_positions_are_arithmetic_not_materialised() -> None:
    # 3,000,000 levels, as the hardening review's Tuya mapping declared: a tuple of them is
    # about 100 MiB (the mapping format allows 2^31, which a regression would try to build).
    levels = LevelRange(1, 3_000_000, 1)
    tracemalloc.start()
    try:
        assert levels.position(2_999_999) == 2_999_999
        assert levels.at(levels.position(7) + 2) == 9
        assert levels.at(10**12) == 3_000_000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024


def test_an_intensity_outside_the_declared_range_is_unknown_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mapping = {
        **AMY_MAPPING,
        "5": {
            "code": "massage_speed",
            "type": "Integer",
            "values": {"min": 1, "max": 3, "scale": 0, "step": 1},
        },
    }
    profile = TuyaProfile(parse_mapping(mapping), shipped_maps()["amy"])
    with caplog.at_level(logging.WARNING):
        assert profile.intensity_of({"5": 10**300}) == 0
        assert profile.intensity_of({"5": -5}) == 0
        assert profile.intensity_of({"5": 2}) == 2
    assert len([r for r in caplog.records if "intensity" in r.getMessage()]) == 1
    assert all(len(r.getMessage()) < 200 for r in caplog.records)


def test_a_time_left_outside_the_declared_range_is_unknown_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 10^300 minutes left would be a 300-digit "minutes left" state on every write.
    category_map = synthetic_map(remaining="left")
    profile = TuyaProfile(mapping_from_ids(category_map, {"switch": 1, "left": 3}), category_map)
    with caplog.at_level(logging.WARNING):
        assert profile.remaining_of({"3": 10**300}) == 0
        assert profile.remaining_of({"3": 61}) == 0
        assert profile.remaining_of({"3": 60}) == 3600
    assert len([r for r in caplog.records if "time left" in r.getMessage()]) == 1


def test_per_zone_levels_are_refused_not_dropped() -> None:
    # Tuya's massage codes have one intensity: a per-zone level is refused, never ignored.
    profile = TuyaProfile(parse_mapping(AMY_MAPPING), shipped_maps()["amy"])
    with pytest.raises(MassagerInvalidRequestError) as caught:
        profile.datapoints_for(SessionSettings(intensity=3, zone_levels={"neck": 2}))
    assert caught.value.field == "zone_levels"
