"""The Tuya emulator's massager behaviour (device.py), without sockets, on a fake clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulators.tuya import DpValue, Product, TuyaMassager
from emulators.tuya.device import PRODUCTS_DIR

CHAIR_CODES = [
    "switch",
    "time_set",
    "heat",
    "aircell_speed",
    "massage_speed",
    "aircell_location",
    "ball_location",
    "manual_mode",
    "auto_mode",
]


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def with_countdown() -> Product:
    """The cushion plus a time-left datapoint, as some massagers report it."""
    data = json.loads((PRODUCTS_DIR / "cushion.json").read_text())
    data["mapping"]["6"] = {
        "code": "countdown_left",
        "type": "Integer",
        # The cloud hands out the spec as a JSON string; devices.json often keeps it so.
        "values": '{"unit":"min","min":0,"max":500,"scale":0,"step":1}',
    }
    return Product.from_json(data)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def reports() -> list[dict[str, DpValue]]:
    return []


@pytest.fixture
def chair(clock: FakeClock, reports: list[dict[str, DpValue]]) -> TuyaMassager:
    device = TuyaMassager(Product.load("massage_chair"), monotonic=clock, wall_clock=lambda: 1e9)
    device.listeners.append(reports.append)
    return device


def test_the_product_files_follow_the_standard_instruction_set() -> None:
    chair = Product.load("massage_chair")
    cushion = Product.load("cushion")

    assert chair.category == cushion.category == "amy"
    assert [chair.datapoints[str(n)].code for n in range(1, 10)] == CHAIR_CODES
    assert chair.by_code("time_set").values == {
        "unit": "min",
        "min": 0,
        "max": 500,
        "scale": 0,
        "step": 1,
    }
    assert chair.by_code("aircell_speed").range == tuple(f"level_{n}" for n in range(1, 6))
    assert chair.by_code("massage_speed").range == ("level_1", "level_2", "level_3")
    assert [dp.code for dp in cushion.datapoints.values()] == [
        "switch",
        "time_set",
        "heat",
        "massage_speed",
        "manual_mode",
    ]
    for dp in cushion.datapoints.values():  # the same codes with the same specs
        assert (dp.type, dp.values) == (chair.by_code(dp.code).type, chair.by_code(dp.code).values)


def test_power_on_values(chair: TuyaMassager) -> None:
    assert chair.status() == {
        "1": False,
        "2": 15,
        "3": False,
        "4": "level_3",
        "5": "level_2",
        "6": "close",
        "7": "middle",
        "8": "close",
        "9": "close",
    }


@pytest.mark.parametrize(
    ("dp_id", "value"),
    [
        ("1", 1),  # an Integer is not a Boolean
        ("2", True),  # nor a Boolean an Integer
        ("2", 501),
        ("2", -1),
        ("2", "30"),
        ("4", "level_6"),
        ("6", "back"),
        ("99", True),
    ],
)
def test_values_a_real_device_refuses_are_ignored(
    chair: TuyaMassager, reports: list[dict[str, DpValue]], dp_id: str, value: Any
) -> None:
    before = chair.status()

    assert chair.control({dp_id: value}) == {}

    assert chair.status() == before
    assert reports == []


def test_accepted_dps_are_reported_even_unchanged(
    chair: TuyaMassager, reports: list[dict[str, DpValue]]
) -> None:
    assert chair.control({"2": 15, "8": "tuina"}) == {"2": 15, "8": "tuina"}
    assert reports == [{"2": 15, "8": "tuina"}]


def test_a_session_counts_down_time_set_and_ends_with_the_heat_off(
    chair: TuyaMassager, clock: FakeClock, reports: list[dict[str, DpValue]]
) -> None:
    chair.control({"2": 10, "3": True})
    chair.control({"1": True})
    assert chair.session_end == clock.now + 600
    assert chair.next_deadline() == clock.now + 600

    clock.now += 599
    assert chair.tick() == {}
    assert chair.remaining_s() == 1
    clock.now += 1
    assert chair.tick() == {"1": False, "3": False}

    assert reports[-1] == {"1": False, "3": False}
    assert chair.session_end is None
    assert chair.next_deadline() is None


def test_setting_the_time_while_running_counts_from_now(
    chair: TuyaMassager, clock: FakeClock
) -> None:
    chair.control({"1": True})
    clock.now += 300
    chair.control({"2": 20})

    assert chair.session_end == clock.now + 1200


def test_switch_on_again_does_not_restart_the_countdown(
    chair: TuyaMassager, clock: FakeClock
) -> None:
    chair.control({"1": True})
    end = chair.session_end
    clock.now += 60
    chair.control({"1": True})

    assert chair.session_end == end


def test_time_set_zero_runs_until_switched_off(chair: TuyaMassager, clock: FakeClock) -> None:
    chair.control({"2": 0, "1": True})
    clock.now += 10_000

    assert chair.next_deadline() is None
    assert chair.tick() == {}
    assert chair.value("switch") is True


def test_press_validates_like_a_test_mistake(chair: TuyaMassager) -> None:
    assert chair.press("auto_mode", "help_sleep") == {"9": "help_sleep"}
    with pytest.raises(ValueError, match="does not take"):
        chair.press("auto_mode", "nap")
    with pytest.raises(KeyError):
        chair.press("no_such_code", True)


def test_the_time_left_is_reported_once_a_minute(clock: FakeClock) -> None:
    device = TuyaMassager(with_countdown(), monotonic=clock)
    reports: list[dict[str, DpValue]] = []
    device.listeners.append(reports.append)

    assert device.control({"2": 3, "1": True}) == {"2": 3, "1": True, "6": 3}
    start = clock.now
    assert device.next_deadline() == start + 60

    clock.now = start + 30
    assert device.tick() == {}  # early: still 3 minutes (rounded up)
    clock.now = start + 60
    assert device.tick() == {"6": 2}
    assert device.next_deadline() == start + 120
    clock.now = start + 150
    assert device.tick() == {"6": 1}
    clock.now = start + 180
    assert device.tick() == {"1": False, "6": 0}  # the cushion's heat was already off

    assert reports[-1] == {"1": False, "6": 0}


def test_power_on_resets_the_session(chair: TuyaMassager) -> None:
    chair.control({"1": True, "3": True, "8": "beat"})

    chair.power_on()

    assert chair.value("switch") is False
    assert chair.value("heat") is False
    assert chair.value("manual_mode") == "close"
    assert chair.session_end is None


def test_a_product_with_an_invalid_initial_value_is_refused() -> None:
    data = json.loads((PRODUCTS_DIR / "cushion.json").read_text())
    data["_initial"] = {"massage_speed": "level_9"}

    with pytest.raises(ValueError, match="initial value"):
        Product.from_json(data)


def test_mapping_json_round_trips(chair: TuyaMassager) -> None:
    data = json.loads((PRODUCTS_DIR / "massage_chair.json").read_text())

    assert chair.product.mapping_json() == data["mapping"]
