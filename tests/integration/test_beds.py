"""Massage in bed bases: three bed shapes from the device-first flow to every session's end.

The beds are Adjustable Bed's entities as tests/integration/adjustable_bed.py makes them (a
mocked integration with real entities of that integration's shape). Each test reads what the
bed received, in order, so "a stop is a stop" is checked on the bed itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import mock_config_flow

from custom_components.smart_massager import session_timer
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.llm import massager_prompt

from .adjustable_bed import LINAK, POLL, REVERIE, TIMED, Bed, BedFlow, BedShape, add_bed
from .conftest import advance, setup_assist, wait_for
from .test_blueprints import TUESDAY_2129, use_blueprint
from .test_blueprints import advance as blueprint_advance
from .test_from_entities import call, change_sources
from .test_voice import converse

FORM_DEFAULTS = {
    "intensity_levels": 10,
    "running_above": 5,
    "min_minutes": 1,
    "max_minutes": 30,
    "session_minutes": 15,
    "modes": 3,
}


@pytest.fixture(autouse=True)
def bed_flow(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)
    with mock_config_flow("adjustable_bed", BedFlow):
        yield


def suggested(schema: Any) -> dict[str, Any]:
    """The values a form shows filled in, a section's as a dict of their own."""
    values: dict[str, Any] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            values[str(key)] = suggested(value.schema)
        elif key.description and "suggested_value" in key.description:
            values[str(key)] = key.description["suggested_value"]
    return values


async def add_massager(hass: HomeAssistant, device_id: str) -> tuple[dict[str, Any], str]:
    """The device-first flow, confirming the proposal as it is: (proposal, the fan's id)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "device"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": device_id}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "entities")
    proposal = suggested(result["data_schema"])
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**FORM_DEFAULTS, **proposal}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    return proposal, "fan.bedroom_bed"


async def bed_with_massager(
    hass: HomeAssistant, shape: BedShape
) -> tuple[Bed, dict[str, Any], str]:
    bed = Bed(mac="aa:bb:cc:dd:ee:01", name="Bedroom bed")
    device_id = await add_bed(hass, bed, shape)
    proposal, fan = await add_massager(hass, device_id)
    bed.commands.clear()
    return bed, proposal, fan


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Adjustable Bed's 30 s poll of its numbers and selects."""
    await advance(hass, freezer, seconds=POLL.total_seconds())


def state(hass: HomeAssistant, entity_id: str) -> str:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


async def test_reverie_levels_and_a_stop_button_need_no_power_entity(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, proposal, fan = await bed_with_massager(hass, REVERIE)
    assert proposal == {
        "name": "Bedroom bed",
        "stop_entity": "button.bedroom_bed_massage_all_off",
        "mode_step_entity": "button.bedroom_bed_massage_mode_step",
        "zones": {
            "head_intensity_entity": "number.bedroom_bed_massage_head_intensity",
            "foot_intensity_entity": "number.bedroom_bed_massage_foot_intensity",
            "wave_intensity_entity": "number.bedroom_bed_massage_wave_intensity",
        },
    }
    # One intensity entity per zone, beside the massager's own (all zones at once).
    for zone in ("head", "foot", "wave"):
        assert state(hass, f"number.bedroom_bed_{zone}_intensity") == "0"
    assert state(hass, fan) == "off"

    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=10)
    assert bed.commands == ["head=1", "foot=1", "wave=1"]  # its levels are its on: gentlest
    assert state(hass, fan) == "on"
    await call(hass, "number", "set_value", entity_id="number.bedroom_bed_foot_intensity", value=6)
    assert bed.levels == {"head": 1, "foot": 6, "wave": 1}
    assert state(hass, "number.bedroom_bed_foot_intensity") == "6"
    # "Massage my feet": the foot alone, at the intensity asked.
    await call(hass, DOMAIN, "adjust", entity_id=fan, zone="foot", firmer=2)
    assert bed.levels["foot"] == 8

    # Home Assistant's end: the bed's real off, never a level guessed at.
    bed.commands.clear()
    await advance(hass, freezer, minutes=10, seconds=1)
    assert bed.commands == ["massage_all_off"]
    assert not bed.massaging
    # The numbers still show the levels from before the stop until the bed is polled: that is
    # not a new session.
    assert state(hass, "number.bedroom_bed_foot_intensity") == "8"
    assert state(hass, fan) == "off"
    await poll(hass, freezer)
    assert state(hass, "number.bedroom_bed_foot_intensity") == "0"
    assert state(hass, fan) == "off"


async def test_reverie_started_on_its_remote_is_timed_and_stopped(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    bed.levels["head"] = 4  # the bed's own remote
    await poll(hass, freezer)
    assert state(hass, fan) == "on"
    bed.commands.clear()
    await advance(hass, freezer, minutes=15, seconds=1)  # the default session
    assert bed.commands == ["massage_all_off"]


async def test_start_on_one_zone_alone(hass: HomeAssistant) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await call(hass, DOMAIN, "start_session", entity_id=fan, zone="foot", intensity=5)
    assert bed.levels == {"head": 0, "foot": 5, "wave": 0}
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, DOMAIN, "adjust", entity_id=fan, zone="shoulders", firmer=1)
    assert refused.value.translation_key == "invalid_zone"
    assert refused.value.translation_placeholders["allowed"] == "head, foot, wave"
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, DOMAIN, "adjust", entity_id=fan, zone="foot", intensity=11)
    assert refused.value.translation_key == "invalid_intensity"
    assert bed.levels == {"head": 0, "foot": 5, "wave": 0}  # a refusal changes nothing


async def test_linak_buttons_per_zone(hass: HomeAssistant) -> None:
    bed, proposal, fan = await bed_with_massager(hass, LINAK)
    assert proposal["power_entity"] == "button.bedroom_bed_massage_all_toggle"
    assert proposal["stop_entity"] == "button.bedroom_bed_massage_all_off"
    assert proposal["zones"] == {
        "head_stronger_entity": "button.bedroom_bed_massage_head_up",
        "head_gentler_entity": "button.bedroom_bed_massage_head_down",
        "foot_stronger_entity": "button.bedroom_bed_massage_foot_up",
        "foot_gentler_entity": "button.bedroom_bed_massage_foot_down",
    }
    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=10)
    assert bed.commands == ["massage_all_toggle"]
    # Counted from the bed's own first level after Home Assistant started it.
    assert state(hass, "number.bedroom_bed_foot_intensity") == "1"
    await call(hass, DOMAIN, "adjust", entity_id=fan, zone="foot", firmer=2)
    assert bed.commands[1:] == ["massage_foot_up", "massage_foot_up"]
    assert bed.levels == {"head": 1, "foot": 3, "wave": 0}
    assert state(hass, "number.bedroom_bed_foot_intensity") == "3"
    # The massager's intensity is all zones at once.
    await call(hass, DOMAIN, "adjust", entity_id=fan, intensity=2)
    assert bed.levels == {"head": 2, "foot": 2, "wave": 0}
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert bed.commands[-1] == "massage_all_off"
    assert bed.commands.count("massage_all_toggle") == 1  # never the toggle to stop
    assert not bed.massaging


async def test_linak_levels_are_not_assumed_after_a_restart(hass: HomeAssistant) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, LINAK)
    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=10)
    await call(hass, DOMAIN, "adjust", entity_id=fan, zone="foot", firmer=2)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # Nothing reads a Linak's levels back: after a restart the count is gone, not guessed.
    assert state(hass, "number.bedroom_bed_foot_intensity") == "unknown"
    bed.commands.clear()
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, DOMAIN, "adjust", entity_id=fan, zone="foot", firmer=1)
    assert refused.value.translation_key == "zone_level_unknown"
    assert bed.commands == []
    # The session goes on and still ends with the bed's real off.
    assert state(hass, fan) == "on"
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert bed.commands == ["massage_all_off"]


async def test_a_timed_bed_arms_its_own_timer_and_survives_a_disconnect(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, proposal, fan = await bed_with_massager(hass, TIMED)
    assert proposal["timer_entity"] == "select.bedroom_bed_massage_timer"
    assert proposal["zones"] == {
        "head_intensity_entity": "number.bedroom_bed_massage_head_intensity",
        "head_level_entity": "sensor.bedroom_bed_massage_head_level",
        "foot_intensity_entity": "number.bedroom_bed_massage_foot_intensity",
        "foot_level_entity": "sensor.bedroom_bed_massage_foot_level",
    }
    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=15, intensity=3)
    assert bed.commands == ["massage_all_toggle", "timer=20 min", "head=3", "foot=3"]
    assert bed.timer == "20 min"  # the nearest not shorter than the session
    await call(hass, DOMAIN, "adjust", entity_id=fan, zone="head", gentler=1)
    assert bed.levels["head"] == 2
    # The bed drops its link after 40 s idle: its levels are unknown, its massage goes on.
    bed.idle_disconnect()
    await poll(hass, freezer)
    assert state(hass, "number.bedroom_bed_head_intensity") == "unknown"
    assert state(hass, fan) == "on"
    with pytest.raises(ServiceValidationError):
        await call(hass, DOMAIN, "adjust", entity_id=fan, zone="head", firmer=1)
    # An absolute level still works (it reconnects the bed).
    await call(hass, "number", "set_value", entity_id="number.bedroom_bed_head_intensity", value=5)
    assert bed.levels["head"] == 5
    bed.commands.clear()
    await advance(hass, freezer, minutes=15, seconds=1)
    assert bed.commands == ["massage_all_off", "timer=Off"]
    assert not bed.massaging


async def test_the_evening_blueprint_on_a_bed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    """A bed without programs runs every step as its one massage, each at its own level."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(TUESDAY_2129)
    bed, _proposal, fan = await bed_with_massager(hass, TIMED)
    await use_blueprint(
        hass,
        tmp_path,
        "evening_back_pain_relief.yaml",
        {"massager": fan, "routine": "quick_shoulder_release", "heat": True},
    )
    routine = "sensor.bedroom_bed_routine"

    def on_step(step: int) -> bool:
        found = hass.states.get(routine)
        return found is not None and found.attributes.get("step") == step

    await blueprint_advance(hass, freezer, seconds=10, settle=False)
    await wait_for(hass, lambda: on_step(1), settle=False)
    assert bed.commands[:2] == ["massage_all_toggle", "timer=10 min"]
    first = dict(bed.levels)
    for step, minutes in ((2, 2), (3, 3)):
        await blueprint_advance(hass, freezer, minutes=minutes, settle=False)
        await wait_for(hass, lambda step=step: on_step(step), settle=False)
    assert bed.levels["head"] > first["head"]  # medium, then firm: the pressure follows
    await blueprint_advance(hass, freezer, minutes=3, seconds=1, settle=False)
    await wait_for(hass, lambda: not bed.massaging, settle=False)
    assert bed.commands[-2:] == ["massage_all_off", "timer=Off"]
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


@pytest.mark.parametrize(
    ("language", "sentence", "levels_after"),
    [
        ("en", "make the foot massage stronger", {"head": 3, "foot": 4, "wave": 3}),
        ("en", "turn down the head massage", {"head": 2, "foot": 3, "wave": 3}),
        ("en", "foot massage a bit gentler", {"head": 3, "foot": 2, "wave": 3}),
        ("de", "Fußmassage stärker", {"head": 3, "foot": 4, "wave": 3}),
        ("de", "mach die Kopfmassage etwas sanfter", {"head": 2, "foot": 3, "wave": 3}),
        ("en", "make the massage stronger", {"head": 4, "foot": 4, "wave": 4}),
    ],
)
async def test_voice_per_zone(
    hass: HomeAssistant, language: str, sentence: str, levels_after: dict[str, int]
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await setup_assist(hass)
    await call(hass, DOMAIN, "start_session", entity_id=fan, intensity=3)
    response_type, said = await converse(hass, sentence, language=language)
    assert response_type == "action_done", said
    assert bed.levels == levels_after


@pytest.mark.parametrize(
    ("language", "sentence", "answer"),
    [
        ("en", "massage my feet", "Started"),
        ("de", "massiere meine Füße", "gestartet"),
    ],
)
async def test_voice_massages_one_zone_alone(
    hass: HomeAssistant, language: str, sentence: str, answer: str
) -> None:
    bed, _proposal, _fan = await bed_with_massager(hass, REVERIE)
    await setup_assist(hass)
    response_type, said = await converse(hass, sentence, language=language)
    assert (response_type, answer in said) == ("action_done", True), said
    assert bed.levels == {"head": 0, "foot": 1, "wave": 0}


async def test_voice_stops_the_bed_massage_with_its_off(hass: HomeAssistant) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, LINAK)
    await setup_assist(hass)
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    response_type, said = await converse(hass, "stop the bed massage")
    assert response_type == "action_done", said
    assert bed.commands[-1] == "massage_all_off"
    # A level nothing tells is not stepped: the answer says so, the bed gets nothing.
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    sent = len(bed.commands)
    response_type, said = await converse(hass, "make the foot massage stronger")
    assert response_type == "action_done"
    assert bed.levels["foot"] == 2
    assert len(bed.commands) == sent + 1


@pytest.mark.parametrize(("language", "answer"), [("en", "10 minutes"), ("de", "10 Minuten")])
async def test_bare_time_left_answers_while_a_massage_runs(
    hass: HomeAssistant, language: str, answer: str
) -> None:
    _bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await setup_assist(hass)
    sentence = {"en": "how long is left", "de": "wie lange noch"}[language]
    await call(hass, DOMAIN, "start_session", entity_id=fan, minutes=10)
    response_type, said = await converse(hass, sentence, language=language)
    assert (response_type, answer in said) == ("action_done", True), said


@pytest.mark.parametrize("language", ["en", "de"])
async def test_bare_time_left_goes_to_the_timers_without_a_massage(
    hass: HomeAssistant, language: str
) -> None:
    await bed_with_massager(hass, REVERIE)
    await setup_assist(hass)
    sentence = {"en": "how long is left", "de": "wie lange noch"}[language]
    _response_type, said = await converse(hass, sentence, language=language)
    # Home Assistant's timer intent answered, in its own words (home-assistant-intents), not
    # this integration ("No massage is running.").
    assert said == {"en": "No timers.", "de": "Es laufen keine Timer."}[language]


async def test_a_stop_the_levels_contradict_is_retried_then_reported(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, TIMED)
    await call(hass, DOMAIN, "start_session", entity_id=fan, intensity=3)
    bed.off_works = False
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert bed.commands.count("massage_all_off") == 1
    assert state(hass, fan) == "off"  # nothing read since the stop says otherwise yet
    # The bed's next poll writes the same levels again: the stop did nothing. Once more...
    await poll(hass, freezer)
    assert bed.commands.count("massage_all_off") == 2
    issues = ir.async_get(hass)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    issue_id = f"stop_not_confirmed_{entry.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    # ... and when the levels still say it runs, the user is told, and the state says so.
    await poll(hass, freezer)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "stop_not_confirmed"
    assert state(hass, fan) == "on"
    # Fixed by hand: the next session starts clean.
    bed.off_works = True
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    await poll(hass, freezer)
    assert state(hass, fan) == "off"
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_a_stop_the_levels_confirm_raises_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, TIMED)
    await call(hass, DOMAIN, "start_session", entity_id=fan, intensity=3)
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    for _ in range(3):
        await poll(hass, freezer)
    assert bed.commands.count("massage_all_off") == 1
    assert state(hass, fan) == "off"
    assert not ir.async_get(hass).issues


async def test_a_toggle_bed_started_on_its_remote_is_seen_by_its_level_sensors(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, TIMED)
    bed.press("massage_all_toggle")  # the bed's own remote: Home Assistant pressed nothing
    await hass.async_block_till_done()
    assert state(hass, fan) == "on"
    bed.commands.clear()
    await advance(hass, freezer, minutes=15, seconds=1)  # the default session
    assert bed.commands == ["massage_all_off", "timer=Off"]
    assert state(hass, fan) == "off"


async def test_llm_agents_learn_the_zones(hass: HomeAssistant) -> None:
    await bed_with_massager(hass, REVERIE)
    prompt = massager_prompt(hass.config_entries.async_entries(DOMAIN))
    line = prompt.splitlines()[-1]
    own = line.split("zones with their own intensity ", 1)[1].split(";", 1)[0]
    assert json.loads(own) == {"head": "0-10", "foot": "0-10", "wave": "0-10"}


async def test_a_stop_button_that_is_unavailable_is_not_a_stop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Home Assistant skips an unavailable entity without an error: that is no stop."""
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    # Adjustable Bed's buttons are always available while it runs; not while it is failing
    # or being reloaded.
    off = bed.entities["massage_all_off"]
    off._attr_available = False
    off.async_write_ha_state()
    await hass.async_block_till_done()
    assert state(hass, "button.bedroom_bed_massage_all_off") == "unavailable"
    with pytest.raises(HomeAssistantError):
        await call(hass, DOMAIN, "stop_session", entity_id=fan)
    assert bed.massaging


TOGGLE_ONLY = BedShape(
    buttons=("massage_all_toggle",), numbers=("head", "foot"), sensors=("head", "foot")
)


async def test_a_toggle_is_not_pressed_when_the_levels_say_it_is_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, TOGGLE_ONLY)
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    assert bed.massaging
    freezer.tick(1)  # the remote, a second later (readings are ordered by their time)
    bed.press("massage_all_toggle")  # switched off on the bed's remote
    await hass.async_block_till_done()
    assert state(hass, fan) == "off"
    sent = len(bed.commands)
    await call(hass, DOMAIN, "stop_session", entity_id=fan)  # a safety stop after all
    assert len(bed.commands) == sent  # the toggle would have switched it on
    assert not bed.massaging


async def test_after_the_stop_is_verified_a_remote_start_is_a_session(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    await advance(hass, freezer, minutes=5)  # well past the stop's verification
    bed.levels["head"] = 4  # the remote, later that evening
    bed.commands.clear()
    await poll(hass, freezer)
    assert state(hass, fan) == "on"
    assert bed.commands == []  # not taken for a failed stop
    await advance(hass, freezer, minutes=15, seconds=1)
    assert bed.commands == ["massage_all_off"]


async def test_a_level_set_right_after_a_stop_starts_a_session_not_a_second_stop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    bed, _proposal, fan = await bed_with_massager(hass, REVERIE)
    await call(hass, DOMAIN, "start_session", entity_id=fan)
    await call(hass, DOMAIN, "stop_session", entity_id=fan)
    bed.commands.clear()
    await call(hass, "number", "set_value", entity_id="number.bedroom_bed_foot_intensity", value=5)
    await poll(hass, freezer)
    assert bed.commands == ["foot=5"]
    assert state(hass, fan) == "on"


async def test_options_keep_the_zones_a_client_leaves_out(hass: HomeAssistant) -> None:
    """The zones section is optional in the form (a REST client may leave it out): left out,
    the zones stay; sent, a zone left empty is cleared as any source left empty."""
    _bed, proposal, _fan = await bed_with_massager(hass, TIMED)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    sources = {key: value for key, value in proposal.items() if key not in ("name", "zones")}
    await change_sources(hass, entry, **sources)
    assert state(hass, "number.bedroom_bed_foot_intensity") == "0"  # still the bed's
    head = {key: value for key, value in proposal["zones"].items() if key.startswith("head")}
    await change_sources(hass, entry, **sources, zones=head)
    assert state(hass, "number.bedroom_bed_head_intensity") == "0"
    assert hass.states.get("number.bedroom_bed_foot_intensity").attributes.get("restored")
