"""A massager built from existing entities, against Home Assistant's real input helpers.

The sources are real entities of Home Assistant's own helpers: input_boolean as a smart plug's
switch, input_select for programs, input_number for intensity and for a plug's power draw,
input_button as the toggle and step buttons an adjustable bed or an IR blaster exposes. Only the
"source becomes unavailable" case writes a state directly: that is what the source's own
integration does when it loses the device, and no helper can be made unavailable otherwise.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_massager.const import CONF_TRANSPORT, DOMAIN
from pysmartmassager.session import MAX_SESSION_MINUTES

from .conftest import advance, suggested, wait_for
from .test_blueprints import TUESDAY_2129, use_blueprint
from .test_blueprints import advance as blueprint_advance

PLUG = "input_boolean.plug"
HEAT = "input_boolean.heat_pad"
MODE = "input_select.mode"
LEVEL = "input_number.level"
WATTS = "input_number.watts"
TOGGLE = "input_button.bed_massage"
STRONGER = "input_button.bed_stronger"
GENTLER = "input_button.bed_gentler"
FAN = "fan.cushion"


@pytest.fixture
async def helpers(hass: HomeAssistant) -> None:
    """The real entities a user already has."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"plug": {}, "heat_pad": {}}}
    )
    assert await async_setup_component(
        hass,
        "input_select",
        {"input_select": {"mode": {"options": ["Kneading", "Shiatsu", "Rolling"]}}},
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "level": {"min": 1, "max": 3, "step": 1},
                "watts": {"min": 0, "max": 200, "step": 0.1},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_button",
        {"input_button": {"bed_massage": {}, "bed_stronger": {}, "bed_gentler": {}}},
    )
    await hass.async_block_till_done()


# The form's fields besides the entities, as the tests fill them in.
FORM_DEFAULTS = {
    "intensity_levels": 5,
    "running_above": 5,
    "min_minutes": 5,
    "max_minutes": 30,
    "session_minutes": 15,
}


async def add_through_the_flow(hass: HomeAssistant, **sources: Any) -> MockConfigEntry:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "entities"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "entities")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"name": "Cushion", **FORM_DEFAULTS, **sources},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(result["result"].entry_id)
    assert isinstance(entry, MockConfigEntry | type(entry))
    return entry  # type: ignore[return-value]


def entity_ids(hass: HomeAssistant) -> set[str]:
    return {state.entity_id for state in hass.states.async_all() if "cushion" in state.entity_id}


def record_switch_ons(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Each time `entity_id` turns on, as it happens."""
    switched_on: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            switched_on.append(event.data["new_state"].state)
            if event.data["entity_id"] == entity_id and event.data["new_state"].state == "on"
            else None
        ),
    )
    return switched_on


async def call(hass: HomeAssistant, domain: str, service: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ({"power_entity": PLUG}, set()),
        (
            {"power_entity": PLUG, "running_entity": WATTS},
            set(),
        ),
        (
            {
                "power_entity": PLUG,
                "program_entity": MODE,
                "intensity_entity": LEVEL,
                "heat_entity": HEAT,
            },
            {"select.cushion_program", "number.cushion_intensity", "switch.cushion_heat"},
        ),
        (
            {"power_entity": TOGGLE, "stronger_entity": STRONGER, "gentler_entity": GENTLER},
            {"number.cushion_intensity"},
        ),
    ],
    ids=["switch-only", "plug-with-power-sensor", "everything", "buttons-only"],
)
async def test_flow_creates_only_the_entities_that_can_exist(
    hass: HomeAssistant, helpers: None, sources: dict[str, str], expected: set[str]
) -> None:
    await add_through_the_flow(hass, **sources)
    always = {
        FAN,
        "number.cushion_session_length",
        "sensor.cushion_status",
        "sensor.cushion_session_ends",
        "sensor.cushion_remaining",
        "sensor.cushion_routine",
    }
    optional = {
        "select.cushion_program",
        "select.cushion_zone",
        "number.cushion_intensity",
        "switch.cushion_heat",
        "button.cushion_pause",
        "button.cushion_resume",
    }
    ids = entity_ids(hass)
    assert always <= ids
    assert ids & optional == expected


async def test_flow_refuses_contradictions(hass: HomeAssistant, helpers: None) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "entities"}
    )
    base = {
        "name": "Cushion",
        "intensity_levels": 5,
        "running_above": 5,
        "min_minutes": 5,
        "max_minutes": 30,
        "session_minutes": 15,
        "power_entity": PLUG,
    }
    for changes, field, error in (
        ({"session_minutes": 45}, "session_minutes", "minutes_out_of_range"),
        (
            {"intensity_entity": LEVEL, "stronger_entity": STRONGER},
            "intensity_entity",
            "one_intensity_source",
        ),
        ({"heat_entity": PLUG}, "heat_entity", "entity_used_twice"),
        ({"session_minutes": 15.5}, "session_minutes", "not_whole_number"),
        ({"max_minutes": 90}, "max_minutes", "longest_over_limit"),
        ({"min_minutes": 40}, "min_minutes", "shortest_over_longest"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**base, **changes}
        )
        assert result["errors"] == {field: error}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], base)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The same plug cannot make a second massager.
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "entities"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], base)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


async def test_every_control_drives_its_source(hass: HomeAssistant, helpers: None) -> None:
    await add_through_the_flow(
        hass, power_entity=PLUG, program_entity=MODE, intensity_entity=LEVEL, heat_entity=HEAT
    )
    await call(hass, "fan", "turn_on", entity_id=FAN)
    assert hass.states.get(PLUG).state == "on"
    await call(
        hass, "select", "select_option", entity_id="select.cushion_program", option="shiatsu"
    )
    assert hass.states.get(MODE).state == "Shiatsu"
    await call(hass, "number", "set_value", entity_id="number.cushion_intensity", value=3)
    assert float(hass.states.get(LEVEL).state) == 3
    await call(hass, "switch", "turn_on", entity_id="switch.cushion_heat")
    assert hass.states.get(HEAT).state == "on"
    # A change made at the source shows at once (pushed, not polled).
    await call(hass, "input_select", "select_option", entity_id=MODE, option="Rolling")
    await wait_for(hass, lambda: hass.states.get("select.cushion_program").state == "rolling")
    await call(hass, "fan", "turn_off", entity_id=FAN)
    assert (hass.states.get(PLUG).state, hass.states.get(HEAT).state) == ("off", "off")
    # Refusals name what is allowed, and nothing reaches the sources.
    with pytest.raises(HomeAssistantError):
        await call(hass, DOMAIN, "start_session", entity_id=FAN, program="tapping")
    assert hass.states.get(PLUG).state == "off"


async def test_home_assistant_is_the_timer_across_restarts(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory
) -> None:
    entry = await add_through_the_flow(hass, power_entity=PLUG, heat_entity=HEAT)
    await call(hass, DOMAIN, "start_session", entity_id=FAN, minutes=10, heat=True)
    assert (hass.states.get(PLUG).state, hass.states.get(HEAT).state) == ("on", "on")
    await advance(hass, freezer, minutes=10, seconds=1)
    assert (hass.states.get(PLUG).state, hass.states.get(HEAT).state) == ("off", "off")

    # End in the future: the restart re-arms the same end.
    await call(hass, DOMAIN, "start_session", entity_id=FAN, minutes=20)
    await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, minutes=5)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PLUG).state == "on"
    await advance(hass, freezer, minutes=15, seconds=1)
    assert hass.states.get(PLUG).state == "off"

    # End in the past: switched off at once after the restart; nothing is switched on.
    await call(hass, DOMAIN, "start_session", entity_id=FAN, minutes=10)
    await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, minutes=30)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PLUG).state == "off"
    await advance(hass, freezer, minutes=30)
    assert hass.states.get(PLUG).state == "off"


async def test_the_source_turning_on_and_off_by_itself(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=PLUG, heat_entity=HEAT)
    # Someone presses the massager's own button: a session of the default 15 minutes.
    await call(hass, "input_boolean", "turn_on", entity_id=PLUG)
    assert hass.states.get(FAN).state == "on"
    await advance(hass, freezer, minutes=14)
    assert hass.states.get(PLUG).state == "on"
    await advance(hass, freezer, minutes=1, seconds=1)
    assert hass.states.get(PLUG).state == "off"
    # It switches off by itself mid-session: the session ends, and heat goes off with it.
    await call(hass, DOMAIN, "start_session", entity_id=FAN, heat=True)
    await call(hass, "input_boolean", "turn_off", entity_id=PLUG)
    await hass.async_block_till_done()
    assert hass.states.get(FAN).state == "off"
    assert hass.states.get(HEAT).state == "off"


async def test_plug_power_sensor_says_whether_it_runs(hass: HomeAssistant, helpers: None) -> None:
    await add_through_the_flow(hass, power_entity=PLUG, running_entity=WATTS)
    await call(hass, "input_boolean", "turn_on", entity_id=PLUG)
    assert hass.states.get(FAN).state == "off"  # plug on, massager drawing nothing
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=24.0)
    await wait_for(hass, lambda: hass.states.get(FAN).state == "on")


async def test_an_unavailable_source(
    hass: HomeAssistant, helpers: None, caplog: pytest.LogCaptureFixture
) -> None:
    await add_through_the_flow(hass, power_entity=PLUG)
    with caplog.at_level(logging.INFO):
        # What the plug's own integration writes when it loses the plug.
        hass.states.async_set(PLUG, STATE_UNAVAILABLE)
        await hass.async_block_till_done()
        assert hass.states.get(FAN).state == STATE_UNAVAILABLE
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, DOMAIN, "start_session", entity_id=FAN)
        assert "unavailable" in str(err.value)
        hass.states.async_set(PLUG, "off")
        await hass.async_block_till_done()
        assert hass.states.get(FAN).state == "off"
    ours = [r for r in caplog.records if r.name.startswith("custom_components.smart_massager")]
    assert len([r for r in ours if r.levelno >= logging.WARNING]) == 1
    assert len([r for r in ours if "reachable again" in r.getMessage()]) == 1


async def test_buttons_only_as_an_adjustable_bed(hass: HomeAssistant, helpers: None) -> None:
    await add_through_the_flow(
        hass, power_entity=TOGGLE, stronger_entity=STRONGER, gentler_entity=GENTLER
    )
    presses: dict[str, int] = {TOGGLE: 0, STRONGER: 0, GENTLER: 0}
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            presses.__setitem__(event.data["entity_id"], presses[event.data["entity_id"]] + 1)
            if event.data["entity_id"] in presses
            else None
        ),
    )
    await call(hass, "fan", "turn_on", entity_id=FAN)
    assert presses[TOGGLE] == 1
    assert hass.states.get(FAN).state == "on"  # what Home Assistant last commanded
    await call(hass, DOMAIN, "adjust", entity_id=FAN, firmer=2)
    assert (presses[STRONGER], hass.states.get("number.cushion_intensity").state) == (2, "3")
    await call(hass, DOMAIN, "adjust", entity_id=FAN, gentler=1)
    assert (presses[GENTLER], hass.states.get("number.cushion_intensity").state) == (1, "2")
    await call(hass, "fan", "turn_off", entity_id=FAN)
    assert presses[TOGGLE] == 2
    assert hass.states.get(FAN).state == "off"


async def test_routine_on_a_plug_only_massager(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=PLUG, min_minutes=1)
    switched_on = record_switch_ons(hass, PLUG)
    await call(hass, DOMAIN, "run_routine", entity_id=FAN, routine="evening_back_pain_relief")
    for _ in range(20):  # the routine's 15 minutes, minute by minute
        await advance(hass, freezer, minutes=1)
    assert hass.states.get("sensor.cushion_routine").attributes["last_outcome"] == "completed"
    assert hass.states.get(PLUG).state == "off"
    assert len(switched_on) == 5  # one session per step, each ended by Home Assistant


async def test_voice_on_a_plug_only_massager(hass: HomeAssistant, helpers: None) -> None:
    await add_through_the_flow(hass, power_entity=PLUG)
    for domain in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, domain, {})
    await hass.async_block_till_done()
    for sentence, state in (("turn on the cushion", "on"), ("stop the massage", "off")):
        result = await conversation.async_converse(hass, sentence, None, Context(), language="en")
        await hass.async_block_till_done()
        assert result.response.response_type.value == "action_done", sentence
        assert hass.states.get(PLUG).state == state, sentence
    result = await conversation.async_converse(
        hass, "how long is left on the massage", None, Context(), language="en"
    )
    assert result.response.response_type.value == "action_done"


async def test_options_change_the_entities_later(hass: HomeAssistant, helpers: None) -> None:
    entry = await add_through_the_flow(hass, power_entity=PLUG)
    assert "switch.cushion_heat" not in entity_ids(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["defaults", "sources"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sources"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "sources")
    sources = {"power_entity": PLUG, **FORM_DEFAULTS}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**sources, "session_minutes": 40}
    )
    assert result["errors"] == {"session_minutes": "minutes_out_of_range"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**sources, "heat_entity": HEAT}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "switch.cushion_heat" in entity_ids(hass)  # reloaded with the heat pad
    # The session defaults stay reachable from the same menu.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "defaults"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "defaults")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"default_minutes": 20, "install_sentences": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Let the reload this change schedules finish before the test (and Home Assistant) ends.
    await hass.async_block_till_done()
    # Kept, by its registry id (a rename is followed).
    assert er.async_resolve_entity_id(er.async_get(hass), entry.options["heat_entity"]) == HEAT
    assert entry.options["default_minutes"] == 20


async def change_sources(hass: HomeAssistant, entry: MockConfigEntry, **sources: Any) -> None:
    """The options' entities step, submitted with these sources (and the usual lengths)."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sources"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**FORM_DEFAULTS, **sources}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()


async def test_a_source_cleared_in_the_options_is_no_longer_used(
    hass: HomeAssistant, helpers: None
) -> None:
    """The options layer over the entry's data: a source left empty there is gone, not kept
    from the data beneath (a heat switch or running sensor taken out must stop being used)."""
    entry = await add_through_the_flow(
        hass, power_entity=PLUG, heat_entity=HEAT, running_entity=WATTS
    )
    assert hass.states.get("switch.cushion_heat") is not None
    await change_sources(hass, entry, power_entity=PLUG)
    # No longer provided (Home Assistant keeps its registry entry, shown as restored, for the
    # user to remove), and the massager has no heat to switch.
    assert hass.states.get("switch.cushion_heat").attributes.get("restored") is True
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, DOMAIN, "start_session", entity_id=FAN, heat=True)
    assert refused.value.translation_key == "heat_not_supported"
    assert hass.states.get(HEAT).state == "off"
    # What the form shows next is what runs: the power alone.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sources"}
    )
    shown = suggested(result)
    assert shown["power_entity"] == PLUG
    assert "heat_entity" not in shown
    assert "running_entity" not in shown
    # And it can be put back.
    await change_sources(hass, entry, power_entity=PLUG, heat_entity=HEAT)
    assert hass.states.get("switch.cushion_heat").attributes.get("restored") is None


@pytest.fixture
async def demo_fan(hass: HomeAssistant) -> str:
    """Home Assistant's demo fan (presets and speed), its demo integration limited to fans."""
    assert await async_setup_component(hass, "homeassistant", {})  # demo depends on it
    with patch(
        "homeassistant.components.demo.COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM", [Platform.FAN]
    ):
        demo = MockConfigEntry(domain="demo")
        demo.add_to_hass(hass)
        assert await hass.config_entries.async_setup(demo.entry_id)
        await hass.async_block_till_done()
    return "fan.living_room_fan"


async def test_a_fan_with_presets_as_the_massager(hass: HomeAssistant, demo_fan: str) -> None:
    await add_through_the_flow(hass, power_entity=demo_fan)
    ids = entity_ids(hass)
    assert {"select.cushion_program", "number.cushion_intensity"} <= ids
    await call(hass, DOMAIN, "start_session", entity_id=FAN, program="sleep")
    source = hass.states.get(demo_fan)
    assert (source.state, source.attributes["preset_mode"]) == ("on", "sleep")
    levels = hass.states.get("number.cushion_intensity").attributes["max"]
    await call(hass, DOMAIN, "adjust", entity_id=FAN, intensity=int(levels))
    assert hass.states.get(demo_fan).attributes["percentage"] == 100
    await wait_for(hass, lambda: hass.states.get("number.cushion_intensity").state == str(levels))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, DOMAIN, "adjust", entity_id=FAN, program="turbo")
    assert "auto" in str(err.value)  # names the presets that exist
    await call(hass, "fan", "turn_off", entity_id=FAN)
    assert hass.states.get(demo_fan).state == "off"


async def test_evening_blueprint_on_a_plug_only_massager(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(TUESDAY_2129)
    entry = await add_through_the_flow(hass, power_entity=PLUG, min_minutes=1)
    notify = async_mock_service(hass, "notify", "test")
    switched_on = record_switch_ons(hass, PLUG)
    await use_blueprint(
        hass,
        tmp_path,
        "evening_back_pain_relief.yaml",
        {
            "massager": FAN,
            "routine": "quick_shoulder_release",
            "when_done": [{"action": "notify.test", "data": {"message": "Massage done"}}],
        },
    )
    await blueprint_advance(hass, freezer, seconds=10, settle=False)  # 21:30: the routine starts
    await wait_for(hass, lambda: hass.states.get(PLUG).state == "on", settle=False)
    for _ in range(10):  # the routine's 8 minutes, minute by minute
        await blueprint_advance(hass, freezer, minutes=1, settle=False)
    await wait_for(hass, lambda: len(notify) == 1, settle=False)
    assert hass.states.get(PLUG).state == "off"
    assert len(switched_on) == 3  # the routine's three steps, each ended by Home Assistant
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_massager_is_not_built_from_another_massagers_parts(
    hass: HomeAssistant, helpers: None
) -> None:
    await add_through_the_flow(hass, power_entity=PLUG, heat_entity=HEAT)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "entities"}
    )
    power = next(key for key in result["data_schema"].schema if key == "power_entity")
    excluded = result["data_schema"].schema[power].config["exclude_entities"]
    assert {FAN, "switch.cushion_heat"} <= set(excluded)
    assert PLUG not in excluded


def test_the_limit_the_form_names_is_the_one_it_enforces() -> None:
    strings = json.loads(
        (Path(__file__).parents[2] / "custom_components/smart_massager/strings.json").read_text()
    )
    text = strings["config"]["error"]["longest_over_limit"]
    assert f"at most {MAX_SESSION_MINUTES} minutes" in text


async def test_an_entry_saved_before_the_one_cap_is_held_to_it(
    hass: HomeAssistant, helpers: None
) -> None:
    # Entries made when this form allowed up to 60 minutes keep their data, not their length.
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Cushion",
        unique_id=f"entities:{PLUG}",
        minor_version=2,
        data={
            CONF_TRANSPORT: "entities",
            "power_entity": PLUG,
            "min_minutes": 5,
            "max_minutes": 60,
            "session_minutes": 45,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    length = hass.states.get("number.cushion_session_length")
    assert (length.attributes["max"], float(length.state)) == (MAX_SESSION_MINUTES, 30)
    with pytest.raises(ServiceValidationError):
        await call(hass, DOMAIN, "start_session", entity_id=FAN, minutes=45)
    assert hass.states.get(PLUG).state == "off"
