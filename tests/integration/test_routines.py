"""The routine engine end to end: steps reach the emulator in order as time passes on the device.

Time is frozen and advanced with Home Assistant's test clock; the emulator runs in the same
process, so its session timers are the loop timers that `async_fire_time_changed` fires, and its
device clock is the frozen clock. Every step change still travels over the real event stream.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.routines import EVENT_ROUTINE_ENDED
from emulators.reference import (
    PROGRAMS,
    Catalogue,
    EmulatorServer,
    Status,
    VirtualMassager,
)

from .conftest import wait_for

ROUTINE_SENSOR = "sensor.back_massager_routine"

type Start = tuple[str, str, int, int, bool]


def on_step(hass: HomeAssistant, step: int) -> bool:
    """True once Home Assistant shows the routine at `step` (the device may be ahead of it)."""
    state = hass.states.get(ROUTINE_SENSOR)
    return state is not None and state.attributes.get("step") == step


def record_starts(device: VirtualMassager) -> list[Start]:
    """Every session start the device sees: (program, zone, intensity, minutes, heat)."""
    starts: list[Start] = []
    running = [device.status is Status.RUNNING]

    def on_change() -> None:
        now_running = device.status is Status.RUNNING
        if now_running and not running[0]:
            starts.append(
                (device.program, device.zone, device.intensity, device.minutes, device.heat)
            )
        running[0] = now_running

    device.listeners.append(on_change)
    return starts


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float) -> None:
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def setup(hass: HomeAssistant, entry: MockConfigEntry, emulator: EmulatorServer) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: emulator.stream_count == 1)


async def run_routine(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "run_routine", {"entity_id": "fan.back_massager", **data}, blocking=True
    )


async def test_evening_routine_runs_every_step_in_order(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    await setup(hass, config_entry, emulator)
    starts = record_starts(emulator.device)
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)

    started = dt_util.utcnow()
    await run_routine(hass, routine="evening_back_pain_relief", intensity_offset=-1, heat=True)
    await wait_for(hass, lambda: on_step(hass, 1))
    state = hass.states.get(ROUTINE_SENSOR)
    assert state.state == "evening_back_pain_relief"
    assert (state.attributes["step"], state.attributes["steps_total"]) == (1, 5)
    assert state.attributes["program"] == "warm_up_glide"
    # What runs next (the massage card shows it): the second step, in the routine's zone.
    assert (state.attributes["next_program"], state.attributes["next_zone"]) == (
        "palm_circles",
        "lower_back",
    )
    # The routine ends 15 minutes from its start (2 + 5 + 3 + 2 + 3); the device reports its
    # step's end in whole seconds, so up to a second before.
    early = started + timedelta(minutes=15) - datetime.fromisoformat(state.attributes["ends_at"])
    assert timedelta(0) <= early < timedelta(seconds=1), state.attributes["ends_at"]

    for step, minutes in enumerate((2, 5, 3, 2), start=2):
        await advance(hass, freezer, minutes)
        await wait_for(hass, lambda step=step: on_step(hass, step))
        assert len(starts) == step
    last = hass.states.get(ROUTINE_SENSOR).attributes
    assert (last["next_program"], last["next_zone"]) == (None, None)  # the last step
    await advance(hass, freezer, 3)
    await wait_for(hass, lambda: bool(ended))

    # firm = 7, medium = 5.5 -> 6, medium-firm = 6.4 -> 6 on 1-10; intensity_offset -1.
    assert starts == [
        ("warm_up_glide", "lower_back", 6, 2, True),
        ("palm_circles", "lower_back", 6, 5, True),
        ("finger_press", "lower_back", 5, 3, True),
        ("thumb_glide", "lower_back", 5, 2, True),
        ("trigger_point", "lower_back", 6, 3, True),
    ]
    assert ended[0].data["outcome"] == "completed"
    assert ended[0].data["steps_done"] == 5
    state = hass.states.get(ROUTINE_SENSOR)
    assert (state.state, state.attributes["last_outcome"]) == ("none", "completed")
    # Heat went off with the last step; nothing runs any more.
    assert (emulator.device.status, emulator.device.heat) == (Status.FINISHED, False)
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_custom_steps_and_zone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    await setup(hass, config_entry, emulator)
    starts = record_starts(emulator.device)
    await run_routine(
        hass,
        steps=[
            {"program": "ball_roll", "minutes": 1, "intensity": 8},
            {"program": "tapping", "minutes": 2, "zone": "shoulders"},
        ],
        zone="upper_back",
    )
    await wait_for(hass, lambda: on_step(hass, 1))
    assert hass.states.get(ROUTINE_SENSOR).state == "custom"
    await advance(hass, freezer, 1)
    await wait_for(hass, lambda: on_step(hass, 2))
    assert starts == [
        ("ball_roll", "upper_back", 8, 1, False),
        ("tapping", "shoulders", 6, 2, False),  # no intensity given: medium
    ]
    await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.mark.parametrize("how", ["fan_off", "stop_routine", "program_changed", "device_stops"])
async def test_routine_ends_when_the_user_takes_over(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup(hass, config_entry, emulator)
    starts = record_starts(emulator.device)
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)
    await run_routine(hass, routine="quick_shoulder_release")
    await wait_for(hass, lambda: on_step(hass, 1))

    if how == "fan_off":
        await hass.services.async_call(
            "fan", "turn_off", {"entity_id": "fan.back_massager"}, blocking=True
        )
    elif how == "stop_routine":
        await hass.services.async_call(
            DOMAIN, "stop_routine", {"entity_id": "fan.back_massager"}, blocking=True
        )
    elif how == "program_changed":
        emulator.device.press({"program": "tapping"})
    else:
        emulator.device.press({"action": "stop"})
    await wait_for(hass, lambda: bool(ended))
    expected = "interrupted" if how == "program_changed" else "stopped"
    assert ended[0].data["outcome"] == expected
    assert ended[0].data["routine"] == "quick_shoulder_release"
    # A stop the user asked for is logged as news, an interruption as a warning.
    (record,) = [r for r in caplog.records if "Routine quick_shoulder_release" in r.getMessage()]
    assert record.levelname == ("WARNING" if expected == "interrupted" else "INFO")

    # Time passes: no further step ever starts by itself.
    await advance(hass, freezer, 10)
    await hass.async_block_till_done()
    assert len(starts) == 1
    assert hass.states.get(ROUTINE_SENSOR).attributes["last_outcome"] == expected
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_device_lost_mid_routine_never_resumes(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    await setup(hass, config_entry, emulator)
    starts = record_starts(emulator.device)
    ended = async_capture_events(hass, EVENT_ROUTINE_ENDED)
    await run_routine(hass, routine="lower_back_recovery")
    await wait_for(hass, lambda: on_step(hass, 1))
    await emulator.stop()  # power cut: the session is lost with the power
    await wait_for(hass, lambda: bool(ended), timeout=10)
    assert ended[0].data["outcome"] == "device_unavailable"
    await emulator.start()
    await wait_for(hass, lambda: hass.states.get("fan.back_massager").state == "off")
    assert len(starts) == 1
    assert emulator.device.status is Status.IDLE
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_unload_mid_routine_leaves_the_device_timer_in_charge(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
) -> None:
    await setup(hass, config_entry, emulator)
    await run_routine(hass, routine="quick_shoulder_release")
    await wait_for(hass, lambda: on_step(hass, 1))
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    # The step keeps running on the device, whose own timer ends it (the harness checks that
    # no task of ours lingers after unload).
    assert emulator.device.status is Status.RUNNING
    assert emulator.device.timer_delay is not None
    assert emulator.device.timer_delay <= 2 * 60 + 1


async def test_programs_fall_back_or_refuse(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> None:
    # A massager without warm-up glide or palm circles: rolling and kneading stand in.
    reduced = {
        key: name for key, name in PROGRAMS.items() if key not in ("warm_up_glide", "palm_circles")
    }
    emulator.device.catalogue = Catalogue(programs=reduced)
    entry = config_entry  # the device's catalogue is set first, then it is set up
    await setup(hass, entry, emulator)
    starts = record_starts(emulator.device)
    await run_routine(hass, routine="quick_shoulder_release")
    await wait_for(hass, lambda: on_step(hass, 1))
    assert starts[0][0] == "rolling"
    await hass.services.async_call(
        DOMAIN, "stop_session", {"entity_id": "fan.back_massager"}, blocking=True
    )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_program_without_stand_in_is_refused(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> None:
    from homeassistant.exceptions import ServiceValidationError  # noqa: PLC0415

    emulator.device.catalogue = Catalogue(programs={"tapping": "Tapping"})
    entry = config_entry  # the device's catalogue is set first, then it is set up
    await setup(hass, entry, emulator)
    with pytest.raises(ServiceValidationError) as err:
        await run_routine(hass, routine="evening_back_pain_relief")
    assert err.value.translation_key == "routine_program_unsupported"
    assert err.value.translation_placeholders["allowed"] == "tapping"
    assert emulator.device.status is Status.IDLE
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("how", ["stopped", "completed"])
async def test_the_users_settings_come_back_after_a_routine(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    emulator: EmulatorServer,
    how: str,
) -> None:
    """Else the next tap on Massage starts the routine's last step (2 minutes) again."""
    await setup(hass, config_entry, emulator)
    device = emulator.device
    await hass.services.async_call(
        DOMAIN,
        "adjust",
        {"entity_id": "fan.back_massager", "program": "shiatsu", "intensity": 3},
        blocking=True,
    )
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.back_massager_session_length", "value": 20},
        blocking=True,
    )
    await run_routine(hass, routine="quick_shoulder_release")
    await wait_for(hass, lambda: on_step(hass, 1))
    assert (device.program, device.minutes) == ("warm_up_glide", 2)
    if how == "stopped":
        await hass.services.async_call(
            DOMAIN, "stop_routine", {"entity_id": "fan.back_massager"}, blocking=True
        )
    else:
        for step, minutes in ((2, 2), (3, 3)):
            await advance(hass, freezer, minutes)
            await wait_for(hass, lambda step=step: on_step(hass, step))
        await advance(hass, freezer, 3)
    await wait_for(hass, lambda: (device.program, device.minutes) == ("shiatsu", 20))
    assert device.intensity == 3
    assert not device.heat  # heat is never put back on
