"""Fitting routines to a massager's sessions (routine_plan.py), on the fake's capabilities.

Plain functions of the capabilities: no Home Assistant instance is needed. The fake's sessions
are 10, 15, 20 or 30 minutes, as a Tuya chair's are; its programs are kneading and shiatsu.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from homeassistant.exceptions import ServiceValidationError

from custom_components.smart_massager.routine_catalogue import (
    BUILTIN_ROUTINES,
    CUSTOM_ROUTINE,
    Routine,
    RoutineStep,
)
from custom_components.smart_massager.routine_plan import routine_settings, runnable_routines
from pysmartmassager import Choice, LevelRange
from tests.fake_massager import FAKE_CAPABILITIES

EVENING = BUILTIN_ROUTINES["evening_back_pain_relief"]


def test_built_in_steps_take_the_nearest_length_the_device_has() -> None:
    steps = routine_settings(FAKE_CAPABILITIES, EVENING)
    # 2, 5, 3, 2, 3 minutes: each is one device session, and the shortest here is 10.
    assert [step.minutes for step in steps] == [10, 10, 10, 10, 10]
    # Glides become kneading, presses shiatsu (the catalogue's fallbacks).
    assert [step.program for step in steps] == [
        "kneading",
        "kneading",
        "shiatsu",
        "kneading",
        "shiatsu",
    ]
    finer = replace(FAKE_CAPABILITIES, session_minutes=LevelRange(1, 30))
    assert [step.minutes for step in routine_settings(finer, EVENING)] == [2, 5, 3, 2, 3]


def test_the_limits_apply_to_the_fitted_lengths() -> None:
    # 50 minutes of heat is more than one 30-minute cap, although the routine says 15.
    with pytest.raises(ServiceValidationError) as refused:
        routine_settings(FAKE_CAPABILITIES, EVENING, heat=True)
    assert refused.value.translation_key == "routine_heat_too_long"
    assert refused.value.translation_placeholders == {"minutes": "50", "max": "30"}


def test_a_users_own_step_is_not_changed() -> None:
    own = Routine(id=CUSTOM_ROUTINE, steps=(RoutineStep("shiatsu", 2),))
    with pytest.raises(ServiceValidationError) as refused:
        routine_settings(FAKE_CAPABILITIES, own)
    assert refused.value.translation_key == "invalid_minutes"


def test_runnable_are_those_that_plan() -> None:
    assert runnable_routines(FAKE_CAPABILITIES) == list(BUILTIN_ROUTINES)
    programs = tuple(Choice(f"mode_{n}", f"Mode {n}") for n in (1, 2, 3))
    modes = replace(FAKE_CAPABILITIES, programs=programs)
    assert runnable_routines(modes) == []  # a bed's "Mode 1..3": none of the programs


def test_a_tuya_chairs_own_modes_stand_in() -> None:
    # The standard Tuya chair's manual modes (massage-techniques.md): no kneading or rolling.
    modes = ("pinch", "beat", "knock", "shiatsu", "tuina")
    chair = replace(FAKE_CAPABILITIES, programs=tuple(Choice(mode, mode) for mode in modes))
    assert [step.program for step in routine_settings(chair, EVENING)] == [
        "tuina",  # warm-up glide: pushing strokes
        "shiatsu",  # palm circles: shiatsu comes before pinch
        "shiatsu",
        "tuina",
        "shiatsu",
    ]
    tapping = Routine(id=CUSTOM_ROUTINE, steps=(RoutineStep("tapping", 10),))
    assert routine_settings(chair, tapping)[0].program == "knock"  # percussion, not kneading
