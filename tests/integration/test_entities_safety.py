"""A massager built from entities never runs on: the second hardening round's findings 1-8.

The sources are real Home Assistant entities: a template switch as a smart plug (its
availability follows an input_boolean standing for the plug's Wi-Fi link, its state a relay
input_boolean, exactly as a plug integration's switch goes unavailable when the plug drops off
the network), input_number as the plug's power draw, input_button as a bed's toggle button.
Two cases write states directly, and say why where they do: `unknown` for a moment (what an
integration writes while it reconnects), and a number entity whose attributes are nonsense
(what no helper can be made to report).
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from custom_components.smart_massager import session_timer
from custom_components.smart_massager.const import DOMAIN

from .conftest import advance, step_wall_clock
from .test_from_entities import (
    FAN,
    TOGGLE,
    WATTS,
    add_through_the_flow,
    call,
    change_sources,
    helpers,
)

__all__ = ["helpers"]  # the fixture, used by name

PLUG = "switch.plug"
RELAY = "input_boolean.relay"
HEAT_PAD = "switch.heat_pad"
WIFI = "input_boolean.wifi"
ENDS = "sensor.cushion_session_ends"


@pytest.fixture
async def plug(hass: HomeAssistant) -> str:
    """A smart plug's switch: a template switch with a unique id (so it is in the registry)."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"relay": {}, "wifi": {"initial": True}, "pad_relay": {}}},
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "watts": {"min": 0, "max": 200, "step": 0.1},
                # The plug's auto-off countdown in seconds (Tuya and Shelly plugs expose one).
                "countdown": {"min": 0, "max": 86400, "step": 1, "unit_of_measurement": "s"},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Plug",
                            "unique_id": "plug_switch",
                            "state": "{{ is_state('input_boolean.relay', 'on') }}",
                            "availability": "{{ is_state('input_boolean.wifi', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": RELAY},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": RELAY},
                            },
                        },
                        {  # a heat pad on a second plug, also in the registry
                            "name": "Heat pad",
                            "unique_id": "heat_pad_switch",
                            "state": "{{ is_state('input_boolean.pad_relay', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.pad_relay"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.pad_relay"},
                            },
                        },
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(PLUG).state == "off"
    return PLUG


@pytest.fixture(autouse=True)
def no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The timer's retries wait on the loop's clock, which stands still under `freezer`."""
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)


def stop_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    return ir.async_get(hass).async_get_issue(DOMAIN, f"timer_stop_failed_{entry.entry_id}")


async def start(hass: HomeAssistant, **data: Any) -> None:
    await call(hass, DOMAIN, "start_session", entity_id=FAN, **data)


# -- 1. a renamed source -------------------------------------------------------------------------


async def test_a_renamed_plug_is_switched_off_at_the_end(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=10)
    er.async_get(hass).async_update_entity(plug, new_entity_id="switch.bedroom_plug")
    await hass.async_block_till_done()
    assert hass.states.get("switch.bedroom_plug").state == "on"
    assert hass.states.get(FAN).state == "on"  # followed under its new id
    await advance(hass, freezer, minutes=10, seconds=1)
    assert hass.states.get(RELAY).state == "off"
    assert hass.states.get(FAN).state == "off"


async def test_a_plug_removed_mid_session_is_a_fault_not_a_stop(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=10)
    er.async_get(hass).async_remove(plug)
    await hass.async_block_till_done()
    assert hass.states.get(FAN).state == "unavailable"
    await advance(hass, freezer, minutes=10, seconds=1)
    # The end could not be carried out: said, and not taken as a stop.
    assert hass.states.get(RELAY).state == "on"
    assert stop_issue(hass) is not None
    assert hass.states.get(FAN).state == "unavailable"


# -- 2. started below the running threshold ------------------------------------------------------


async def test_a_session_started_below_the_running_threshold_is_timed(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug, running_entity=WATTS, running_above=5)
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=3)  # spinning up
    await start(hass, minutes=10)
    assert hass.states.get(FAN).state == "on"
    assert hass.states.get(ENDS).state not in ("unknown", "unavailable")
    await advance(hass, freezer, minutes=10, seconds=1)
    assert hass.states.get(PLUG).state == "off"


# -- 3. a toggle button across a restart ---------------------------------------------------------


async def test_a_toggle_button_session_ends_after_a_restart(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory
) -> None:
    presses = presses_of(hass, TOGGLE)
    entry = await add_through_the_flow(hass, power_entity=TOGGLE)
    await start(hass, minutes=10)
    assert len(presses) == 1
    # Home Assistant restarts mid-session: the massager is still on, nothing can read that.
    await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, minutes=4)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(FAN).state == "on"
    assert len(presses) == 1  # a restart presses nothing
    await advance(hass, freezer, minutes=6, seconds=1)
    assert len(presses) == 2  # the end pressed it off
    assert hass.states.get(FAN).state == "off"
    # A restart after that presses nothing either (the state kept says off).
    await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, minutes=30)
    assert len(presses) == 2


async def test_a_toggle_button_past_its_end_at_restart_is_pressed_off_at_once(
    hass: HomeAssistant, helpers: None, freezer: FrozenDateTimeFactory
) -> None:
    presses = presses_of(hass, TOGGLE)
    entry = await add_through_the_flow(hass, power_entity=TOGGLE)
    await start(hass, minutes=10)
    await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, minutes=25)  # Home Assistant was down past the end
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(presses) == 2
    assert hass.states.get(FAN).state == "off"


# -- 4. an `unknown` blip ------------------------------------------------------------------------


async def test_an_unknown_blip_neither_ends_nor_restarts_the_session(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=10)
    ends = hass.states.get(ENDS).state
    await advance(hass, freezer, minutes=5)
    # What an integration writes for a moment while it reconnects to its device.
    hass.states.async_set(plug, STATE_UNKNOWN)
    await hass.async_block_till_done()
    assert hass.states.get(FAN).state == "unavailable"
    hass.states.async_set(plug, "on")
    await hass.async_block_till_done()
    assert hass.states.get(FAN).state == "on"
    assert hass.states.get(ENDS).state == ends  # the same session, the same end
    await advance(hass, freezer, minutes=5, seconds=1)
    assert hass.states.get(RELAY).state == "off"


# -- 5. unavailable at the end -------------------------------------------------------------------


async def test_a_plug_unavailable_at_the_end_is_switched_off_when_it_returns(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=10)
    await call(hass, "input_boolean", "turn_off", entity_id=WIFI)  # the plug drops off Wi-Fi
    assert hass.states.get(PLUG).state == "unavailable"
    await advance(hass, freezer, minutes=10, seconds=1)
    await advance(hass, freezer, seconds=40)
    assert hass.states.get(RELAY).state == "on"  # nothing could reach it
    assert stop_issue(hass) is not None  # and the user is told
    # The plug comes back (still on): the stop owed is carried out at once.
    await call(hass, "input_boolean", "turn_on", entity_id=WIFI)
    await advance(hass, freezer, seconds=1)
    assert hass.states.get(RELAY).state == "off"
    assert stop_issue(hass) is None
    # Nothing started a new session.
    await advance(hass, freezer, minutes=30)
    assert hass.states.get(RELAY).state == "off"


# -- 6. a dip in power draw ----------------------------------------------------------------------


async def test_a_dip_in_power_draw_neither_ends_nor_restarts_the_session(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    await add_through_the_flow(hass, power_entity=plug, running_entity=WATTS, running_above=5)
    await start(hass, minutes=10)
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=24)
    ends = hass.states.get(ENDS).state
    await advance(hass, freezer, minutes=3)
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=2)  # a program's pause
    await advance(hass, freezer, seconds=30)
    assert hass.states.get(FAN).state == "on"
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=24)
    assert hass.states.get(ENDS).state == ends
    await advance(hass, freezer, minutes=6, seconds=31)
    assert hass.states.get(RELAY).state == "off"  # at the session's own end, not later


async def test_power_draw_below_the_threshold_for_a_minute_ends_the_session(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory
) -> None:
    # The massager's own auto-off: the plug stays on, the motor stops.
    await add_through_the_flow(hass, power_entity=plug, running_entity=WATTS, running_above=5)
    await start(hass, minutes=20)
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=24)
    await advance(hass, freezer, minutes=5)
    await call(hass, "input_number", "set_value", entity_id=WATTS, value=1)
    await advance(hass, freezer, seconds=59)
    assert hass.states.get(FAN).state == "on"
    await advance(hass, freezer, seconds=2)
    assert hass.states.get(FAN).state == "off"
    assert hass.states.get(ENDS).state == "unknown"


# -- 7. untrusted numbers from a source ----------------------------------------------------------


@pytest.mark.parametrize(
    "attributes",
    [
        {"min": float("-inf"), "max": float("inf"), "step": float("nan")},
        {"min": 1, "max": 1e300, "step": 1},
        {"min": "one", "max": [10], "step": None},
        {"min": 0, "max": 3_000_000, "step": 1},
    ],
    ids=["inf-nan", "huge", "not-numbers", "three-million-levels"],
)
async def test_an_intensity_source_reporting_nonsense_still_sets_up(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory, attributes: dict[str, Any]
) -> None:
    # No helper can be made to report these: written as a faulty integration would write them.
    hass.states.async_set("number.bad_level", "inf", attributes)
    await add_through_the_flow(hass, power_entity=plug, intensity_entity="number.bad_level")
    intensity = hass.states.get("number.cushion_intensity")
    assert intensity is not None
    assert float(intensity.attributes["max"]) - float(intensity.attributes["min"]) <= 3_000_000
    assert len(intensity.state) < 32
    await start(hass, minutes=10)
    await advance(hass, freezer, minutes=10, seconds=1)
    assert hass.states.get(RELAY).state == "off"


# -- 8. the wall clock stepped back --------------------------------------------------------------


async def test_a_wall_clock_stepped_back_does_not_stretch_the_session(
    hass: HomeAssistant,
    plug: str,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=10)
    step_wall_clock(hass, freezer, monkeypatch, hours=-1)  # NTP steps it back an hour
    await advance(hass, freezer, minutes=10, seconds=1)
    assert hass.states.get(RELAY).state == "off"


# -- a real stop and the device's own timer (beds, plugs with a countdown) -----------------------


@pytest.fixture
async def bed(hass: HomeAssistant) -> None:
    """A bed base as Adjustable Bed exposes a Linak's massage: buttons only, plus a timer select.

    Adjustable Bed (kristofferR/ha-adjustable-bed) keys: massage_all_toggle, massage_all_off,
    massage_timer (options such as Off / 10 / 20 / 30 min).
    """
    assert await async_setup_component(
        hass,
        "input_button",
        {"input_button": {"massage_all_toggle": {}, "massage_all_off": {}}},
    )
    assert await async_setup_component(
        hass,
        "input_select",
        {"input_select": {"massage_timer": {"options": ["Off", "10 min", "20 min", "30 min"]}}},
    )
    await hass.async_block_till_done()


def presses_of(hass: HomeAssistant, *entity_ids: str) -> list[str]:
    """Every press of these buttons, in order, as it happens."""
    pressed: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            pressed.append(event.data["entity_id"].split(".")[1])
            if event.data["entity_id"] in entity_ids
            else None
        ),
    )
    return pressed


BED_TOGGLE = "input_button.massage_all_toggle"
BED_OFF = "input_button.massage_all_off"
BED_TIMER = "input_select.massage_timer"


async def test_a_bed_stops_with_its_off_button_never_its_toggle(
    hass: HomeAssistant, bed: None, freezer: FrozenDateTimeFactory
) -> None:
    pressed = presses_of(hass, BED_TOGGLE, BED_OFF)
    entry = await add_through_the_flow(
        hass, power_entity=BED_TOGGLE, stop_entity=BED_OFF, timer_entity=BED_TIMER
    )
    await start(hass, minutes=15)
    assert pressed == ["massage_all_toggle"]
    # The bed's own timer is armed to the shortest option not shorter than the session.
    assert hass.states.get(BED_TIMER).state == "20 min"
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)
    assert pressed == ["massage_all_toggle", "massage_all_off"]
    assert hass.states.get(BED_TIMER).state == "Off"
    # A stop while it is off presses the off button again, never the toggle.
    await advance(hass, freezer, seconds=1)
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)
    assert pressed == ["massage_all_toggle", "massage_all_off", "massage_all_off"]
    # The end of a session, after a restart in the middle of it, is the off button too.
    pressed.clear()
    await advance(hass, freezer, seconds=1)  # a press is a new state only at a new time
    await start(hass, minutes=30)
    assert hass.states.get(BED_TIMER).state == "30 min"
    await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, minutes=30, seconds=1)
    assert pressed == ["massage_all_toggle", "massage_all_off"]
    assert hass.states.get(FAN).state == "off"


async def test_a_session_longer_than_every_timer_option_arms_the_longest(
    hass: HomeAssistant, bed: None
) -> None:
    # A base whose own timer stops at 20 minutes, for a session of 25 (within the one cap, 30).
    await call(
        hass,
        "input_select",
        "set_options",
        entity_id=BED_TIMER,
        options=["Off", "10 min", "20 min"],
    )
    await add_through_the_flow(
        hass, power_entity=BED_TOGGLE, stop_entity=BED_OFF, timer_entity=BED_TIMER
    )
    await start(hass, minutes=25)
    assert hass.states.get(BED_TIMER).state == "20 min"  # Home Assistant ends it at 25


async def test_a_plug_countdown_is_armed_past_the_session_and_cleared_on_stop(
    hass: HomeAssistant, plug: str
) -> None:
    await add_through_the_flow(hass, power_entity=plug, timer_entity="input_number.countdown")
    await start(hass, minutes=15)
    assert float(hass.states.get("input_number.countdown").state) == (15 + 2) * 60
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)
    assert float(hass.states.get("input_number.countdown").state) == 0
    assert hass.states.get(RELAY).state == "off"


async def test_hidden_sources_are_shown_again_when_the_massager_goes(
    hass: HomeAssistant, plug: str
) -> None:
    registry = er.async_get(hass)
    entry = await add_through_the_flow(hass, power_entity=plug, hide_sources=True)
    assert registry.async_get(plug).hidden_by is er.RegistryEntryHider.INTEGRATION
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(plug).hidden_by is None


async def test_a_hidden_source_replaced_in_the_options_is_shown_again(
    hass: HomeAssistant, plug: str
) -> None:
    registry = er.async_get(hass)
    entry = await add_through_the_flow(hass, power_entity=plug, hide_sources=True)
    assert registry.async_get(plug).hidden_by is er.RegistryEntryHider.INTEGRATION
    await change_sources(hass, entry, power_entity=RELAY, hide_sources=True)
    assert registry.async_get(plug).hidden_by is None  # no longer the massager's


async def test_hiding_follows_the_sources_through_the_options(
    hass: HomeAssistant, plug: str
) -> None:
    """Roles swapped: both stay hidden. A heat pad taken out while on is switched off (the
    massager reloaded without it would own it no more) and shown again; one added is hidden."""
    registry = er.async_get(hass)
    entry = await add_through_the_flow(
        hass, power_entity=plug, heat_entity=HEAT_PAD, hide_sources=True
    )
    assert registry.async_get(HEAT_PAD).hidden_by is er.RegistryEntryHider.INTEGRATION
    await change_sources(hass, entry, power_entity=HEAT_PAD, heat_entity=plug, hide_sources=True)
    for source in (plug, HEAT_PAD):
        assert registry.async_get(source).hidden_by is er.RegistryEntryHider.INTEGRATION
    await change_sources(hass, entry, power_entity=plug, heat_entity=HEAT_PAD, hide_sources=True)
    await call(hass, "switch", "turn_on", entity_id=HEAT_PAD)
    await change_sources(hass, entry, power_entity=plug, hide_sources=True)
    assert hass.states.get(HEAT_PAD).state == "off"
    assert registry.async_get(HEAT_PAD).hidden_by is None
    assert registry.async_get(plug).hidden_by is er.RegistryEntryHider.INTEGRATION
    await change_sources(hass, entry, power_entity=plug, heat_entity=HEAT_PAD, hide_sources=True)
    assert registry.async_get(HEAT_PAD).hidden_by is er.RegistryEntryHider.INTEGRATION


async def test_a_source_another_integration_hid_is_left_hidden(
    hass: HomeAssistant, plug: str
) -> None:
    """This massager does not hide its sources: replacing one shows nothing (switch_as_x and
    others hide what they wrap the same way, as the integration)."""
    registry = er.async_get(hass)
    registry.async_update_entity(plug, hidden_by=er.RegistryEntryHider.INTEGRATION)
    entry = await add_through_the_flow(hass, power_entity=plug)
    await change_sources(hass, entry, power_entity=RELAY)
    assert registry.async_get(plug).hidden_by is er.RegistryEntryHider.INTEGRATION


async def test_sources_hidden_by_the_user_stay_hidden(hass: HomeAssistant, plug: str) -> None:
    registry = er.async_get(hass)
    registry.async_update_entity(plug, hidden_by=er.RegistryEntryHider.USER)
    entry = await add_through_the_flow(hass, power_entity=plug, hide_sources=True)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(plug).hidden_by is er.RegistryEntryHider.USER


async def test_a_source_shown_again_by_the_user_stays_shown_after_a_restart(
    hass: HomeAssistant, plug: str
) -> None:
    registry = er.async_get(hass)
    entry = await add_through_the_flow(hass, power_entity=plug, hide_sources=True)
    registry.async_update_entity(plug, hidden_by=None)  # the user shows it again
    await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(plug).hidden_by is None


async def test_a_timer_select_with_no_length_is_logged_and_the_session_still_timed(
    hass: HomeAssistant, plug: str, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    assert await async_setup_component(
        hass, "input_select", {"input_select": {"auto_off": {"options": ["Off", "Never"]}}}
    )
    await add_through_the_flow(hass, power_entity=plug, timer_entity="input_select.auto_off")
    await start(hass, minutes=10)
    assert hass.states.get(FAN).state == "on"
    assert "could not arm its own timer" in caplog.text
    await advance(hass, freezer, minutes=10, seconds=1)
    assert hass.states.get(RELAY).state == "off"  # Home Assistant's own end still comes
    assert hass.states.get("input_select.auto_off").state == "Off"


@pytest.mark.parametrize(
    ("options", "minutes", "armed"),
    [
        (["Off", "90 s", "5 min", "1 h"], 3, "5 min"),
        (["0", "15", "30"], 20, "30"),
        (["aus", "10 Min", "20 Min"], 10, "10 Min"),
    ],
)
async def test_timer_options_are_read_in_their_units(
    hass: HomeAssistant, plug: str, options: list[str], minutes: int, armed: str
) -> None:
    assert await async_setup_component(
        hass, "input_select", {"input_select": {"bed_timer": {"options": options}}}
    )
    await add_through_the_flow(
        hass, power_entity=plug, timer_entity="input_select.bed_timer", min_minutes=1
    )
    await start(hass, minutes=minutes)
    assert hass.states.get("input_select.bed_timer").state == armed
    await call(hass, DOMAIN, "stop_session", entity_id=FAN)
    assert hass.states.get("input_select.bed_timer").state == options[0]


async def test_a_removed_massager_leaves_no_stored_files(
    hass: HomeAssistant, hass_storage: dict[str, Any], plug: str
) -> None:
    """Its session end and what it last commanded (a toggle button's state) go with it."""
    entry = await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=15)
    await hass.async_block_till_done()
    timer = f"smart_massager.session_timer.{entry.entry_id}"
    commanded = f"smart_massager.commanded.{entry.entry_id}"
    assert timer in hass_storage  # written while it runs
    # A plug writes no commands; a toggle-button massager would have this file.
    hass_storage[commanded] = {"version": 1, "minor_version": 1, "key": commanded, "data": {}}
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert timer not in hass_storage
    assert commanded not in hass_storage


async def test_a_plug_massager_removed_mid_session_is_switched_off(
    hass: HomeAssistant, plug: str
) -> None:
    """Its timer goes with the entry: the plug would stay on for good."""
    entry = await add_through_the_flow(hass, power_entity=plug)
    await start(hass, minutes=15)
    assert hass.states.get(RELAY).state == "on"
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(RELAY).state == "off"
