"""Datapoints: a device's id-to-code mapping, and the shipped maps that give the codes a meaning.

Locally a Tuya device speaks datapoint ids ("1", "13"); what they mean comes from the device's
cloud specification, which tinytuya's wizard saves as `mapping` in its `devices.json`. The
meaning of the codes for a massager (which one runs the massage, which are programs, ...) comes
from Tuya's published standard instruction sets, shipped as data files in `categories/` (and real
products with published datapoint ids in `products/`), each citing its source. Every file is
checked against the schema below when it is loaded; a device's own mapping is untrusted input
and is bounded and checked the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pysmartmassager.decoding import clean_text
from pysmartmassager.exceptions import MassagerResponseError

from .protocol import TuyaKeyError, local_key_bytes

TYPES = frozenset({"Boolean", "Integer", "Enum", "String", "Bitmap", "Json", "Raw"})
ROLES = ("power", "programs", "intensity", "zone", "heat", "session_minutes", "remaining", "fault")
# The Tuya types that can play each role. Heat may be an Enum (Tuya's reference neck massager:
# "strong"/"off"), then with its off value in the map's off_values.
ROLE_TYPES: Mapping[str, frozenset[str]] = {
    "power": frozenset({"Boolean"}),
    "programs": frozenset({"Enum"}),
    "intensity": frozenset({"Enum", "Integer"}),
    "zone": frozenset({"Enum"}),
    "heat": frozenset({"Boolean", "Enum"}),
    "session_minutes": frozenset({"Integer", "Enum"}),
    "remaining": frozenset({"Integer"}),
    "fault": frozenset({"Bitmap", "Enum", "Integer"}),
}
# A map of one device (its owner confirmed the roles), stored in its entry: cites no source.
DEVICE_MAP_KEY = "device"
MAX_DATAPOINTS = 255  # datapoint ids are one byte in Tuya's protocol
MAX_ENUM_VALUES = 64
MAX_TEXT = 64
MAX_SCALE = 6  # Tuya's Integer scale: the value is in 10^-scale units
MAX_UNIT = 16
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class TuyaMapError(MassagerResponseError):
    """A datapoint map (shipped, pasted or from a device) that does not follow the schema."""


class DevicesJsonKeyError(TuyaMapError):
    """A devices.json whose devices all have a local key that cannot be one (a damaged file)."""


@dataclass(frozen=True, slots=True)
class Datapoint:
    """One datapoint: its local id, its code, Tuya's type and the value specification."""

    dp_id: str
    code: str
    type: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def enum_range(self) -> tuple[str, ...]:
        """An Enum's values, in the device's order."""
        return tuple(self.values.get("range", ())) if self.type == "Enum" else ()

    @property
    def integer_range(self) -> tuple[int, int, int, int]:
        """An Integer's (min, max, step, scale); scale n means the value is tenths^n of the unit."""
        values = self.values
        return (values["min"], values["max"], values.get("step", 1) or 1, values.get("scale", 0))


@dataclass(frozen=True, slots=True)
class Roles:
    """Which codes play which part of a massage session (None: the device has no such code)."""

    power: str
    programs: tuple[str, ...] = ()
    intensity: str | None = None
    zone: str | None = None
    heat: str | None = None
    session_minutes: str | None = None
    remaining: str | None = None
    fault: str | None = None
    # A power datapoint that reads false while the massage runs (some firmwares invert it).
    power_inverted: bool = False

    def codes(self) -> list[str]:
        """Every code with a role."""
        single = (self.intensity, self.zone, self.heat, self.session_minutes, self.remaining)
        return [self.power, *self.programs, *(c for c in (*single, self.fault) if c)]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a map comes from."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class CategoryMap:
    """A shipped map: the published codes of a category (or a product) and their roles."""

    key: str  # the file's name: the category ("amy") or "product:<product id>"
    category: str
    name: str
    sources: tuple[Source, ...]
    datapoints: Mapping[str, Datapoint]  # by code; dp_id is "" unless published (products)
    roles: Roles
    off_values: Mapping[str, str]
    product_id: str | None = None

    @property
    def has_dp_ids(self) -> bool:
        """Whether the source publishes the datapoint ids (a product), not only the codes."""
        return all(self.datapoints[code].dp_id for code in self.roles.codes())


@dataclass(frozen=True, slots=True)
class DeviceMapping:
    """A device's datapoints, by id and by code."""

    datapoints: tuple[Datapoint, ...]

    def by_code(self, code: str | None) -> Datapoint | None:
        """The datapoint with this code, if the device has one."""
        return next((dp for dp in self.datapoints if dp.code == code), None) if code else None

    def by_id(self, dp_id: str) -> Datapoint | None:
        """The datapoint with this id, if the device has one."""
        return next((dp for dp in self.datapoints if dp.dp_id == dp_id), None)

    def as_json(self) -> dict[str, dict[str, Any]]:
        """In tinytuya's `mapping` shape, for storing in a config entry."""
        return {
            dp.dp_id: {"code": dp.code, "type": dp.type, "values": dict(dp.values)}
            for dp in self.datapoints
        }


# -- checking ------------------------------------------------------------------------------------


def _text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise TuyaMapError(f"{what} must be a text of 1-{limit} characters")
    return value


def _code(value: object, what: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise TuyaMapError(f"{what} is not a datapoint code: {str(value)[:40]!r}")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**31:
        raise TuyaMapError(f"{what} must be a whole number")
    return value


def _values(kind: str, raw: object, what: str) -> dict[str, Any]:
    """A value specification, checked for the types that carry one that matters here."""
    if isinstance(raw, str):  # the cloud API returns the specification as a JSON text
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError) as err:
            raise TuyaMapError(f"{what}: the values are not JSON") from err
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise TuyaMapError(f"{what}: the values must be an object")
    if kind == "Enum":
        options = raw.get("range")
        if (
            not isinstance(options, list)
            or not 1 <= len(options) <= MAX_ENUM_VALUES
            or len(set(map(str, options))) != len(options)
        ):
            raise TuyaMapError(f"{what}: an Enum needs 1-{MAX_ENUM_VALUES} distinct values")
        return {"range": [_text(option, f"{what} value") for option in options]}
    if kind == "Integer":
        low, high = _int(raw.get("min"), f"{what} min"), _int(raw.get("max"), f"{what} max")
        step = _int(raw.get("step", 1), f"{what} step")
        scale = _int(raw.get("scale", 0), f"{what} scale")
        if low > high or step < 1 or not 0 <= scale <= MAX_SCALE:
            raise TuyaMapError(f"{what}: an impossible range")
        spec: dict[str, Any] = {"min": low, "max": high, "step": step, "scale": scale}
        if isinstance(raw.get("unit"), str) and len(raw["unit"]) <= MAX_UNIT:
            spec["unit"] = raw["unit"]
        return spec
    return {}  # Boolean, String, Bitmap, Json, Raw: nothing here depends on their details


def _datapoint(dp_id: str, code: object, kind: object, values: object) -> Datapoint:
    checked_code = _code(code, f"datapoint {dp_id}")
    if not isinstance(kind, str) or kind not in TYPES:
        raise TuyaMapError(f"{checked_code}: unknown type {str(kind)[:20]!r}")
    return Datapoint(dp_id, checked_code, kind, _values(kind, values, checked_code))


def parse_mapping(raw: object) -> DeviceMapping:
    """A device's mapping as tinytuya's wizard saves it: {"1": {"code", "type", "values"}, ...}."""
    if not isinstance(raw, dict) or not 1 <= len(raw) <= MAX_DATAPOINTS:
        raise TuyaMapError(f"a mapping is an object of 1-{MAX_DATAPOINTS} datapoints")
    datapoints = []
    for dp_id, spec in raw.items():
        if (
            not isinstance(dp_id, str)
            or not (dp_id.isascii() and dp_id.isdecimal())
            or not 1 <= int(dp_id) <= MAX_DATAPOINTS
        ):
            raise TuyaMapError(f"datapoint id {str(dp_id)[:10]!r} is not 1-255")
        if not isinstance(spec, dict):
            raise TuyaMapError(f"datapoint {dp_id} is not an object")
        datapoints.append(_datapoint(dp_id, spec.get("code"), spec.get("type"), spec.get("values")))
    if len({dp.code for dp in datapoints}) != len(datapoints):
        raise TuyaMapError("two datapoints share a code")
    return DeviceMapping(tuple(sorted(datapoints, key=lambda dp: int(dp.dp_id))))


def parse_map_document(document: object, key: str) -> CategoryMap:
    """A shipped map file, checked against the schema (see docs/tuya-datapoints.md)."""
    if not isinstance(document, dict) or document.get("schema") != 1:
        raise TuyaMapError(f"{key}: not a schema 1 map")
    sources = document.get("sources")
    if key == DEVICE_MAP_KEY and sources is None:
        sources = []  # the device's own datapoints are the source
    elif not isinstance(sources, list) or not sources:
        raise TuyaMapError(f"{key}: a map must cite its sources")
    cited = tuple(
        Source(_text(s.get("title"), "title", 300), _text(s.get("url"), "url", 500))
        for s in sources
        if isinstance(s, dict)
    )
    if len(cited) != len(sources) or not all(s.url.startswith("https://") for s in cited):
        raise TuyaMapError(f"{key}: every source needs a title and an https URL")
    raw_points = document.get("datapoints")
    if not isinstance(raw_points, dict) or not raw_points:
        raise TuyaMapError(f"{key}: no datapoints")
    dp_ids = document.get("dp_ids") or {}
    if not isinstance(dp_ids, dict):
        raise TuyaMapError(f"{key}: dp_ids must be an object")
    points: dict[str, Datapoint] = {}
    for code, spec in raw_points.items():
        if not isinstance(spec, dict):
            raise TuyaMapError(f"{key}: {code} is not an object")
        dp_id = str(_int(dp_ids[code], f"{code} dp id")) if code in dp_ids else ""
        points[code] = _datapoint(dp_id, code, spec.get("type"), spec.get("values"))
    roles = _roles(document.get("roles"), points, key, document.get("power_inverted", False))
    off_values = document.get("off_values") or {}
    if not isinstance(off_values, dict) or any(
        code not in points or value not in points[code].enum_range
        for code, value in off_values.items()
    ):
        raise TuyaMapError(f"{key}: an off value that is not one of its datapoint's values")
    if roles.heat and points[roles.heat].type == "Enum" and roles.heat not in off_values:
        raise TuyaMapError(f"{key}: an Enum heat needs its off value")
    product_id = document.get("product_id")
    return CategoryMap(
        key=key,
        category=_code(document.get("category"), f"{key} category"),
        name=_text(document.get("name"), f"{key} name"),
        sources=cited,
        datapoints=points,
        roles=roles,
        off_values=dict(off_values),
        product_id=_text(product_id, "product_id") if product_id is not None else None,
    )


def _roles(raw: object, points: Mapping[str, Datapoint], key: str, inverted: object) -> Roles:
    if not isinstance(raw, dict) or set(raw) - set(ROLES):
        raise TuyaMapError(f"{key}: roles must be an object of {', '.join(ROLES)}")
    if not isinstance(inverted, bool):
        raise TuyaMapError(f"{key}: power_inverted must be true or false")
    expected = ROLE_TYPES

    def role(name: str) -> str | None:
        code = raw.get(name)
        if code is None:
            return None
        if code not in points or points[code].type not in expected[name]:
            kinds = ", ".join(sorted(expected[name]))
            raise TuyaMapError(f"{key}: role {name} needs one of its {kinds} datapoints")
        return str(code)

    programs = raw.get("programs") or []
    if not isinstance(programs, list) or any(
        code not in points or points[code].type != "Enum" for code in programs
    ):
        raise TuyaMapError(f"{key}: programs must be Enum datapoints of the map")
    power = role("power")
    if power is None:
        raise TuyaMapError(f"{key}: a massager map needs the power role")
    return Roles(
        power=power,
        programs=tuple(programs),
        intensity=role("intensity"),
        zone=role("zone"),
        heat=role("heat"),
        session_minutes=role("session_minutes"),
        remaining=role("remaining"),
        fault=role("fault"),
        power_inverted=inverted,
    )


# -- the shipped maps ----------------------------------------------------------------------------


@cache
def shipped_maps() -> dict[str, CategoryMap]:
    """Every shipped map by key: categories by their code, products as "product:<id>"."""
    maps: dict[str, CategoryMap] = {}
    root = resources.files(__package__)
    for folder, prefix in (("categories", ""), ("products", "product:")):
        directory = root / folder
        if not directory.is_dir():
            continue
        for item in sorted(directory.iterdir(), key=lambda entry: entry.name):
            if not item.name.endswith(".json"):
                continue
            key = prefix + item.name.removesuffix(".json")
            maps[key] = parse_map_document(json.loads(item.read_text("utf-8")), key)
    return maps


def category_keys() -> list[str]:
    """The shipped category maps (not products), for a user to choose from."""
    return [key for key in shipped_maps() if not key.startswith("product:")]


def map_for(category: str | None, product_id: str | None, mapping: DeviceMapping) -> CategoryMap:
    """The shipped map that gives a device's codes their roles.

    A product's own map first, then its category's. A device whose category is not given gets the
    map whose Boolean power code it has with the most other role codes (at least one: a plug's
    lone `switch` is no massager). A device of another category is none. TuyaMapError when none
    fits: not a massager.
    """
    maps = shipped_maps()
    if product_id and (product := maps.get(f"product:{product_id}")) is not None:
        return product
    if category:
        if category in maps and _powered(maps[category], mapping):
            return maps[category]
        raise TuyaMapError(f"category {category[:20]!r} is not a massager Smart Massager knows")
    fitting = [
        (sum(mapping.by_code(code) is not None for code in m.roles.codes()), key)
        for key, m in maps.items()
        if not key.startswith("product:") and _powered(m, mapping)
    ]
    if not fitting or max(fitting)[0] < 2:  # noqa: PLR2004  # power and one more role
        raise TuyaMapError("no datapoint of this device starts a massage")
    return maps[max(fitting)[1]]


def _powered(category_map: CategoryMap, mapping: DeviceMapping) -> bool:
    power = mapping.by_code(category_map.roles.power)
    return power is not None and power.type == "Boolean"


def mapping_from_ids(category_map: CategoryMap, dp_ids: Mapping[str, int]) -> DeviceMapping:
    """A device mapping from a shipped map's codes and the ids the user entered for them."""
    points = []
    for code, dp_id in dp_ids.items():
        if code not in category_map.datapoints:
            raise TuyaMapError(f"{code} is not a datapoint of {category_map.name}")
        published = category_map.datapoints[code]
        points.append(Datapoint(str(dp_id), code, published.type, published.values))
    return parse_mapping(
        {dp.dp_id: {"code": dp.code, "type": dp.type, "values": dict(dp.values)} for dp in points}
    )


# -- tinytuya's devices.json ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DevicesJsonEntry:
    """One device of a tinytuya `devices.json` (the wizard's output)."""

    device_id: str = field(repr=False)
    local_key: str = field(repr=False)  # a secret: kept out of any repr that reaches a log
    name: str
    ip: str | None
    version: str | None
    category: str | None
    product_id: str | None
    mapping: DeviceMapping | None


MAX_DEVICES_JSON = 1024 * 1024
LOCAL_KEY_LENGTH = 16


def parse_devices_json(text: str) -> list[DevicesJsonEntry]:
    """A pasted devices.json (a list) or one entry of it (an object). TuyaMapError if neither."""
    if len(text) > MAX_DEVICES_JSON:
        raise TuyaMapError("more than 1 MiB: not a devices.json")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise TuyaMapError("not JSON") from err
    items = document if isinstance(document, list) else [document]
    entries = []
    refused: list[TuyaMapError] = []
    # One odd device (a hub, a device without a key) must not hide the massager next to it.
    for item in items[:MAX_DATAPOINTS]:
        try:
            entries.append(_devices_json_entry(item))
        except TuyaMapError as err:
            refused.append(err)
    if not entries:
        # A damaged key is said as such: the file is a devices.json all the same.
        keys = [err for err in refused if isinstance(err, DevicesJsonKeyError)]
        raise keys[0] if keys else TuyaMapError("no device entry with an id and a key")
    return entries


def _local_key(value: object) -> str:
    key = _text(value, "key", LOCAL_KEY_LENGTH)
    try:
        local_key_bytes(key)
    except TuyaKeyError as err:
        raise DevicesJsonKeyError(str(err)) from err
    return key


def _devices_json_entry(item: object) -> DevicesJsonEntry:
    if not isinstance(item, dict):
        raise TuyaMapError("a device entry is not an object")
    raw_mapping = item.get("mapping")
    version = item.get("version")
    return DevicesJsonEntry(
        device_id=_text(item.get("id"), "id"),
        local_key=_local_key(item.get("key")),
        # Shown as the entry's title and the device's name: cleaned like all device text.
        name=clean_text(str(item.get("name") or item.get("product_name") or ""), MAX_TEXT)
        or "Tuya massager",
        ip=_text(item["ip"], "ip") if item.get("ip") else None,
        version=str(version)[:8] if version else None,
        category=str(item["category"])[:MAX_TEXT] if item.get("category") else None,
        product_id=str(item["product_id"])[:MAX_TEXT] if item.get("product_id") else None,
        mapping=parse_mapping(raw_mapping) if raw_mapping else None,
    )
