"""Check action input against a massager's capabilities before anything is sent.

Every refusal is a translated ServiceValidationError that names what is allowed. Used by the
actions and by the voice intents, so both refuse in the same words.
"""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from pysmartmassager import Capabilities, LevelRange, SessionSettings

from .const import DOMAIN


def refusal(key: str, **placeholders: object) -> ServiceValidationError:
    """A translated validation error; placeholders become strings."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={name: str(value) for name, value in placeholders.items()},
    )


def check_program(caps: Capabilities, program: str) -> str:
    """`program` if the device has it."""
    if program not in caps.program_ids:
        raise refusal("invalid_program", value=program, allowed=", ".join(caps.program_ids))
    return program


def check_zone(caps: Capabilities, zone: str) -> str:
    """`zone` if the device has it (a zone to choose, or a level zone)."""
    if zone not in caps.zone_ids and caps.level_zone(zone) is None:
        allowed = [*caps.zone_ids, *(level_zone.id for level_zone in caps.level_zones)]
        raise refusal("invalid_zone", value=zone, allowed=", ".join(allowed))
    return zone


def zone_alone(caps: Capabilities, zone: str, level: int | None) -> dict[str, int]:
    """Level-zone levels that massage `zone` alone ("massage my feet").

    `zone` at `level` (at its gentlest where None), every other level zone at its lowest.
    """
    levels: dict[str, int] = {}
    for level_zone in caps.level_zones:
        zone_range = level_zone.levels
        if level_zone.id != zone:
            levels[level_zone.id] = zone_range.minimum
        elif level is not None:
            levels[zone] = check_level(zone_range, level, "invalid_intensity")
        else:
            levels[zone] = zone_range.gentlest
    return levels


def check_level(levels: LevelRange, value: int, key: str = "invalid_intensity") -> int:
    """`value` if it is one of `levels`; refused naming the range."""
    if value not in levels:
        raise refusal(key, value=value, min=levels.minimum, max=levels.maximum, step=levels.step)
    return value


def intensity_levels(caps: Capabilities) -> LevelRange:
    """The device's intensity levels; refused for a device without any (a plain plug)."""
    if caps.intensity is None:
        raise refusal("intensity_not_supported")
    return caps.intensity


def check_intensity(caps: Capabilities, intensity: int) -> int:
    """`intensity` if it is one of the device's levels."""
    return check_level(intensity_levels(caps), intensity, "invalid_intensity")


def check_minutes(caps: Capabilities, minutes: int) -> int:
    """`minutes` if within the device's session range (its cap is never exceeded)."""
    return check_level(caps.session_minutes, minutes, "invalid_minutes")


def check_heat(caps: Capabilities, heat: bool) -> bool:
    """`heat` unless it asks for heat from a device without a heater."""
    if heat and not caps.heat:
        raise refusal("heat_not_supported")
    return heat


def check_settings(
    caps: Capabilities,
    *,
    program: str | None = None,
    zone: str | None = None,
    intensity: int | None = None,
    minutes: int | None = None,
    heat: bool | None = None,
) -> SessionSettings:
    """All given settings, checked; omitted ones stay None (the device keeps them).

    A level zone as `zone` (a bed's foot) is that zone alone, at `intensity`.
    """
    if zone is not None and caps.level_zone(zone) is not None:
        return SessionSettings(
            program=None if program is None else check_program(caps, program),
            zone_levels=zone_alone(caps, zone, intensity),
            minutes=None if minutes is None else check_minutes(caps, minutes),
            heat=None if heat is None else check_heat(caps, heat),
        )
    return SessionSettings(
        program=None if program is None else check_program(caps, program),
        zone=None if zone is None else check_zone(caps, zone),
        intensity=None if intensity is None else check_intensity(caps, intensity),
        minutes=None if minutes is None else check_minutes(caps, minutes),
        heat=None if heat is None else check_heat(caps, heat),
    )
