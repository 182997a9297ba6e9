"""Bed bases as Adjustable Bed (kristofferR/ha-adjustable-bed) puts them in Home Assistant.

That integration cannot be installed here (it needs Bluetooth), so it is mocked the way Home
Assistant's own tests mock another integration: a module named `adjustable_bed` whose platforms
add real button, number, select and sensor entities. Their shape follows that repository
(commit 9337866): unique id `<bluetooth address>_<key>` with the key also the translation key;
buttons never go unavailable; numbers and the timer select refresh only by polling (every
30 s), not after a button changed a level; level sensors are diagnostic and update only from
the bed's notifications; after the bed's idle disconnect the levels are lost (numbers and
sensors read `unknown`, and the bed itself starts again from 0).

`Bed` is the bed itself: what its motors do, and every command it received, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from homeassistant.components.button import ButtonEntity
from homeassistant.components.number import NumberEntity
from homeassistant.components.select import SelectEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.config_entries import ConfigFlow
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .other_integration import add_integration

POLL = timedelta(seconds=30)  # Adjustable Bed's polling interval for numbers and selects
ZONES = ("head", "foot", "wave")


@dataclass
class Bed:
    """One bed base: its massage motors, its own timer, and the commands it was sent."""

    mac: str
    name: str
    max_level: int = 10
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ZONES, 0))
    timer: str = "Off"
    connected: bool = True
    off_works: bool = True  # False: a bed whose "massage off" does nothing
    commands: list[str] = field(default_factory=list)
    sensors: list[LevelSensor] = field(default_factory=list)
    entities: dict[str, _BedEntity] = field(default_factory=dict)  # by key

    @property
    def massaging(self) -> bool:
        return any(self.levels.values())

    def command(self, what: str) -> None:
        """A command over Bluetooth: it reconnects an idle bed first."""
        self.connected = True
        self.commands.append(what)

    def press(self, key: str) -> None:
        self.command(key)
        zones = ("head", "foot")
        if key == "massage_all_off":
            if self.off_works:
                self.levels = dict.fromkeys(ZONES, 0)
        elif key == "massage_all_toggle":
            on = not self.massaging
            self.levels = {zone: (1 if on and zone in zones else 0) for zone in ZONES}
        elif key.endswith(("_up", "_down")):
            zone = key.split("_")[1]
            step = 1 if key.endswith("_up") else -1
            for name in zones if zone == "all" else (zone,):
                self.levels[name] = min(self.max_level, max(0, self.levels[name] + step))
        self.notify()

    def set_level(self, zone: str, level: int) -> None:
        self.command(f"{zone}={level}")
        self.levels[zone] = level
        self.notify()

    def notify(self) -> None:
        """The bed's notifications: only level sensors listen."""
        for sensor in self.sensors:
            if sensor.hass is not None:
                sensor.async_write_ha_state()

    def idle_disconnect(self) -> None:
        """The bed drops its link after 40 s idle; what was known of its levels is lost."""
        self.connected = False
        self.notify()

    def device_info(self) -> DeviceInfo:
        return DeviceInfo(connections={(dr.CONNECTION_BLUETOOTH, self.mac)}, name=self.name)


class _BedEntity(Entity):
    _attr_has_entity_name = True

    def __init__(self, bed: Bed, key: str) -> None:
        self.bed = bed
        self.key = key
        self._attr_unique_id = f"{bed.mac}_{key}"
        self._attr_translation_key = key
        self._attr_name = key.replace("_", " ").capitalize()
        self._attr_device_info = bed.device_info()
        bed.entities[key] = self


class BedButton(_BedEntity, ButtonEntity):
    """Never unavailable: pressing reconnects."""

    async def async_press(self) -> None:
        self.bed.press(self.key)


class BedNumber(_BedEntity, NumberEntity):
    """A zone's intensity: refreshed by the poll only; `unknown` while the bed is not linked."""

    _attr_should_poll = True
    _attr_native_min_value = 0
    _attr_native_step = 1

    def __init__(self, bed: Bed, zone: str) -> None:
        super().__init__(bed, f"massage_{zone}_intensity")
        self.zone = zone
        self._attr_native_max_value = bed.max_level
        self._attr_native_value = None

    async def async_update(self) -> None:
        self._attr_native_value = self.bed.levels[self.zone] if self.bed.connected else None

    async def async_set_native_value(self, value: float) -> None:
        self.bed.set_level(self.zone, round(value))
        self._attr_native_value = round(value)
        self.async_write_ha_state()


class LevelSensor(_BedEntity, SensorEntity):
    """A zone's level as the bed notifies it: a diagnostic sensor."""

    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_should_poll = False

    def __init__(self, bed: Bed, zone: str) -> None:
        super().__init__(bed, f"massage_{zone}_level")
        self.zone = zone
        bed.sensors.append(self)

    @property
    def native_value(self) -> int | None:
        return self.bed.levels[self.zone] if self.bed.connected else None


class BedTimer(_BedEntity, SelectEntity):
    """The bed's own massage timer."""

    _attr_should_poll = True
    _attr_options = ["Off", "10 min", "20 min", "30 min"]  # noqa: RUF012

    def __init__(self, bed: Bed) -> None:
        super().__init__(bed, "massage_timer")

    @property
    def current_option(self) -> str | None:
        return self.bed.timer if self.bed.connected else None

    async def async_select_option(self, option: str) -> None:
        self.bed.command(f"timer={option}")
        self.bed.timer = option
        self.async_write_ha_state()


@dataclass(frozen=True)
class BedShape:
    """Which massage entities a bed family has."""

    buttons: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # zones with an intensity number
    sensors: tuple[str, ...] = ()  # zones with a level sensor
    timer: bool = False


# Reverie: absolute head/foot/wave levels, an all-off and a mode step button, no toggle.
REVERIE = BedShape(
    buttons=("massage_all_off", "massage_mode_step"), numbers=("head", "foot", "wave")
)
# Linak: buttons only.
LINAK = BedShape(
    buttons=(
        "massage_all_toggle",
        "massage_all_off",
        "massage_head_up",
        "massage_head_down",
        "massage_foot_up",
        "massage_foot_down",
        "massage_mode_step",
    )
)
# A base with intensity numbers, the bed's own timer, a toggle and level sensors.
TIMED = BedShape(
    buttons=("massage_all_toggle", "massage_all_off"),
    numbers=("head", "foot"),
    sensors=("head", "foot"),
    timer=True,
)


class BedFlow(ConfigFlow):
    """Adjustable Bed's config flow stands here only so its entry can be set up."""


async def add_bed(hass: HomeAssistant, bed: Bed, shape: BedShape) -> str:
    """Set the bed up as Adjustable Bed would; returns its device id.

    Needs `mock_config_flow("adjustable_bed", BedFlow)` around the test.
    """
    platforms: dict[str, list[Entity]] = {
        "button": [BedButton(bed, key) for key in shape.buttons],
        "number": [BedNumber(bed, zone) for zone in shape.numbers],
        "sensor": [LevelSensor(bed, zone) for zone in shape.sensors],
        "select": [BedTimer(bed)] if shape.timer else [],
    }
    entry = await add_integration(hass, "adjustable_bed", bed.name, platforms, scan_interval=POLL)
    device = dr.async_get(hass).async_get_device_by_connection(
        (dr.CONNECTION_BLUETOOTH, bed.mac), entry.entry_id
    )
    assert device is not None
    return device.id
