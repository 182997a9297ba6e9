"""Roles for a Tuya massager no shipped map fits, proposed from its own datapoints.

Confirmed by its owner, they are kept as a map of that one device.

Real Tuya massagers often keep nothing on the published standard codes: Tuya's own reference
design of a smart neck massager (github.com/tuya/tuya-iotos-embeded-demo-ble-smart-neck-massager)
has every function on a custom id (101 low battery, 102 heat as an Enum, 103 the gear as an Enum
of "0".."15", 104 the mode, 105 the switch), and its codes are whatever the product's cloud
model says. So each role's candidates are the datapoints of a type that can play it, ranked by
the words in their codes: English and the pinyin Tuya products use (kaiguan switch, moshi mode,
dangwei gear, lidu strength, shoufa technique, buwei body part, jiare heating, dingshi timer,
shengyu remaining, guzhang fault). The owner confirms or changes every proposal; the result is a
map document checked by the same schema as the shipped maps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .datapoints import (
    DEVICE_MAP_KEY,
    ROLE_TYPES,
    ROLES,
    CategoryMap,
    Datapoint,
    DeviceMapping,
    TuyaMapError,
    parse_map_document,
)

# Words in a code that suggest a role, strongest first; a code is split at "_" and digits.
WORDS: Mapping[str, tuple[str, ...]] = {
    "power": ("switch", "power", "onoff", "kaiguan", "on", "start"),
    "programs": ("mode", "program", "pattern", "moshi", "manipulation", "technique", "shoufa"),
    "intensity": ("gear", "strength", "intensity", "level", "speed", "dangwei", "lidu", "force"),
    "zone": ("location", "part", "position", "zone", "area", "buwei"),
    "heat": ("heat", "heating", "hot", "warm", "jiare", "compress"),
    "session_minutes": ("time", "timer", "set", "duration", "dingshi", "shijian"),
    "remaining": ("left", "remain", "remaining", "countdown", "shengyu"),
    "fault": ("fault", "error", "alarm", "guzhang"),
}
# The order roles are proposed in: a datapoint taken by one is not proposed for the next.
PROPOSAL_ORDER = (
    "power",
    "remaining",
    "session_minutes",
    "heat",
    "intensity",
    "zone",
    "programs",
    "fault",
)
# Values that say "off" in an Enum (a heat of "strong"/"off", a mode with "close").
OFF_WORDS = ("off", "close", "closed", "none", "stop", "guan")
_PARTS = re.compile(r"[a-z]+")


@dataclass(frozen=True, slots=True)
class Proposal:
    """For each role its candidate codes (best first) and the code proposed (None: no role)."""

    candidates: Mapping[str, tuple[str, ...]]
    proposed: Mapping[str, str | None]
    programs: tuple[str, ...]  # the programs role takes several Enums
    # The proposed heat's "off" value where it is an Enum (a program's or zone's off is found
    # when the roles are confirmed: the owner chooses only the heat's).
    heat_off: str | None = None


def _score(code: str, role: str) -> int:
    parts = _PARTS.findall(code)
    words = WORDS[role]
    best = 0
    for rank, word in enumerate(words):
        if word in parts or (len(word) > 3 and word in code):  # noqa: PLR2004  # short words whole
            best = max(best, len(words) - rank)
    return best


def _rank(role: str) -> Callable[[Datapoint], tuple[int, int]]:
    """Best-scored first, then in the device's id order."""
    return lambda dp: (-_score(dp.code, role), int(dp.dp_id))


# What the role step offers: the types the transport can run for each role (a shipped map may
# name more). A session length in minutes is an Integer; a fault Enum would read its every
# value, "normal" too, as a fault, so only a Bitmap or a number of faults is offered.
OFFERED_TYPES: Mapping[str, frozenset[str]] = {
    **ROLE_TYPES,
    "session_minutes": frozenset({"Integer"}),
    "fault": frozenset({"Bitmap", "Integer"}),
}


def _fits(dp: Datapoint, role: str) -> bool:
    # An Enum is a choice only with two values or more (a heat needs its off and an on).
    return dp.type in OFFERED_TYPES[role] and (dp.type != "Enum" or len(dp.enum_range) >= 2)  # noqa: PLR2004


def off_value(dp: Datapoint) -> str | None:
    """The value of an Enum that reads as "off", if one does."""
    return next((value for value in dp.enum_range if value.casefold() in OFF_WORDS), None)


def propose(mapping: DeviceMapping) -> Proposal:
    """Candidates and a proposal for every role, from the device's codes, types and ranges."""
    candidates: dict[str, tuple[str, ...]] = {}
    for role in ROLES:
        fitting = [dp for dp in mapping.datapoints if _fits(dp, role)]
        candidates[role] = tuple(dp.code for dp in sorted(fitting, key=_rank(role)))
    taken: set[str] = set()
    proposed: dict[str, str | None] = {}
    programs: list[str] = []
    for role in PROPOSAL_ORDER:
        scored = [code for code in candidates[role] if code not in taken and _score(code, role) > 0]
        if role == "programs":
            programs = scored
            taken.update(scored)
            continue
        proposed[role] = scored[0] if scored else None
        taken.update(scored[:1])
    heat = mapping.by_code(proposed.get("heat"))
    heat_off = None
    if heat is not None and heat.type == "Enum":
        # An Enum heat needs an off: the one that reads so, else its last; the owner confirms.
        heat_off = off_value(heat) or heat.enum_range[-1]
    return Proposal(candidates, proposed, tuple(programs), heat_off)


def device_map(document: Mapping[str, Any]) -> CategoryMap:
    """The map of one device from its document; TuyaMapError if the roles do not fit."""
    return parse_map_document(document, DEVICE_MAP_KEY)


def device_map_document(
    mapping: DeviceMapping,
    name: str,
    roles: Mapping[str, Any],
    off_values: Mapping[str, str],
    *,
    power_inverted: bool = False,
) -> dict[str, Any]:
    """The schema-1 document of a device's own map (stored in its entry, read back the same)."""
    used = {
        code
        for role, value in roles.items()
        if value
        for code in (value if isinstance(value, list | tuple) else [value])
    }
    unknown = sorted(code for code in used if mapping.by_code(code) is None)
    if unknown:
        raise TuyaMapError(f"not datapoints of this device: {', '.join(unknown)[:80]}")
    return {
        "schema": 1,
        "category": DEVICE_MAP_KEY,
        "name": name,
        "datapoints": {
            dp.code: {"type": dp.type, "values": dict(dp.values)}
            for dp in mapping.datapoints
            if dp.code in used
        },
        "dp_ids": {dp.code: int(dp.dp_id) for dp in mapping.datapoints if dp.code in used},
        "roles": {role: roles.get(role) or ([] if role == "programs" else None) for role in ROLES},
        "off_values": {code: value for code, value in off_values.items() if code in used},
        "power_inverted": power_inverted,
    }
