"""An emulated MIoT massager's properties and behaviour: no sockets, no bytes, no event loop.

The server (server.py) turns miio requests into calls here. Everything the device holds is
described by its product's MIoT instance spec (products/*.json, the miot-spec.org format);
properties are addressed on the wire by (siid, piid) and here, for tests, by NAME: the word
after "property:" in the property's type URN (`on`, `mode`, `left-time`, ...).

Per-item error codes (the "code" of one get/set/action result; 0 is success). The local miio
protocol has no public specification of them; what is known:

- python-miio 0.5.12 records real devices answering, in the docstrings of
  miio/integrations/airpurifier/zhimi/airpurifier_miot.py (-4001),
  miio/integrations/fan/dmaker/fan_miot.py (-4003) and
  miio/integrations/fan/zhimi/zhimi_miot.py (-4005), without saying what they mean;
- MiEcosystem/miot-spec-doc, 小米IOT控制端API.md ("四. 状态码"), gives the cloud form
  -70xxxyzzz whose last digits are 003 "Property不存在", 013 "Property不可读",
  023 "Property不可写", 043 "Property值错误", 005 "Action不存在", 035 "Action参数错误".

So: -4003 for a property or action that does not exist (seen in python-miio; the meaning is
assumed from the 003 of miot-spec-doc), -4001 not readable (seen in python-miio; meaning
assumed), -4002 not writable (assumed: no source seen), -4005 a bad value or bad action
arguments (seen in python-miio; meaning assumed).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

PRODUCTS_DIR = Path(__file__).parent / "products"

type Value = bool | int | float | str

CODE_OK = 0
CODE_NOT_READABLE = -4001
CODE_NOT_WRITABLE = -4002
CODE_NOT_FOUND = -4003
CODE_BAD_VALUE = -4005

# The standard service type, and the service name of the m900 chair (al-one/hass-xiaomi-miot#2753).
MASSAGER_SERVICES = ("massager", "massage")
SECONDS_PER_MINUTE = 60
# The chair's status value-list (products/chair.json).
STATUS_IDLE, STATUS_MASSAGING, STATUS_FINISHED = 0, 1, 2

_INT_FORMATS = {
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


def urn_name(urn: str) -> str:
    """The name in a MIoT type URN: `urn:miot-spec-v2:property:<name>:...` gives <name>."""
    parts = urn.split(":")
    return parts[3] if len(parts) > 3 else ""  # noqa: PLR2004  # urn, namespace, kind, name


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """One property of an instance spec."""

    siid: int
    piid: int
    name: str
    format: str
    access: tuple[str, ...]
    value_list: tuple[Value, ...] = ()
    value_range: tuple[float, float, float] | None = None
    unit: str | None = None

    @property
    def readable(self) -> bool:
        """True if get_properties may read it."""
        return "read" in self.access

    @property
    def writable(self) -> bool:
        """True if set_properties may write it."""
        return "write" in self.access

    def accepts(self, value: object) -> bool:
        """True if `value` has the spec's format and is in its value-list or value-range."""
        if not self._has_format(value):
            return False
        if self.value_list and value not in self.value_list:
            return False
        if self.value_range is None or not isinstance(value, int | float):
            return True
        low, high, step = self.value_range
        if not low <= value <= high:
            return False
        return not step or math.isclose(((value - low) / step) % 1, 0, abs_tol=1e-9)

    def _has_format(self, value: object) -> bool:
        if self.format == "bool":
            return isinstance(value, bool)
        if self.format == "string":
            return isinstance(value, str)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False  # bool is an int in Python, but `true` is not a number on the wire
        if self.format == "float":
            return True
        bounds = _INT_FORMATS.get(self.format)
        return bounds is not None and isinstance(value, int) and bounds[0] <= value <= bounds[1]

    def off_value(self) -> Value:
        """What the product's heat goes to at a session's end.

        False for a switch, 0 for heat in levels where 0 is one of its values (the emulator's
        heat-level products), else its lowest value.
        """
        if self.format == "bool":
            return False
        if self.accepts(0):
            return 0
        return min(self.value_list, key=float) if self.value_list else self.default()

    def default(self) -> Value:
        """The power-on value when the product gives none."""
        if self.format == "bool":
            return False
        if self.format == "string":
            return ""
        if self.value_list:
            return self.value_list[0]
        if self.value_range is not None:
            low = self.value_range[0]
            return low if self.format == "float" else int(low)
        return 0


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action of an instance spec (its "in" is a list of piids of the same service)."""

    siid: int
    aiid: int
    name: str
    inputs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    """A product file: a MIoT instance spec plus the emulator's model, versions and behaviour."""

    key: str
    name: str
    model: str
    fw_ver: str
    hw_ver: str
    spec: dict[str, Any]
    session_minutes: int | None = None  # the device's own session length; None: no countdown
    initial: dict[str, Value] = field(default_factory=dict)  # by property name
    # Properties that answer an error code at every read, as (siid, piid) -> code (the m900's
    # -4004 on three vendor properties).
    failing: dict[tuple[int, int], int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], key: str = "") -> Product:
        """A product from its JSON (see products/chair.json)."""
        minutes = data.get("session_minutes")
        return cls(
            key=key,
            name=str(data.get("name", key)),
            model=str(data["model"]),
            fw_ver=str(data["fw_ver"]),
            hw_ver=str(data.get("hw_ver", "")),
            spec=dict(data["spec"]),
            session_minutes=int(minutes) if minutes else None,
            initial=dict(data.get("initial", {})),
            failing={(int(s), int(p)): int(code) for s, p, code in data.get("failing", [])},
        )

    def properties(self) -> list[PropertySpec]:
        """Every property of the spec, in spec order."""
        found: list[PropertySpec] = []
        for service in self.spec.get("services", []):
            for prop in service.get("properties", []):
                value_range = prop.get("value-range")
                found.append(
                    PropertySpec(
                        siid=int(service["iid"]),
                        piid=int(prop["iid"]),
                        name=urn_name(str(prop["type"])),
                        format=str(prop["format"]),
                        access=tuple(prop.get("access", ())),
                        value_list=tuple(item["value"] for item in prop.get("value-list", ())),
                        value_range=tuple(value_range) if value_range else None,
                        unit=prop.get("unit"),
                    )
                )
        return found

    def actions(self) -> list[ActionSpec]:
        """Every action of the spec."""
        return [
            ActionSpec(
                siid=int(service["iid"]),
                aiid=int(action["iid"]),
                name=urn_name(str(action["type"])),
                inputs=tuple(int(piid) for piid in action.get("in", ())),
            )
            for service in self.spec.get("services", [])
            for action in service.get("actions", [])
        ]

    def massager_siid(self) -> int:
        """The iid of the massager service."""
        for service in self.spec.get("services", []):
            if urn_name(str(service["type"])) in MASSAGER_SERVICES:
                return int(service["iid"])
        raise ValueError("the spec has no massager service")


def load_product(name_or_path: str | Path) -> Product:
    """A product from products/<name>.json (`chair`, `cushion`) or from a path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = PRODUCTS_DIR / f"{name_or_path}.json"
    return Product.from_json(json.loads(path.read_text(encoding="utf-8")), key=path.stem)


def product_names() -> list[str]:
    """The products shipped with the emulator."""
    return sorted(path.stem for path in PRODUCTS_DIR.glob("*.json"))


class MiotMassagerDevice:
    """One emulated MIoT massager's property values and behaviour.

    The session (products with `session_minutes`, i.e. the chair): `on` switched to true
    starts it: `left-time` = session_minutes and `status` Massaging; `on` set to true while a
    session runs changes nothing (the countdown goes on). The device counts down itself on a
    monotonic clock (`clock`, plus whatever `tick()` added); `left-time` is the whole minutes
    left, rounded up. At the end the device switches `on` off, and `heating` too if
    `heat_off_at_end` (firmware that leaves it on is modelled by setting it False), `left-time`
    becomes 0 and `status` Finished. `on` switched off by a command or a press ends the session
    at once: `left-time` 0, `status` Idle; heating is left as it is (a property of its own,
    writable while on or off, like mode, strength and part). Products without a session
    (the cushion) run until told to stop.
    """

    def __init__(
        self,
        product: Product,
        *,
        clock: Callable[[], float] | None = None,
        serial_number: str = "",
    ) -> None:
        self.product = product
        self._clock = clock or time.monotonic
        self._offset = 0.0  # seconds added by tick()
        self._props = {(p.siid, p.piid): p for p in product.properties()}
        self._actions = {(a.siid, a.aiid): a for a in product.actions()}
        self._massager_siid = product.massager_siid()
        self.serial_number = serial_number
        self.heat_off_at_end = True
        self.values: dict[tuple[int, int], Value] = {}
        self._session_end: float | None = None
        self.power_on()

    @property
    def spec(self) -> dict[str, Any]:
        """The product's MIoT instance spec (miot-spec.org format)."""
        return self.product.spec

    @property
    def model(self) -> str:
        """The model string miIO.info reports."""
        return self.product.model

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> float:
        """The device's monotonic clock: the injected clock plus every tick()."""
        return self._clock() + self._offset

    def tick(self, seconds: float = 0.0) -> None:
        """Advance the device's own clock by `seconds` and do what is due (the countdown)."""
        self._offset += max(0.0, seconds)
        self._update()

    # -- state ---------------------------------------------------------------------------------

    def power_on(self) -> None:
        """Every property at its power-on value and no session (construction, a reboot)."""
        info = {
            "manufacturer": "smartmassager",
            "model": self.product.model,
            "serial-number": self.serial_number,
            "firmware-revision": self.product.fw_ver,
        }
        self.values = {}
        for key, prop in self._props.items():
            initial = self.product.initial.get(prop.name, info.get(prop.name, prop.default()))
            if not prop.accepts(initial):
                raise ValueError(f"initial value {initial!r} is not valid for {prop.name!r}")
            self.values[key] = initial
        self._session_end = None

    def find(self, name: str) -> PropertySpec:
        """The property with this name: in the massager service first, then in any other."""
        matches = [p for p in self._props.values() if p.name == name]
        for prop in matches:
            if prop.siid == self._massager_siid:
                return prop
        if not matches:
            raise KeyError(name)
        return matches[0]

    def has(self, name: str) -> bool:
        """True if the product has a property with this name."""
        return any(p.name == name for p in self._props.values())

    def value(self, name: str) -> Value:
        """The current value of the property with this name."""
        self._update()
        prop = self.find(name)
        return self.values[prop.siid, prop.piid]

    def get(self, siid: int, piid: int) -> Value:
        """The current value of (siid, piid) (KeyError if the spec has no such property)."""
        self._update()
        return self.values[siid, piid]

    @property
    def running(self) -> bool:
        """True while the massager is on."""
        return self.has("on") and self.values[self.find("on").siid, self.find("on").piid] is True

    # -- requests --------------------------------------------------------------------------------

    def get_property(self, siid: object, piid: object) -> tuple[int, Value | None]:
        """(code, value) for one item of get_properties."""
        self._update()
        prop = self._props.get((siid, piid)) if _is_int(siid) and _is_int(piid) else None
        if prop is None:
            return CODE_NOT_FOUND, None
        if not prop.readable:
            return CODE_NOT_READABLE, None
        if (code := self.product.failing.get((prop.siid, prop.piid))) is not None:
            return code, None
        return CODE_OK, self.values[prop.siid, prop.piid]

    def set_property(self, siid: object, piid: object, value: object) -> int:
        """The code for one item of set_properties (the change is made if it is 0)."""
        self._update()
        prop = self._props.get((siid, piid)) if _is_int(siid) and _is_int(piid) else None
        if prop is None:
            return CODE_NOT_FOUND
        if not prop.writable:
            return CODE_NOT_WRITABLE
        if not prop.accepts(value):
            return CODE_BAD_VALUE
        self._apply(prop, value)  # type: ignore[arg-type]  # accepts() checked the type
        return CODE_OK

    def action(self, siid: object, aiid: object, inputs: object) -> tuple[int, list[Value]]:
        """(code, out) for an action: start-massage and stop-massage switch `on`."""
        self._update()
        action = self._actions.get((siid, aiid)) if _is_int(siid) and _is_int(aiid) else None
        if action is None:
            return CODE_NOT_FOUND, []
        if not isinstance(inputs, list) or len(inputs) != len(action.inputs):
            return CODE_BAD_VALUE, []
        if action.name == "start-massage":
            self._apply(self.find("on"), value=True)
        elif action.name == "stop-massage":
            self._apply(self.find("on"), value=False)
        return CODE_OK, []

    def press(self, name: str, value: Value) -> None:
        """A change made by hand on the device (its buttons), with the same effects as a command.

        Any property may be pressed, read-only ones too (`fault` 1: the device overheats).
        An invalid value is a mistake in the test: ValueError.
        """
        self._update()
        prop = self.find(name)
        if not prop.accepts(value):
            raise ValueError(f"{name!r} does not take {value!r}")
        self._apply(prop, value)

    # -- internals -------------------------------------------------------------------------------

    def _apply(self, prop: PropertySpec, value: Value) -> None:
        was_running = self.running
        self.values[prop.siid, prop.piid] = value
        if prop.name != "on" or self.product.session_minutes is None:
            return
        if value is True and not was_running:
            self._session_end = self.now() + self.product.session_minutes * SECONDS_PER_MINUTE
            self._set("status", STATUS_MASSAGING)
            self._update()
        elif value is False and was_running:
            self._session_end = None
            self._set("left-time", 0)
            self._set("status", STATUS_IDLE)

    def _set(self, name: str, value: Value) -> None:
        if self.has(name):
            prop = self.find(name)
            self.values[prop.siid, prop.piid] = value

    def _update(self) -> None:
        """Bring the countdown up to the device's clock."""
        if self._session_end is None:
            return
        left = self._session_end - self.now()
        if left > 0:
            self._set("left-time", math.ceil(left / SECONDS_PER_MINUTE))
            return
        self._session_end = None
        self._set("on", value=False)
        if self.heat_off_at_end:
            for name in ("heating", "heat-level"):
                if self.has(name):
                    self._set(name, self.find(name).off_value())
        self._set("left-time", 0)
        self._set("status", STATUS_FINISHED)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
