"""Built-in routines and the program fallbacks that fit them to any massager.

From shared/design/massage-techniques.md: the evening sequence (warm-up glide, palm circles, finger
press, thumb glide, trigger point) with its pressures, and two shorter routines built from the same
programs. Pressure is a fraction of the device's intensity range, so "firm" means the same on a
1-10 and a 1-5 device.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRM = 0.7
MEDIUM_FIRM = 0.6
MEDIUM = 0.5


@dataclass(frozen=True, slots=True)
class RoutineStep:
    """One step: a device session of `minutes` with this program."""

    program: str
    minutes: int
    zone: str | None = None  # None: the routine's zone
    intensity: int | None = None  # an absolute level (user-defined steps)
    pressure: float | None = None  # a fraction of the range (built-in steps)


@dataclass(frozen=True, slots=True)
class Routine:
    """A named list of steps and the zone its steps use by default."""

    id: str
    steps: tuple[RoutineStep, ...]
    zone: str = "lower_back"

    @property
    def minutes(self) -> int:
        """Total length."""
        return sum(step.minutes for step in self.steps)


CUSTOM_ROUTINE = "custom"

BUILTIN_ROUTINES: dict[str, Routine] = {
    routine.id: routine
    for routine in (
        Routine(
            id="evening_back_pain_relief",
            zone="lower_back",
            steps=(
                RoutineStep("warm_up_glide", 2, pressure=FIRM),
                RoutineStep("palm_circles", 5, pressure=FIRM),
                RoutineStep("finger_press", 3, pressure=MEDIUM),
                RoutineStep("thumb_glide", 2, pressure=MEDIUM_FIRM),
                RoutineStep("trigger_point", 3, pressure=FIRM),
            ),
        ),
        Routine(
            id="quick_shoulder_release",
            zone="shoulders",
            steps=(
                RoutineStep("warm_up_glide", 2, pressure=MEDIUM),
                RoutineStep("palm_circles", 3, pressure=FIRM),
                RoutineStep("trigger_point", 3, pressure=FIRM),
            ),
        ),
        Routine(
            id="lower_back_recovery",
            zone="lower_back",
            steps=(
                RoutineStep("warm_up_glide", 2, pressure=MEDIUM),
                RoutineStep("palm_circles", 4, pressure=MEDIUM_FIRM),
                RoutineStep("thumb_glide", 3, pressure=MEDIUM_FIRM),
                RoutineStep("finger_press", 3, pressure=MEDIUM),
            ),
        ),
    )
}

# When a device lacks a program, the first of these it has stands in (documented in README):
# glides become rolling, circles become kneading, presses become shiatsu. Also the vocabularies
# real devices use for the same moves (massage-techniques.md: a transport maps its vocabulary onto
# the catalogue), after ours: Tuya's manual modes tuina (pushing strokes) for glides and pinch
# (grasping) for circles; the Tuya neck massager's scraping_therapy (long strokes) for glides.
# Tapping is percussion: knock, beat and hammering come before any kneading.
PROGRAM_FALLBACKS: dict[str, tuple[str, ...]] = {
    "warm_up_glide": ("rolling", "thumb_glide", "kneading", "tuina", "scraping_therapy"),
    "palm_circles": ("kneading", "rolling", "shiatsu", "pinch"),
    "finger_press": ("shiatsu", "trigger_point", "kneading"),
    "thumb_glide": ("rolling", "warm_up_glide", "kneading", "tuina", "scraping_therapy"),
    "trigger_point": ("shiatsu", "finger_press", "kneading"),
    "ball_roll": ("rolling", "kneading"),
    "kneading": ("palm_circles", "shiatsu", "pinch"),
    "shiatsu": ("finger_press", "trigger_point", "kneading"),
    "tapping": ("knock", "beat", "hammering", "kneading", "shiatsu"),
    "rolling": ("warm_up_glide", "thumb_glide", "kneading", "tuina"),
}


def program_for_device(program: str, available: list[str]) -> str | None:
    """`program`, or its nearest equivalent the device has, or None."""
    if program in available:
        return program
    return next((alt for alt in PROGRAM_FALLBACKS.get(program, ()) if alt in available), None)
