"""The reference massager's catalogue: programs, zones and limits.

From shared/design/massage-techniques.md: the hands-on sequence (warm-up glide to trigger
point), the self-massage ball roll, and the usual device programs. Zones sit beside the spine,
never on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROGRAMS: dict[str, str] = {
    "warm_up_glide": "Warm-up glide",
    "palm_circles": "Palm circles",
    "finger_press": "Finger press",
    "thumb_glide": "Thumb glide",
    "trigger_point": "Trigger point",
    "ball_roll": "Ball roll",
    "kneading": "Kneading",
    "shiatsu": "Shiatsu",
    "tapping": "Tapping",
    "rolling": "Rolling",
}

ZONES: dict[str, str] = {
    "shoulders": "Shoulders",
    "upper_back": "Upper back",
    "lower_back": "Lower back",
    "full_back": "Full back",
}


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What one emulated massager offers; tests build smaller ones (no heat, fewer programs)."""

    programs: dict[str, str] = field(default_factory=lambda: dict(PROGRAMS))
    zones: dict[str, str] = field(default_factory=lambda: dict(ZONES))
    intensity_min: int = 1
    intensity_max: int = 10
    intensity_step: int = 1
    minutes_min: int = 1
    minutes_max: int = 30
    minutes_default: int = 15
    heat: bool = True
    pause: bool = True
    pause_timeout_minutes: int = 10
    # Zones with an intensity of their own (a chair's neck and seat), each 0 (off) to
    # intensity_max. None by default: the reference massager has one intensity.
    level_zones: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The `capabilities` object of /api/v1/info."""
        capabilities: dict[str, object] = {
            "programs": [{"id": key, "name": name} for key, name in self.programs.items()],
            "zones": [{"id": key, "name": name} for key, name in self.zones.items()],
            "intensity": {
                "min": self.intensity_min,
                "max": self.intensity_max,
                "step": self.intensity_step,
            },
            "session_minutes": {
                "min": self.minutes_min,
                "max": self.minutes_max,
                "default": self.minutes_default,
            },
            "heat": self.heat,
            "pause": self.pause,
        }
        if self.pause:
            capabilities["pause_timeout_minutes"] = self.pause_timeout_minutes
        if self.level_zones:
            capabilities["level_zones"] = [
                {"id": key, "name": name, "min": 0, "max": self.intensity_max, "step": 1}
                for key, name in self.level_zones.items()
            ]
        return capabilities
