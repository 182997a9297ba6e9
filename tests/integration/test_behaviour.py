"""One behaviour suite for every transport: it runs over setups.SETUPS, one row per kind.

Tests here speak only of what a user sees and what the device did, never of one wire protocol.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.diagnostics import async_get_config_entry_diagnostics
from emulators.reference import EmulatorServer

from .conftest import setup_assist, wait_for
from .setups import SETUPS, Massager, set_up_massager
from .test_blueprints import use_blueprint

SECRETS = {"token", "host", "local_key", "device_id"}


@pytest.fixture(params=SETUPS)
async def massager(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    emulator: EmulatorServer,
    config_entry: MockConfigEntry,
) -> AsyncGenerator[Massager]:
    async with set_up_massager(request.param, hass, emulator, config_entry) as handle:
        yield handle


async def act(hass: HomeAssistant, massager: Massager, service: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, service, {"entity_id": massager.fan, **data}, blocking=True
    )
    # The calls a source massager counts arrive as bus events, delivered after the call.
    await hass.async_block_till_done()


async def test_fan_starts_and_stops_a_session(hass: HomeAssistant, massager: Massager) -> None:
    await hass.services.async_call("fan", "turn_on", {"entity_id": massager.fan}, blocking=True)
    assert massager.device()["status"] == "running"
    assert hass.states.get(massager.fan).state == "on"
    await hass.services.async_call("fan", "turn_off", {"entity_id": massager.fan}, blocking=True)
    assert massager.device()["status"] == "idle"
    assert hass.states.get(massager.fan).state == "off"


async def test_start_session_with_settings(hass: HomeAssistant, massager: Massager) -> None:
    strongest = massager.strongest
    await act(
        hass, massager, "start_session", program=massager.program, intensity=strongest, heat=True
    )
    assert massager.device() == {
        "status": "running",
        "program": massager.program,
        "intensity": strongest,
        "heat": True,
    }


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"program": "no_such_program"}, "invalid_program"),
        ({"intensity": 99}, "invalid_intensity"),
        ({"minutes": 31}, "invalid_minutes"),
    ],
)
async def test_refusals_send_nothing(
    hass: HomeAssistant, massager: Massager, data: dict[str, Any], key: str
) -> None:
    before, sent = massager.device(), massager.sent()
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, massager, "start_session", **data)
    assert err.value.translation_key == key
    assert (massager.device(), massager.sent()) == (before, sent)


async def test_nothing_restarts_a_running_session(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "start_session", program=massager.program)
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, massager, "start_session", program=massager.program)
    assert err.value.translation_key == "session_active"


async def test_gentler_and_firmer(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "start_session", intensity=massager.strongest - 1)
    await act(hass, massager, "adjust", firmer=1)
    assert massager.device()["intensity"] == massager.strongest
    await act(hass, massager, "adjust", gentler=massager.strongest + 5)  # clamped to the lowest
    assert massager.device()["intensity"] == 1


async def test_routine_starts_its_first_step(hass: HomeAssistant, massager: Massager) -> None:
    await act(hass, massager, "run_routine", steps=[{"program": massager.program, "minutes": 10}])
    await wait_for(hass, lambda: massager.device()["status"] == "running")
    assert massager.device()["program"] == massager.program
    await act(hass, massager, "stop_routine")
    assert massager.device()["status"] == "idle"


async def test_diagnostics_hold_no_secret(hass: HomeAssistant, massager: Massager) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, massager.entry)
    text = repr(diagnostics)
    secrets = [value for key, value in massager.entry.data.items() if key in SECRETS]
    for value in secrets:
        assert str(value) not in text
    assert massager.entry.unique_id not in text


async def test_voice_through_the_real_agent(hass: HomeAssistant, massager: Massager) -> None:
    await setup_assist(hass)
    name = hass.states.get(massager.fan).name
    for text, status in ((f"turn on the {name}", "running"), ("stop the massage", "idle")):
        result = await conversation.async_converse(hass, text, None, Context(), language="en")
        assert result.response.response_type.value == "action_done", text
        await wait_for(hass, lambda status=status: massager.device()["status"] == status)


async def test_safety_stop_blueprint(
    hass: HomeAssistant, massager: Massager, tmp_path: Path
) -> None:
    hass.states.async_set("zone.home", "1")
    await use_blueprint(
        hass, tmp_path, "safety_stop.yaml", {"massagers": [massager.fan], "latest_time": "23:59:59"}
    )
    await act(hass, massager, "start_session", program=massager.program, heat=True)
    hass.states.async_set("zone.home", "0")  # everybody left
    await wait_for(hass, lambda: massager.device()["status"] == "idle")
    assert massager.device()["heat"] is False
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_the_length_is_locked_during_a_session(
    hass: HomeAssistant, massager: Massager
) -> None:
    length = massager.fan.replace("fan.", "number.") + "_session_length"
    await act(hass, massager, "start_session", program=massager.program)
    before, sent = hass.states.get(length).state, massager.sent()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": length, "value": 20}, blocking=True
        )
    assert err.value.translation_key == "length_during_session"
    assert (hass.states.get(length).state, massager.sent()) == (before, sent)


async def test_a_session_ended_on_the_device_takes_its_heat_with_it(
    hass: HomeAssistant, massager: Massager
) -> None:
    """Home Assistant's session timer is the one owner of this rule, for every transport."""
    if massager.off_on_device is None:
        pytest.skip("the device ends its sessions, and their heat, by itself")
    await act(hass, massager, "start_session", program=massager.program, heat=True)
    await massager.off_on_device()
    assert massager.device()["heat"] is True  # left on by the device
    await wait_for(hass, lambda: massager.device()["heat"] is False)
    assert massager.device()["status"] == "idle"  # nothing started again
