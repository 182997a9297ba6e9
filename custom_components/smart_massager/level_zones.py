"""Zones with an intensity of their own, for a massager built from entities.

A bed base massages head and foot (and, on some, a wave or lumbar zone) at once, each at its own
level: Adjustable Bed (kristofferR/ha-adjustable-bed, commit 9337866) has per-zone numbers
`massage_head_intensity`, `massage_foot_intensity`, `massage_wave_intensity`, per-zone buttons
`massage_head_up/down`, `massage_foot_up/down` and level sensors `massage_head_level`,
`massage_foot_level`. Each zone here takes a number to set, or stronger/gentler buttons, and
optionally a sensor that reads its level back. Nothing here is about beds beyond the zone names:
any device with per-zone levels (an ESPHome build with two motors) uses the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass

ZONE_IDS = ("head", "foot", "wave")
# Display names, in Home Assistant's language where listed (a zone's name reaches entity names,
# sentences and voice matching); English otherwise.
ZONE_NAMES: dict[str, dict[str, str]] = {
    "en": {"head": "Head", "foot": "Foot", "wave": "Wave"},
    "de": {"head": "Kopf", "foot": "Fuß", "wave": "Welle"},
}
NUMBER = "intensity"  # a number to set the zone's level
STRONGER = "stronger"  # a button one level up
GENTLER = "gentler"  # a button one level down
LEVEL = "level"  # a sensor reading the level back
ZONE_ROLES = (NUMBER, STRONGER, GENTLER, LEVEL)
ZONE_ROLE_DOMAINS: dict[str, list[str]] = {
    NUMBER: ["number", "input_number"],
    STRONGER: ["button", "input_button"],
    GENTLER: ["button", "input_button"],
    LEVEL: ["sensor", "input_number"],
}


def zone_key(zone: str, role: str) -> str:
    """The entry field of one zone's role: `head_intensity_entity`."""
    return f"{zone}_{role}_entity"


ZONE_SOURCE_KEYS = tuple(zone_key(zone, role) for zone in ZONE_IDS for role in ZONE_ROLES)


@dataclass(frozen=True, slots=True)
class ZoneSources:
    """One zone's roles in an entry: the entry field of each role that is set, else None."""

    zone: str
    number: str | None
    stronger: str | None
    gentler: str | None
    level: str | None

    @property
    def stepped(self) -> bool:
        """Set by pressing buttons (its level is counted) rather than by a number."""
        return self.number is None


def configured_zones(config: dict[str, object]) -> list[ZoneSources]:
    """The zones an entry sets a level for, in ZONE_IDS order (a level sensor alone is none)."""
    zones: list[ZoneSources] = []
    for zone in ZONE_IDS:
        keys = {
            role: key
            for role in ZONE_ROLES
            if isinstance(value := config.get(key := zone_key(zone, role)), str) and value
        }
        if keys.keys() & {NUMBER, STRONGER, GENTLER}:
            zones.append(
                ZoneSources(
                    zone, keys.get(NUMBER), keys.get(STRONGER), keys.get(GENTLER), keys.get(LEVEL)
                )
            )
    return zones


def zone_name(zone: str, language: str) -> str:
    """The zone's name in `language` (English where that language is not listed)."""
    names = ZONE_NAMES.get(language.partition("-")[0], ZONE_NAMES["en"])
    return names.get(zone, zone)
