"""A Tuya Wi-Fi massager's datapoints and behaviour: no sockets, no bytes, no event loop.

The server (server.py) turns frames into calls here and the changes reported here into STATUS
frames. Everything is addressed by datapoint CODE (`switch`, `time_set`, `heat`, ...), which a
product file (products/*.json, tinytuya's devices.json "mapping" format) maps to dp ids; the
protocol itself only ever carries dp ids.

Clocks, as on real hardware: the session countdown runs on a monotonic clock (injectable, so
tests move time without sleeping). The wall clock only fills the "t" field of messages.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

PRODUCTS_DIR = Path(__file__).parent / "products"

# A datapoint value as the protocol's JSON carries it.
type DpValue = bool | int | str
type Listener = Callable[[dict[str, DpValue]], None]

# Codes with a behaviour of their own (Tuya's massage chair standard instruction set).
SWITCH = "switch"
TIME_SET = "time_set"
HEAT = "heat"
# A product that reports the time left names it with one of these (minutes, Integer).
REMAINING_CODES = ("countdown_left", "remaining_time", "remain_time", "countdown")
ENUM_OFF = "close"  # the "off" value of the standard set's mode and location enums
SECONDS_PER_MINUTE = 60


@dataclass(frozen=True, slots=True)
class DataPoint:
    """One datapoint of a product: its dp id, code, type and value specification."""

    dp_id: str
    code: str
    type: str  # Boolean, Integer, Enum, String (Tuya's names, as in devices.json)
    values: Mapping[str, Any]

    @property
    def range(self) -> tuple[str, ...]:
        """An Enum's allowed values (empty for other types)."""
        return tuple(str(item) for item in self.values.get("range", ()))

    def accepts(self, value: object) -> bool:
        """True if a device with this datapoint takes `value`; real devices ignore the rest."""
        match self.type:
            case "Boolean":
                return isinstance(value, bool)
            case "Integer":
                # bool is an int subclass in Python, but `true` is not a number on the wire.
                if not isinstance(value, int) or isinstance(value, bool):
                    return False
                low, high = int(self.values.get("min", 0)), int(self.values.get("max", 2**31 - 1))
                step = max(1, int(self.values.get("step", 1)))
                return low <= value <= high and (value - low) % step == 0
            case "Enum":
                return isinstance(value, str) and value in self.range
            case "String":
                return isinstance(value, str)
            case _:
                return False

    def default(self) -> DpValue:
        """The value at power-on when the product file gives none."""
        match self.type:
            case "Boolean":
                return False
            case "Integer":
                return int(self.values.get("min", 0))
            case "Enum":
                return ENUM_OFF if ENUM_OFF in self.range else (self.range or ("",))[0]
            case _:
                return ""


@dataclass(frozen=True, slots=True)
class Product:
    """A product file: tinytuya's devices.json fields plus the emulator's `_initial` values."""

    name: str
    category: str
    product_name: str
    product_id: str
    datapoints: dict[str, DataPoint]  # by dp id
    initial: dict[str, DpValue] = field(default_factory=dict)  # by code
    # Which codes behave as the power and the heat, and their values (emulator-only "_roles";
    # the standard set's `switch`/`heat` booleans unless a product says otherwise).
    power_code: str = SWITCH
    power_on: DpValue = True
    heat_code: str = HEAT
    heat_off: DpValue = False

    @classmethod
    def load(cls, name_or_path: str | Path) -> Product:
        """A product from products/<name>.json, or from a path."""
        path = Path(name_or_path)
        if path.suffix != ".json":
            path = PRODUCTS_DIR / f"{name_or_path}.json"
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Product:
        """A product from a devices.json-style entry ("mapping" with code/type/values per dp)."""
        datapoints: dict[str, DataPoint] = {}
        for dp_id, spec in data["mapping"].items():
            values = spec.get("values") or {}
            if isinstance(values, str):  # the Tuya cloud sends the spec as a JSON string
                values = json.loads(values) if values.strip() else {}
            datapoints[str(dp_id)] = DataPoint(str(dp_id), spec["code"], spec["type"], values)
        codes = {dp.code for dp in datapoints.values()}
        if len(codes) != len(datapoints):
            raise ValueError("two datapoints share a code")
        product = cls(
            name=str(data.get("name", "")),
            category=str(data.get("category", "")),
            product_name=str(data.get("product_name", "")),
            product_id=str(data.get("product_id", "")),
            datapoints=datapoints,
            initial=dict(data.get("_initial", {})),
            **dict(data.get("_roles", {})),
        )
        for code, value in product.initial.items():
            if not product.by_code(code).accepts(value):
                raise ValueError(f"initial value {value!r} is not valid for {code!r}")
        return product

    def by_code(self, code: str) -> DataPoint:
        """The datapoint with this code (KeyError if the product has none)."""
        for datapoint in self.datapoints.values():
            if datapoint.code == code:
                return datapoint
        raise KeyError(code)

    def has(self, code: str) -> bool:
        """True if the product has a datapoint with this code."""
        return any(dp.code == code for dp in self.datapoints.values())

    def mapping_json(self) -> dict[str, dict[str, Any]]:
        """The "mapping" of a tinytuya devices.json entry."""
        return {
            dp.dp_id: {"code": dp.code, "type": dp.type, "values": dict(dp.values)}
            for dp in self.datapoints.values()
        }


class TuyaMassager:
    """One emulated massager's datapoints. Calls `listeners` with every change it reports.

    Commands come in as {dp_id: value}; values a real device would refuse (type, range, unknown
    dp id) are ignored one by one, without an error, as Tuya firmware does. What the device
    reports after a command: every accepted dp (changed or not, as devices echo commands) plus
    what the command changed besides (heat off when the session ends, the time left).
    """

    def __init__(
        self,
        product: Product,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.product = product
        self.listeners: list[Listener] = []
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._remaining_dp = next(
            (product.by_code(code) for code in REMAINING_CODES if product.has(code)), None
        )
        self.dps: dict[str, DpValue] = {}
        self.heat_off_at_end = True
        # Firmware that powers off but ignores every "heat off" (seen in the hardening review):
        # a heat datapoint set False is dropped, as firmware drops values it will not take.
        self.heat_ignores_off = False
        # The running session's end on the monotonic clock; None: no session, or no time limit.
        self._session_end: float | None = None
        self.power_on()

    # -- clocks --------------------------------------------------------------------------------

    def monotonic(self) -> float:
        """The device's monotonic clock in seconds: every deadline's clock."""
        return self._monotonic()

    def timestamp(self) -> int:
        """Wall-clock seconds for the "t" field of messages."""
        return int(self._wall_clock())

    # -- state ---------------------------------------------------------------------------------

    def power_on(self) -> None:
        """Every dp at its power-on value and no session (construction; after a power cut)."""
        self.dps = {
            dp.dp_id: self.product.initial.get(dp.code, dp.default())
            for dp in self.product.datapoints.values()
        }
        self._session_end = None

    def value(self, code: str) -> DpValue:
        """The current value of the dp with this code."""
        return self.dps[self.product.by_code(code).dp_id]

    def status(self) -> dict[str, DpValue]:
        """Every dp, as DP_QUERY answers."""
        return dict(self.dps)

    @property
    def running(self) -> bool:
        """True while a massage session runs (the power dp at its "on" value)."""
        product = self.product
        return (
            product.has(product.power_code) and self.value(product.power_code) == product.power_on
        )

    @property
    def session_end(self) -> float | None:
        """When the running session ends by itself, on the monotonic clock (None: it does not)."""
        return self._session_end

    @property
    def _power_off(self) -> DpValue:
        """The power datapoint's "off" (a Boolean's other value)."""
        return not self.product.power_on

    def remaining_s(self) -> int:
        """Seconds left in the running session (0 without a session or a time limit)."""
        if self._session_end is None:
            return 0
        return max(0, math.ceil(self._session_end - self.monotonic()))

    # -- changes -------------------------------------------------------------------------------

    def control(self, dps: Mapping[str, object]) -> dict[str, DpValue]:
        """A CONTROL from a client: apply what is valid; returns (and reports) what it reports."""
        accepted: dict[str, DpValue] = {}
        for dp_id, value in dps.items():
            datapoint = self.product.datapoints.get(str(dp_id))
            if datapoint is not None and datapoint.accepts(value):
                accepted[datapoint.dp_id] = value  # type: ignore[assignment]  # accepts() checked
        return self._apply(accepted)

    def press(self, code: str, value: DpValue) -> dict[str, DpValue]:
        """A change made on the device itself (its buttons or remote); reported like a command.

        Unlike a client's command, an invalid press is a mistake in the test: ValueError.
        """
        datapoint = self.product.by_code(code)
        if not datapoint.accepts(value):
            raise ValueError(f"{code!r} does not take {value!r}")
        return self._apply({datapoint.dp_id: value})

    def next_deadline(self) -> float | None:
        """When `tick()` has something to do, on the monotonic clock (None: nothing pending).

        The session's end, or the next whole minute of the time left for products reporting it.
        """
        if self._session_end is None:
            return None
        if self._remaining_dp is None:
            return self._session_end
        left = self._session_end - self.monotonic()
        if left <= 0:
            return self._session_end
        # The reported minutes drop when the time left crosses a whole minute.
        return self._session_end - (math.ceil(left / SECONDS_PER_MINUTE) - 1) * SECONDS_PER_MINUTE

    def tick(self) -> dict[str, DpValue]:
        """Do what is due on the monotonic clock: end the session, update the time left.

        The server calls this at `next_deadline()`; tests call it after moving a fake clock.
        Returns (and reports) what changed.
        """
        changes: dict[str, DpValue] = {}
        if self._session_end is not None and self.monotonic() >= self._session_end:
            if self.product.has(power := self.product.power_code):
                self._set(power, value=self._power_off, into=changes)
            self._end_session(changes)
        else:
            self._update_remaining(changes)
        self._report(changes)
        return changes

    # -- internals -----------------------------------------------------------------------------

    def _apply(self, accepted: dict[str, DpValue]) -> dict[str, DpValue]:
        if self.heat_ignores_off and self.product.has(self.product.heat_code):
            heat_id = self.product.by_code(self.product.heat_code).dp_id
            if accepted.get(heat_id) == self.product.heat_off:
                accepted = {key: value for key, value in accepted.items() if key != heat_id}
        was_running = self.running
        self.dps.update(accepted)
        report = dict(accepted)
        if self.running and (not was_running or TIME_SET in self._codes(accepted)):
            # A session starts, or the time is set again while one runs: count down from now.
            self._start_session(report)
        elif was_running and not self.running:
            self._end_session(report)
        self._report(report)
        return report

    def _codes(self, dps: Mapping[str, DpValue]) -> set[str]:
        return {self.product.datapoints[dp_id].code for dp_id in dps}

    def _start_session(self, into: dict[str, DpValue]) -> None:
        minutes = int(self.value(TIME_SET)) if self.product.has(TIME_SET) else 0
        # time_set 0: the session runs until switched off (no countdown).
        self._session_end = self.monotonic() + minutes * SECONDS_PER_MINUTE if minutes else None
        self._update_remaining(into)

    def _end_session(self, into: dict[str, DpValue]) -> None:
        # Safety, as on most massagers: whatever ends a session also switches the heat off.
        # `heat_off_at_end = False` emulates firmware that does not, for the client's own check.
        self._session_end = None
        heat = self.product.heat_code
        if self.product.has(heat) and self.heat_off_at_end and not self.heat_ignores_off:
            self._set(heat, value=self.product.heat_off, into=into)
        self._update_remaining(into)

    def _update_remaining(self, into: dict[str, DpValue]) -> None:
        if self._remaining_dp is None:
            return
        minutes = math.ceil(self.remaining_s() / SECONDS_PER_MINUTE)
        if self.dps[self._remaining_dp.dp_id] != minutes:
            self.dps[self._remaining_dp.dp_id] = minutes
            into[self._remaining_dp.dp_id] = minutes

    def _set(self, code: str, *, value: DpValue, into: dict[str, DpValue]) -> None:
        dp_id = self.product.by_code(code).dp_id
        if self.dps[dp_id] != value:
            self.dps[dp_id] = value
            into[dp_id] = value

    def _report(self, changes: dict[str, DpValue]) -> None:
        if not changes:
            return
        for listener in list(self.listeners):
            listener(dict(changes))
