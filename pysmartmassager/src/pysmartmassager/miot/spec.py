"""A model's MIoT instance specification, read as a massage session: which property is what.

Xiaomi publishes one instance spec per model (miot-spec.org, the format every MIoT integration
reads: services with `iid`, `type`, and properties with `iid`, `type`, `format`, `access`,
`value-list` or `value-range`, `unit`). No complete massager spec could be cited for this
library, so no model's ids are shipped. Instead the roles are found by the names of the standard
massager service's properties (`urn:miot-spec-v2:service:massager:0000788E`, whose property
names hass-xiaomi-miot uses: on, mode, massage-strength, massage-part, heating, left-time,
status, fault; see docs/miot-massagers.md). The ids, formats and value lists always come from the
model's own published spec, never from here.

A spec is untrusted input: sizes are bounded and anything malformed is a MiotSpecError.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pysmartmassager.decoding import clean_text
from pysmartmassager.exceptions import MassagerError

# `massager` is the standard service type; `massage` is the service name hass-xiaomi-miot shows
# for the myoung.massage.m900 chair (al-one/hass-xiaomi-miot#2753).
MASSAGER_SERVICES = frozenset({"massager", "massage"})
# Our role -> the standard property name that carries it.
ROLE_NAMES: dict[str, str] = {
    "power": "on",
    "program": "mode",
    "intensity": "massage-strength",
    "zone": "massage-part",
    "heat": "heating",
    "remaining": "left-time",
    "status": "status",
    "fault": "fault",
}
# Where a service has no `mode`, its `massage-manipulation` (the technique) is the program: the
# m900 chair's massage service has both names (al-one/hass-xiaomi-miot#2753).
# A service without `heating` may have `heat-level` (MIoT's standard name for heat in steps).
FALLBACK_NAMES: dict[str, str] = {"program": "massage-manipulation", "heat": "heat-level"}
# Descriptions that name a heat level's "off" (an undescribed 0 is off too).
OFF_WORDS = frozenset({"off", "close", "closed", "stop"})
# Names a property must have to be heat in levels: a maker's other lists (a backrest's angle,
# a chair's mode) are never offered as heat, whatever their values.
_HEAT_WORDS = ("heat", "warm", "hot")
# Airbag switches (the m900's massage service has all-, shoulder-, arm- and leg-airbag-switch).
AIRBAG_SUFFIX = "-airbag-switch"
# A left-time without a unit is taken as minutes (and said so in diagnostics).
ASSUMED_UNIT = "minutes"
MAX_SERVICES = 64
MAX_PROPERTIES = 256
MAX_CHOICES = 64
MAX_TEXT = 64
MAX_IID = 65535
RANGE_PARTS = 3  # [min, max, step]
MAX_ACCESS_WORD = 16
STEP_TOLERANCE = 1e-9
INTEGER_FORMATS = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"})
NUMBER_FORMATS = INTEGER_FORMATS | {"float"}
_URN = re.compile(r"^urn:[a-z0-9-]+:(service|property):([a-z0-9_-]+)(:|$)", re.IGNORECASE)
# Descriptions some published specs leave as placeholders; such a value shows as its number.
_PLACEHOLDERS = frozenset({"", "na", "n/a", "null", "none", "-"})


class MiotSpecError(MassagerError):
    """The spec is malformed, or has nothing that runs a massage."""


type Value = int | float | bool | str


UNREADABLE: Final = object()  # a value a property's format cannot hold
_BOOL_WORDS: Final = {"true": True, "false": False, "1": True, "0": False}
_NUMBER_FORMATS: Final = frozenset(
    {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float"}
)


def _read_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in {0, 1}:
        return bool(value)
    if isinstance(value, str):
        return _BOOL_WORDS.get(value.strip().casefold(), UNREADABLE)
    return UNREADABLE


def _read_number(value: Any, *, whole: bool) -> Any:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return UNREADABLE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return UNREADABLE
    if isinstance(value, int):  # any size: a range check decides, no float conversion
        return value
    if not math.isfinite(value):
        return UNREADABLE
    if whole:
        return int(value) if value.is_integer() else UNREADABLE
    return value


@dataclass(frozen=True, slots=True)
class MiotProperty:
    """One property of the model: where it is, what it holds and what may be written."""

    siid: int
    piid: int
    name: str
    format: str
    access: frozenset[str]
    unit: str = ""
    choices: tuple[tuple[Value, str], ...] = ()  # (value, description) in the spec's order
    value_range: tuple[float, float, float] | None = None  # min, max, step

    @property
    def key(self) -> tuple[int, int]:
        """(siid, piid): how requests name it."""
        return (self.siid, self.piid)

    @property
    def readable(self) -> bool:
        """Whether get_properties may read it."""
        return "read" in self.access

    @property
    def writable(self) -> bool:
        """Whether set_properties may write it."""
        return "write" in self.access

    def describe(self, value: Any) -> str:
        """A value's description, or the value itself where the spec has none."""
        for known, text in self.choices:
            if known == value and not isinstance(known, bool) and not isinstance(value, bool):
                return text or clean_text(str(value), MAX_TEXT)
        return clean_text(str(value), MAX_TEXT)

    def read(self, value: Any) -> Any:
        """A value as the device reported it, in the spec's format; UNREADABLE if it cannot be.

        Firmware reports bools as 0/1 or "true"/"false" too, and numbers as strings: reading
        them by the format keeps a running massage from being taken for one that is off.
        """
        if self.format == "bool":
            return _read_bool(value)
        if self.format in _NUMBER_FORMATS:
            return _read_number(value, whole=self.format != "float")
        return value if isinstance(value, str) else UNREADABLE

    def allows(self, value: Any) -> bool:
        """Whether the spec allows writing `value` (type, list and range)."""
        if self.format == "bool":
            return isinstance(value, bool)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return False
        if self.choices:
            return any(value == known for known, _ in self.choices)
        if self.value_range is not None and isinstance(value, int | float):
            low, high, step = self.value_range
            on_step = (
                step <= 0
                or abs(((value - low) / step) - round((value - low) / step)) < STEP_TOLERANCE
            )
            return low <= value <= high and on_step
        return self.format == "string" and isinstance(value, str)

    def as_data(self) -> dict[str, Any]:
        """JSON-able, for a config entry (no spec download needed at every start)."""
        return {
            "siid": self.siid,
            "piid": self.piid,
            "name": self.name,
            "format": self.format,
            "access": sorted(self.access),
            "unit": self.unit,
            "value-list": [{"value": v, "description": d} for v, d in self.choices],
            "value-range": list(self.value_range) if self.value_range else None,
        }


@dataclass(frozen=True, slots=True)
class MiotMap:
    """The massage roles of one model: role -> property (only the roles the model has)."""

    model: str
    urn: str
    roles: dict[str, MiotProperty] = field(default_factory=dict)
    # Where the massage service has no massage-part: its airbag switches (all-airbag-switch,
    # shoulder-airbag-switch, ... as the m900 has them) are the zones, one switched on at a time.
    airbags: tuple[MiotProperty, ...] = ()

    def role(self, name: str) -> MiotProperty | None:
        """The property playing `name`, if the model has one."""
        return self.roles.get(name)

    def as_data(self) -> dict[str, Any]:
        """JSON-able, for a config entry."""
        return {
            "model": self.model,
            "urn": self.urn,
            "roles": {role: prop.as_data() for role, prop in self.roles.items()},
            "airbags": [prop.as_data() for prop in self.airbags],
        }

    @classmethod
    def from_data(cls, data: Any) -> MiotMap:
        """A map kept by `as_data`; MiotSpecError if it was tampered with."""
        if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
            raise MiotSpecError("not a stored MIoT map")
        roles = {}
        for role, raw in data["roles"].items():
            if role not in ROLE_NAMES or not isinstance(raw, dict):
                raise MiotSpecError(f"unknown role {str(role)[:MAX_TEXT]!r}")
            roles[role] = _property(raw, raw.get("siid"), raw.get("name"))
        airbags = data.get("airbags", [])  # an entry stored before airbags has none
        if not isinstance(airbags, list) or not all(isinstance(raw, dict) for raw in airbags):
            raise MiotSpecError("stored airbags are not a list of properties")
        stored = tuple(_property(raw, raw.get("siid"), raw.get("name")) for raw in airbags)
        return _checked(cls(_text(data.get("model")), _text(data.get("urn"), 256), roles, stored))


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    """Text from a spec (names, descriptions, the model): shown, so cleaned like all device text."""
    return clean_text(value, limit) if isinstance(value, str) else ""


def _iid(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_IID:
        raise MiotSpecError("an iid is not a small positive integer")
    return value


def _urn_name(value: Any, kind: str) -> str:
    match = _URN.match(value) if isinstance(value, str) else None
    return match.group(2).lower().replace("_", "-") if match and match.group(1) == kind else ""


def _property(raw: dict[str, Any], siid: Any, name: Any) -> MiotProperty:
    fmt = _text(raw.get("format"))
    if fmt not in NUMBER_FORMATS | {"bool", "string"}:
        raise MiotSpecError(f"unknown property format {fmt!r}")
    access = raw.get("access", [])
    if not isinstance(access, list):
        raise MiotSpecError("a property's access is not a list")
    choices = raw.get("value-list") or []
    if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
        raise MiotSpecError("a value-list is not a list of at most 64 values")
    parsed: list[tuple[Value, str]] = []
    for item in choices:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, int | float | str):
            raise MiotSpecError("a value-list entry has no value")
        description = _text(item.get("description"))
        parsed.append((value, "" if description.casefold() in _PLACEHOLDERS else description))
    span = raw.get("value-range")
    value_range: tuple[float, float, float] | None = None
    if span is not None:
        if (
            not isinstance(span, list)
            or len(span) != RANGE_PARTS
            or not all(
                isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
                for n in span
            )
            or span[0] > span[1]
            or span[2] < 0
        ):
            raise MiotSpecError("a value-range is not [min, max, step]")
        value_range = (span[0], span[1], span[2])
    return MiotProperty(
        siid=_iid(siid),
        piid=_iid(raw.get("piid", raw.get("iid"))),
        name=_text(name),
        format=fmt,
        access=frozenset(a for a in access if isinstance(a, str) and len(a) < MAX_ACCESS_WORD),
        unit=_text(raw.get("unit")),
        choices=tuple(parsed),
        value_range=value_range,
    )


def massager_map(model: str, spec: Any) -> MiotMap:
    """The massage roles in `spec` (a model's instance spec); MiotSpecError if none run it."""
    if not isinstance(spec, dict) or not isinstance(spec.get("services"), list):
        raise MiotSpecError("not a MIoT instance spec (no services)")
    services = spec["services"]
    if len(services) > MAX_SERVICES:
        raise MiotSpecError("the spec has too many services")
    roles: dict[str, MiotProperty] = {}
    wanted = {name: role for role, name in ROLE_NAMES.items()}
    fallback = {name: role for role, name in FALLBACK_NAMES.items()}
    second: dict[str, MiotProperty] = {}
    massage: dict[str, Any] = {}
    for service in services:
        if not isinstance(service, dict):
            raise MiotSpecError("a service is not an object")
        if _urn_name(service.get("type"), "service") not in MASSAGER_SERVICES or roles:
            continue  # the first massager service is the massage; a second is not guessed at
        properties = service.get("properties") or []
        if not isinstance(properties, list) or len(properties) > MAX_PROPERTIES:
            raise MiotSpecError("a service's properties are not a list of at most 256")
        massage = service
        for raw in properties:
            if not isinstance(raw, dict):
                raise MiotSpecError("a property is not an object")
            name = _urn_name(raw.get("type"), "property")
            if (role := wanted.get(name)) is not None and role not in roles:
                roles[role] = _property(raw, service.get("iid"), name)
            elif (role := fallback.get(name)) is not None and role not in second:
                second[role] = _property(raw, service.get("iid"), name)
    for role, prop in second.items():
        if role not in roles or not _fits(role, roles[role]):
            roles[role] = prop
    airbags = _airbags_of(massage) if "zone" not in roles else ()
    return _checked(MiotMap(_text(model), _text(spec.get("type"), 256), roles, airbags))


def _massage_service(spec: Any) -> dict[str, Any]:
    """The spec's first massager (or massage) service; {} without one."""
    services = spec.get("services") if isinstance(spec, dict) else None
    for service in services[:MAX_SERVICES] if isinstance(services, list) else []:
        if isinstance(service, dict) and _urn_name(service.get("type"), "service") in (
            MASSAGER_SERVICES
        ):
            return service
    return {}


def _airbags_of(service: dict[str, Any]) -> tuple[MiotProperty, ...]:
    """The airbag switches of the massage service (checked for use as zones by _checked).

    One the spec describes unreadably is left out: the rest of the spec still counts.
    """
    found: list[MiotProperty] = []
    properties = service.get("properties")
    for raw in properties[:MAX_PROPERTIES] if isinstance(properties, list) else []:
        name = _urn_name(raw.get("type"), "property") if isinstance(raw, dict) else ""
        if not name.endswith(AIRBAG_SUFFIX) or len(found) >= MAX_CHOICES:
            continue
        try:
            found.append(_property(raw, service.get("iid"), name))
        except MiotSpecError:
            continue
    return tuple(found)


def offered_roles(spec: Any) -> dict[str, list[MiotProperty]]:
    """For each role, every property of the spec (a vendor's service too) that can play it.

    For the owner to choose from when the standard names miss what a model has (the m900's
    vendor service has its own time control, air level and speed); device information is left
    out. A property the spec describes unreadably is skipped, not an error: the rest is offered.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("services"), list):
        raise MiotSpecError("not a MIoT instance spec (no services)")
    offered: dict[str, list[MiotProperty]] = {role: [] for role in ROLE_NAMES}
    for service in spec["services"][:MAX_SERVICES]:
        if not isinstance(service, dict):
            continue
        if _urn_name(service.get("type"), "service") == "device-information":
            continue
        properties = service.get("properties")
        for raw in properties[:MAX_PROPERTIES] if isinstance(properties, list) else []:
            if not isinstance(raw, dict):
                continue
            try:
                prop = _property(raw, service.get("iid"), _urn_name(raw.get("type"), "property"))
            except MiotSpecError:
                continue
            for role, found in offered.items():
                if _fits(role, prop) and (role != "heat" or _named_for_heat(prop)):
                    found.append(prop)
    return offered


def map_with_roles(model: str, spec: Any, chosen: Mapping[str, tuple[int, int]]) -> MiotMap:
    """The map of the properties the owner chose per role; MiotSpecError if one does not fit."""
    offered = offered_roles(spec)
    roles: dict[str, MiotProperty] = {}
    for role, key in chosen.items():
        prop = next((p for p in offered.get(role, []) if p.key == key), None)
        if prop is None:
            raise MiotSpecError(f"{role}: no fitting property at {key}")
        roles[role] = prop
    # The massage service's airbags, as zones where the owner chose no zone.
    airbags = _airbags_of(_massage_service(spec)) if "zone" not in roles else ()
    return _checked(MiotMap(_text(model), _text(spec.get("type"), 256), roles, airbags))


def _checked(found: MiotMap) -> MiotMap:
    """Only roles whose property fits what the role needs; power is required."""
    roles = {role: prop for role, prop in found.roles.items() if _fits(role, prop)}
    if "power" not in roles:
        raise MiotSpecError("no writable on/off of a massager service in this spec")
    return MiotMap(found.model, found.urn, roles, airbag_zones(roles, found.airbags))


def airbag_zones(
    roles: Mapping[str, MiotProperty], airbags: tuple[MiotProperty, ...]
) -> tuple[MiotProperty, ...]:
    """The airbag switches as zones: only without a zone role.

    Only switches that read and write, and two or more (one airbag is no choice of where).
    """
    if "zone" in roles:
        return ()
    taken = {prop.key for prop in roles.values()}  # an airbag chosen as power or heat is that
    usable = tuple(
        prop
        for prop in airbags
        if prop.format == "bool"
        and prop.readable
        and prop.writable
        and prop.name.endswith(AIRBAG_SUFFIX)
        and prop.key not in taken
    )
    return usable if len(usable) > 1 else ()


def _named_for_heat(prop: MiotProperty) -> bool:
    """Whether a property may be offered as heat: a switch, or heat in levels named for heat.

    A maker's other lists (a backrest's angle, a chair's mode) are never offered as heat; a heat
    an owner chose before this rule stays in use (its stop still switches it off).
    """
    return prop.format == "bool" or any(word in prop.name for word in _HEAT_WORDS)


def heat_values(prop: MiotProperty) -> tuple[Value, Value] | None:
    """(off, on) of a heat property; None where the property has no off.

    False and True for a switch; for heat in levels, the level that is off and the gentlest one
    above it (what a session's heat switches on: the safest).
    """
    if prop.format == "bool":
        return (False, True)
    if prop.format not in INTEGER_FORMATS:
        return None
    found: tuple[Value, Value] | None = None
    if prop.choices:
        whole = [
            (v, text) for v, text in prop.choices if isinstance(v, int) and not isinstance(v, bool)
        ]
        # Off is the value described as off; only where none is, an undescribed 0 (a 0 that is
        # described, "Low", is a level: taking it for off would leave the heat on).
        named = [v for v, text in whole if text.strip().casefold() in OFF_WORDS]
        off = named[0] if len(named) == 1 else None
        if not named and any(v == 0 and not text for v, text in whole):
            off = 0
        warmer = sorted(v for v, _ in whole if off is not None and v > off)
        found = (off, warmer[0]) if off is not None and warmer else None
    elif prop.value_range is not None:
        low, high, step = prop.value_range
        if low == 0 and step >= 1 and float(step).is_integer() and high >= low + step:
            found = (0, int(low + step))
    # Both must be values the spec allows: a write the device refuses would fail the stop.
    return found if found and prop.allows(found[0]) and prop.allows(found[1]) else None


def _fits(role: str, prop: MiotProperty) -> bool:
    integer = prop.format in INTEGER_FORMATS
    match role:
        case "power":
            return prop.format == "bool" and prop.readable and prop.writable
        case "heat":  # a switch, or heat in levels with an off (switched on at the gentlest)
            return heat_values(prop) is not None and prop.readable and prop.writable
        case "program" | "zone":
            return bool(prop.choices) and prop.readable and prop.writable
        case "intensity":
            ranged = (
                integer
                and prop.value_range is not None
                and all(float(n).is_integer() for n in prop.value_range)
                and prop.value_range[2] >= 1
            )
            return (bool(prop.choices) or ranged) and prop.readable and prop.writable
        case "remaining":
            return integer and prop.readable and prop.unit in ("minutes", "seconds", "")
        case _:  # status, fault: shown, never written
            return prop.readable and (integer or prop.format == "bool")
