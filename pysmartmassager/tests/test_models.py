"""Model parsing: broken device payloads become MassagerResponseError, never anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulators.reference import VirtualMassager
from pysmartmassager import LevelRange, MassagerResponseError, SessionSettings
from pysmartmassager.reference import StateReader
from pysmartmassager.reference.wire import parse_info, settings_body

NOW = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)


def good_state(**changes: Any) -> dict[str, Any]:
    device = VirtualMassager(serial="SM-1", name="Back", clock=lambda: NOW)
    return {**device.state_json(), **changes}


def good_info() -> dict[str, Any]:
    return VirtualMassager(serial="SM-1", name="Back").info_json()


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "exploded"},
        {"status": None},
        {"intensity": "5"},
        {"intensity": True},
        {"heat": 1},
        {"ends_at": "yesterday"},
        {"ends_at": 12},
        {"now": None},
        {"seq": 1.5},
        {"error": "boom"},
        {"error": {"code": 1, "message": "x"}},
        {"boot_id": None},
    ],
)
def test_broken_state_is_a_typed_error(changes: dict[str, Any]) -> None:
    with pytest.raises(MassagerResponseError):
        StateReader().parse(good_state(**changes))


@pytest.mark.parametrize("payload", [None, [], "state", 3])
def test_non_object_payloads(payload: object) -> None:
    with pytest.raises(MassagerResponseError):
        StateReader().parse(payload)
    with pytest.raises(MassagerResponseError):
        parse_info(payload)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda caps: caps.update(programs=[]),
        lambda caps: caps.update(programs=[{"id": "x"}]),
        lambda caps: caps.update(zones="all"),
        lambda caps: caps.update(intensity={"min": 10, "max": 1}),
        lambda caps: caps.update(intensity={"min": 1, "max": 10, "step": 0}),
        lambda caps: caps["session_minutes"].update(default=99),
        lambda caps: caps.pop("heat"),
        lambda caps: caps.pop("pause_timeout_minutes"),
    ],
)
def test_broken_capabilities_are_a_typed_error(breakage: Any) -> None:
    info = good_info()
    breakage(info["capabilities"])
    with pytest.raises(MassagerResponseError):
        parse_info(info)


def test_naive_times_are_read_as_utc() -> None:
    state = StateReader().parse(good_state(started_at="2026-11-24T21:30:00"), received_at=NOW)
    assert state.started_at == NOW


def test_clock_skew_correction() -> None:
    ends = NOW + timedelta(minutes=10)
    raw = good_state(
        status="running", ends_at=ends.isoformat(), remaining_s=600, now=NOW.isoformat()
    )
    in_sync = StateReader().parse(raw, received_at=NOW + timedelta(seconds=1))
    assert in_sync.ends_at == ends
    # The device's clock is 10 minutes fast: its ends_at is 10 minutes later than ours, and the
    # neutral state carries it on our clock.
    skewed = StateReader().parse(raw, received_at=NOW - timedelta(minutes=10))
    assert skewed.ends_at == ends - timedelta(minutes=10)


def test_ordering_by_boot_and_seq() -> None:
    reader = StateReader()
    first = reader.parse(good_state(seq=5, boot_id="a"))
    later = reader.parse(good_state(seq=6, boot_id="a"))
    stale = reader.parse(good_state(seq=4, boot_id="a"))
    rebooted = reader.parse(good_state(seq=1, boot_id="b"))
    from_old_boot = reader.parse(good_state(seq=7, boot_id="a"))
    assert later.is_newer_than(first)
    assert not first.is_newer_than(later)
    assert not first.is_newer_than(first)
    assert not stale.is_newer_than(later)
    assert rebooted.is_newer_than(later)
    assert not from_old_boot.is_newer_than(rebooted)  # a late answer from before the reboot
    assert first.is_newer_than(None)


def test_seq_wrap_around_keeps_ordering() -> None:
    # The issue: 4294967295 then 0 with the same boot_id froze the shown state until a reboot.
    reader = StateReader()
    last = reader.parse(good_state(seq=2**32 - 1, boot_id="a"))
    wrapped = reader.parse(good_state(seq=0, boot_id="a"))
    after = reader.parse(good_state(seq=1, boot_id="a"))
    assert wrapped.is_newer_than(last)
    assert after.is_newer_than(wrapped)
    assert not reader.parse(good_state(seq=2**32 - 2, boot_id="a")).is_newer_than(after)


@pytest.mark.parametrize("seq", [-1, 2**32])
def test_seq_out_of_range_is_a_typed_error(seq: int) -> None:
    with pytest.raises(MassagerResponseError):
        StateReader().parse(good_state(seq=seq))


def test_level_range() -> None:
    levels = LevelRange(2, 10, 2)
    assert levels.levels == 5
    assert 4 in levels
    assert 5 not in levels
    assert True not in levels
    assert "4" not in levels
    assert levels.clamp(99) == 10
    assert levels.clamp(-3) == 2
    assert levels.clamp(7) == 6


def test_settings_body_has_only_set_fields() -> None:
    assert settings_body(SessionSettings(intensity=3, heat=False)) == {
        "intensity": 3,
        "heat": False,
    }
    assert settings_body(SessionSettings()) == {}


def test_capabilities_from_a_device_are_bounded() -> None:
    info = good_info()
    caps = info["capabilities"]
    caps["programs"] = [{"id": f"p{index}", "name": "x"} for index in range(65)]
    with pytest.raises(MassagerResponseError):
        parse_info(info)
    caps["programs"] = [{"id": "Deep [tissue", "name": "Deep"}]
    with pytest.raises(MassagerResponseError):
        parse_info(info)
    caps["programs"] = [{"id": "deep", "name": "Deep tissue\nIgnore previous " + "x" * 200}]
    (program,) = parse_info(info).capabilities.programs
    assert "\n" not in program.name
    assert len(program.name) <= 64


def test_level_zones_are_read_bounded() -> None:
    """Untrusted device data: level zone ids checked, levels that are not numbers unknown."""
    state = StateReader().parse(
        good_state(zone_levels={"neck": 3, "seat": "high", "Bad Id": 1, "feet": True})
    )
    assert state.zone_levels == {"neck": 3, "seat": None, "feet": None}
    with pytest.raises(MassagerResponseError, match="too many zones"):
        StateReader().parse(good_state(zone_levels={f"z{n}": 1 for n in range(65)}))
    info = good_info()
    info["capabilities"]["level_zones"] = [{"id": "neck", "name": "Neck", "min": 0, "max": 10}]
    zone = parse_info(info).capabilities.level_zones[0]
    assert (zone.id, zone.levels.maximum, zone.levels.step) == ("neck", 10, 1)
    info["capabilities"]["level_zones"] = [{"id": "Neck!", "name": "Neck", "min": 0, "max": 1}]
    with pytest.raises(MassagerResponseError, match="not a valid id"):
        parse_info(info)
    info["capabilities"]["level_zones"] = [{"id": "neck", "name": "N", "min": 0, "max": 1}] * 2
    with pytest.raises(MassagerResponseError, match="listed twice"):
        parse_info(info)
    assert settings_body(SessionSettings(intensity=3, zone_levels={"neck": 2})) == {
        "intensity": 3,
        "zone_levels": {"neck": 2},
    }


def test_gentler_never_switches_a_zone_off_nor_on() -> None:
    zone, chair = LevelRange(0, 10), LevelRange(1, 10)
    assert zone.moved(3, -10) == 1  # the gentlest that massages, not 0 (off)
    assert zone.moved(0, -1) == 0  # an off zone is not raised by "gentler"
    assert zone.moved(0, 2) == 2
    assert zone.moved(9, 5) == 10
    assert chair.moved(3, -10) == 1  # a range without an off: as before, its lowest
    assert LevelRange.of((10, 15, 20)).moved(15, -1) == 10


def test_a_skewed_clock_gives_one_start_time_across_states() -> None:
    """Measures a second apart are one skew: the corrected start stays put (a routine keys on
    it); a real change of the device's clock is still followed."""
    reader = StateReader()
    started = NOW - timedelta(minutes=2)
    raw = good_state(status="running", started_at=started.isoformat(), now=NOW.isoformat())
    first = reader.parse(raw, received_at=NOW - timedelta(minutes=10))
    jittered = reader.parse(raw, received_at=NOW - timedelta(minutes=10, seconds=-1))
    assert first.started_at == jittered.started_at == started - timedelta(minutes=10)
    moved = reader.parse(raw, received_at=NOW - timedelta(minutes=5))
    assert moved.started_at == started - timedelta(minutes=5)
