"""Blueprints: Home Assistant's blueprint schema and automation validator, then end-to-end runs.

Each blueprint is loaded from blueprints/automation/smart_massager by Home Assistant's own
blueprint loader (a `use_blueprint` automation), with time frozen and advanced, against the
emulator over loopback.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import hass_frontend
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    ValidationStatus,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util import yaml as yaml_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.smart_massager.routines import EVENT_ROUTINE_ENDED
from emulators.reference import EmulatorServer, Status

from .conftest import wait_for
from .test_routines import on_step, record_starts

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "smart_massager"
FAN = "fan.back_massager"
TUESDAY_2129 = datetime(2026, 11, 24, 21, 29, 50, tzinfo=dt_util.UTC)

MINIMAL_INPUTS: dict[str, dict[str, Any]] = {
    "evening_back_pain_relief.yaml": {"massager": FAN},
    "desk_break_relief.yaml": {"massager": FAN, "desk_sensor": "binary_sensor.desk"},
    "post_workout_recovery.yaml": {"massager": FAN},
    "safety_stop.yaml": {"massagers": [FAN]},
    "massage_reminder.yaml": {"sessions": "sensor.back_massager_sessions"},
}


def load(name: str) -> Blueprint:
    data = yaml_util.load_yaml_dict(str(BLUEPRINTS / name))
    return Blueprint(data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA)


def test_every_blueprint_is_covered() -> None:
    assert sorted(path.name for path in BLUEPRINTS.glob("*.yaml")) == sorted(MINIMAL_INPUTS)


def sections_and_inputs(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The blueprint's input sections and its inputs (those in sections and those outside)."""
    sections: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    for key, value in load(name).data["blueprint"]["input"].items():
        if isinstance(value, dict) and "input" in value:
            sections[key] = value
            inputs.update(value["input"])
        else:
            inputs[key] = value
    return sections, inputs


@pytest.mark.parametrize("name", sorted(MINIMAL_INPUTS))
def test_every_section_and_input_is_described(name: str) -> None:
    sections, inputs = sections_and_inputs(name)
    assert sections
    undescribed = [
        key
        for key, value in {**sections, **inputs}.items()
        if not (value or {}).get("description", "").strip()
    ]
    assert undescribed == []


# The icon set the installed frontend ships (the one the blueprint editor draws from).
MDI_ICONS = hass_frontend.where() / "static" / "mdi" / "iconList.json"


@pytest.mark.parametrize("name", sorted(MINIMAL_INPUTS))
def test_section_icons_exist(name: str) -> None:
    """An icon missing from the frontend's set shows as a blank space (mdi:massage did)."""
    known = {f"mdi:{icon['name']}" for icon in json.loads(MDI_ICONS.read_text(encoding="utf-8"))}
    icons = {section["icon"] for section in sections_and_inputs(name)[0].values()}
    assert icons
    assert icons <= known, icons - known


@pytest.mark.parametrize("name", sorted(MINIMAL_INPUTS))
async def test_blueprint_schema_and_automation_validation(hass: HomeAssistant, name: str) -> None:
    blueprint = load(name)
    assert blueprint.validate() is None  # min_version satisfied by the installed Home Assistant
    metadata = blueprint.metadata
    assert metadata["source_url"].endswith(f"blueprints/automation/smart_massager/{name}")
    assert metadata["homeassistant"]["min_version"] == "2026.10.0"
    inputs = BlueprintInputs(
        blueprint,
        {"use_blueprint": {"path": f"smart_massager/{name}", "input": MINIMAL_INPUTS[name]}},
    )
    inputs.validate()
    config = inputs.async_substitute()
    validated = await async_validate_config_item(hass, name, config)
    assert validated is not None
    assert validated.validation_status is ValidationStatus.OK, validated.validation_error


async def use_blueprint(
    hass: HomeAssistant, tmp_path: Path, name: str, inputs: dict[str, Any]
) -> None:
    """Set up an automation from the blueprint file, as a user importing it would."""
    folder = tmp_path / "blueprints" / "automation" / "smart_massager"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / name, folder / name)
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": name,
                    "alias": name.removesuffix(".yaml"),
                    "use_blueprint": {"path": f"smart_massager/{name}", "input": inputs},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{name.removesuffix('.yaml')}")
    assert state is not None
    assert state.state == "on"


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *, settle: bool = True, **delta: float
) -> None:
    """Move the clock; settle=False while an automation run is waiting (see wait_for)."""
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    if settle:
        await hass.async_block_till_done()
    else:
        for _ in range(200):
            await asyncio.sleep(0)


@pytest.fixture
async def massager(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> Any:
    """The integration set up at Tuesday 21:29:50 UTC with its stream connected."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(TUESDAY_2129)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: emulator.stream_count == 1)
    yield config_entry
    # Turning automations off detaches their triggers (a time trigger would otherwise wait for
    # tomorrow) and stops a run that is still waiting for a routine's end.
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("massager")
async def test_evening_routine_runs_and_notifies(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path, emulator: EmulatorServer
) -> None:
    notify = async_mock_service(hass, "notify", "test")
    hass.states.async_set("person.alice", "home")
    await use_blueprint(
        hass,
        tmp_path,
        "evening_back_pain_relief.yaml",
        {
            "massager": FAN,
            "routine": "quick_shoulder_release",
            "zone": "shoulders",
            "intensity_offset": -1,
            "heat": True,
            "presence": "person.alice",
            "when_done": [{"action": "notify.test", "data": {"message": "Massage done"}}],
        },
    )
    starts = record_starts(emulator.device)
    # From 21:30 the automation run waits for the routine's end: nothing may wait for that run.
    await advance(hass, freezer, seconds=10, settle=False)
    await wait_for(hass, lambda: on_step(hass, 1), settle=False)
    for step, minutes in ((2, 2), (3, 3)):
        await advance(hass, freezer, minutes=minutes, settle=False)
        await wait_for(hass, lambda step=step: on_step(hass, step), settle=False)
    await advance(hass, freezer, minutes=3, settle=False)
    await wait_for(hass, lambda: len(notify) == 1, settle=False)
    assert notify[0].data == {"message": "Massage done"}
    assert [start[:2] for start in starts] == [
        ("warm_up_glide", "shoulders"),
        ("palm_circles", "shoulders"),
        ("trigger_point", "shoulders"),
    ]
    assert all(start[4] for start in starts)  # heat on in every step
    assert starts[1][2] == 6  # palm circles firm (7) with the -1 adjustment


@pytest.mark.usefixtures("massager")
async def test_evening_wait_is_for_its_own_massager(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    notify = async_mock_service(hass, "notify", "test")
    await use_blueprint(
        hass,
        tmp_path,
        "evening_back_pain_relief.yaml",
        {
            "massager": FAN,
            "routine": "quick_shoulder_release",
            "zone": "shoulders",
            "when_done": [{"action": "notify.test", "data": {"message": "Massage done"}}],
        },
    )
    await advance(hass, freezer, seconds=10, settle=False)
    await wait_for(hass, lambda: on_step(hass, 1), settle=False)

    # Another massager's routine ends meanwhile: that is not the end this run waits for.
    hass.bus.async_fire(
        EVENT_ROUTINE_ENDED,
        {
            "device_id": "0123456789abcdef0123456789abcdef",
            "config_entry_id": "01JSMARTMASSAGER00000000002",
            "routine": "lower_back_recovery",
            "outcome": "completed",
        },
    )
    await advance(hass, freezer, seconds=1, settle=False)
    assert notify == []

    # This massager's routine ends: now the run goes on to `when_done`, once.
    for step, minutes in ((2, 2), (3, 3)):
        await advance(hass, freezer, minutes=minutes, settle=False)
        await wait_for(hass, lambda step=step: on_step(hass, step), settle=False)
    await advance(hass, freezer, minutes=3, settle=False)
    await wait_for(hass, lambda: len(notify) == 1, settle=False)
    await advance(hass, freezer, seconds=1, settle=False)
    assert [call.data for call in notify] == [{"message": "Massage done"}]


@pytest.mark.parametrize("blocker", ["saturday", "nobody_home", "already_running"])
@pytest.mark.usefixtures("massager")
async def test_evening_routine_conditions_block(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    emulator: EmulatorServer,
    blocker: str,
) -> None:
    hass.states.async_set("person.alice", "not_home" if blocker == "nobody_home" else "home")
    if blocker == "saturday":
        freezer.move_to(TUESDAY_2129 + timedelta(days=4))
    await use_blueprint(
        hass,
        tmp_path,
        "evening_back_pain_relief.yaml",
        {"massager": FAN, "presence": "person.alice"},
    )
    if blocker == "already_running":
        await hass.services.async_call("fan", "turn_on", {"entity_id": FAN}, blocking=True)
    starts = record_starts(emulator.device)
    await advance(hass, freezer, seconds=10)
    await hass.async_block_till_done()
    assert starts == []
    assert hass.states.get("sensor.back_massager_routine").state == "none"


@pytest.mark.usefixtures("massager")
async def test_desk_break_with_cooldown(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path, emulator: EmulatorServer
) -> None:
    hass.states.async_set("binary_sensor.desk", "off")
    await use_blueprint(
        hass,
        tmp_path,
        "desk_break_relief.yaml",
        {
            "massager": FAN,
            "desk_sensor": "binary_sensor.desk",
            "desk_minutes": 15,
            "cooldown_minutes": 60,
        },
    )
    starts = record_starts(emulator.device)
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)

    async def desk_session(minutes: int) -> None:
        hass.states.async_set("binary_sensor.desk", "on")
        await hass.async_block_till_done()
        await advance(hass, freezer, minutes=minutes)

    await desk_session(15)
    await wait_for(hass, lambda: on_step(hass, 1))
    assert starts[0][:2] == ("warm_up_glide", "shoulders")
    # The relief runs its 8 minutes (each step seen started before the clock moves on: a jump
    # of minutes would also fire the timeout of a request still in flight), then work goes on.
    for step, minutes in ((2, 2), (3, 3)):
        await advance(hass, freezer, minutes=minutes)
        await wait_for(hass, lambda step=step: on_step(hass, step))
    await advance(hass, freezer, minutes=3)
    await wait_for(hass, lambda: len(ended) == 1)
    assert ended[0].data["outcome"] == "completed"

    # Up and back to the desk: 15 more minutes, but within the 60-minute cool-down.
    hass.states.async_set("binary_sensor.desk", "off")
    await desk_session(16)
    assert len(starts) == 3
    assert hass.states.get("sensor.back_massager_routine").state == "none"

    # After the cool-down it runs again.
    hass.states.async_set("binary_sensor.desk", "off")
    await advance(hass, freezer, minutes=30)
    await desk_session(16)
    await wait_for(hass, lambda: len(starts) == 4)


@pytest.mark.parametrize("how", ["state", "event"])
@pytest.mark.usefixtures("massager")
async def test_post_workout_recovery_after_delay(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    emulator: EmulatorServer,
    how: str,
) -> None:
    hass.states.async_set("input_select.workout", "running")
    await use_blueprint(
        hass,
        tmp_path,
        "post_workout_recovery.yaml",
        {"massager": FAN, "workout_entity": "input_select.workout", "delay_minutes": 10},
    )
    starts = record_starts(emulator.device)
    # The automation run sits in its delay: nothing may wait for that run (see wait_for).
    if how == "state":
        hass.states.async_set("input_select.workout", "finished")
    else:
        hass.bus.async_fire("smart_massager_workout_finished")
    await advance(hass, freezer, settle=False)  # let the trigger start its delay first
    await advance(hass, freezer, minutes=9, settle=False)
    assert starts == []  # still in the delay
    await advance(hass, freezer, minutes=1, seconds=1, settle=False)
    await wait_for(hass, lambda: on_step(hass, 1), settle=False)
    assert hass.states.get("sensor.back_massager_routine").state == "lower_back_recovery"
    assert starts[0][:2] == ("warm_up_glide", "lower_back")
    assert starts[0][4] is True


@pytest.mark.parametrize("how", ["nobody_home", "room_clear", "latest_time"])
@pytest.mark.usefixtures("massager")
async def test_safety_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    emulator: EmulatorServer,
    how: str,
) -> None:
    hass.states.async_set("zone.home", "1")
    hass.states.async_set("binary_sensor.room", "on")
    await use_blueprint(
        hass,
        tmp_path,
        "safety_stop.yaml",
        {
            "massagers": [FAN],
            "occupancy_sensor": "binary_sensor.room",
            "clear_minutes": 10,
            "latest_time": "21:31:00",
        },
    )
    await hass.services.async_call(
        "smart_massager",
        "run_routine",
        {"entity_id": FAN, "routine": "evening_back_pain_relief"},
        blocking=True,
    )
    await wait_for(hass, lambda: on_step(hass, 1))
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)

    if how == "nobody_home":
        hass.states.async_set("zone.home", "0")
        await hass.async_block_till_done()
    elif how == "room_clear":
        hass.states.async_set("binary_sensor.room", "off")
        await hass.async_block_till_done()
        await advance(hass, freezer, minutes=1)
        assert emulator.device.status is Status.RUNNING  # not clear long enough yet
        await advance(hass, freezer, minutes=9, seconds=1)
    else:
        await advance(hass, freezer, seconds=71)  # 21:31:01, within the first 2-minute step
    await wait_for(hass, lambda: emulator.device.status is Status.IDLE)
    await wait_for(hass, lambda: bool(ended))
    assert ended[0].data["outcome"] == "stopped"
    assert emulator.device.heat is False


@pytest.mark.usefixtures("massager")
async def test_massage_reminder_after_days_without_a_session(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    notify = async_mock_service(hass, "notify", "test")
    await use_blueprint(
        hass,
        tmp_path,
        "massage_reminder.yaml",
        {
            "sessions": "sensor.back_massager_sessions",
            "days": 3,
            "at": "21:31:00",
            "remind": [{"action": "notify.test", "data": {"message": "Time for a massage"}}],
        },
    )
    await hass.services.async_call("fan", "turn_on", {"entity_id": FAN}, blocking=True)
    await hass.services.async_call("fan", "turn_off", {"entity_id": FAN}, blocking=True)
    started = hass.states.get("sensor.back_massager_sessions").attributes["last_started"]
    assert started is not None
    await advance(hass, freezer, minutes=2)  # 21:31 today: a massage just now
    assert notify == []
    for _ in range(2):  # 21:31 the next two days: not yet three days
        await advance(hass, freezer, days=1)
    assert notify == []
    await advance(hass, freezer, days=1)  # the third day without one
    assert [call.data for call in notify] == [{"message": "Time for a massage"}]
