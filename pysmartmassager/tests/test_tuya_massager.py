"""The Tuya transport against the Tuya emulator over loopback TCP, in every protocol version.

The emulator's wire layer is tinytuya's (tests/emulators/test_tuya_emulator.py proves it with
tinytuya's own client), so these fail if our framing, keys or session negotiation drift.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

import pytest

from conftest import TUYA_KEY, start_tuya, tuya_device, wait_until
from emulators.tuya import TuyaEmulatorServer
from pysmartmassager import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    SessionSettings,
    SessionState,
    StateSubscription,
    Status,
)
from pysmartmassager.credential_doubts import CredentialDoubts
from pysmartmassager.tuya import (
    TuyaKeyError,
    TuyaMassager,
    TuyaUnsupportedError,
    Version,
    parse_mapping,
    probe,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")
VERSIONS = ["3.3", "3.4", "3.5"]
WRONG_KEY = "0000000000000000"


@pytest.fixture(params=VERSIONS)
async def server(request: pytest.FixtureRequest) -> AsyncGenerator[TuyaEmulatorServer]:
    server = await start_tuya("massage_chair", request.param)
    yield server
    await server.stop()


@pytest.fixture
async def massager(server: TuyaEmulatorServer) -> AsyncGenerator[TuyaMassager]:
    massager = TuyaMassager(tuya_device(server), timeout=1.0, heartbeat=0.5)
    yield massager
    await massager.close()


@contextlib.asynccontextmanager
async def running(subscription: StateSubscription) -> AsyncGenerator[None]:
    """The subscription running for the block, cancelled after it."""
    task = asyncio.create_task(subscription.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_info_and_state(massager: TuyaMassager) -> None:
    info = await massager.get_info()
    caps = info.capabilities
    assert (info.manufacturer, caps.device_timer, caps.pause, caps.heat) == (
        "Tuya",
        False,
        False,
        True,
    )
    assert "shiatsu" in caps.program_ids
    assert "shoulder_relax" in caps.program_ids
    state = await massager.get_state()
    assert (state.status, state.heat, state.intensity, state.minutes) == (Status.IDLE, False, 2, 15)


async def test_start_change_stop_confirmed_by_the_device(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    state = await massager.start_session(
        SessionSettings(program="shiatsu", zone="hip", intensity=3, minutes=20, heat=True)
    )
    device = server.device
    assert (
        state.status,
        state.program,
        state.zone,
        state.intensity,
        state.heat,
        state.minutes,
    ) == (
        Status.RUNNING,
        "shiatsu",
        "hip",
        3,
        True,
        20,
    )
    assert device.value("switch") is True
    assert (device.value("manual_mode"), device.value("auto_mode")) == ("shiatsu", "close")
    assert (device.value("massage_speed"), device.value("time_set")) == ("level_3", 20)
    state = await massager.change_settings(SessionSettings(program="back_relax", intensity=1))
    assert (state.program, device.value("auto_mode"), device.value("manual_mode")) == (
        "back_relax",
        "back_relax",
        "close",
    )
    state = await massager.stop()
    assert (state.status, state.heat) == (Status.IDLE, False)
    assert (device.value("switch"), device.value("heat")) == (False, False)


async def test_refusals_send_nothing(server: TuyaEmulatorServer, massager: TuyaMassager) -> None:
    await massager.get_state()
    before = sum(server.frames.values())
    for settings in (SessionSettings(program="tapping"), SessionSettings(minutes=45)):
        with pytest.raises(MassagerInvalidRequestError):
            await massager.start_session(settings)
    with pytest.raises(MassagerInvalidRequestError):
        await massager.pause()
    assert sum(server.frames.values()) == before
    assert server.device.value("switch") is False


async def test_a_press_on_the_device_is_pushed(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    states: list[SessionState] = []
    subscription = massager.subscribe(states.append)
    async with running(subscription):
        await wait_until(lambda: subscription.connected and states)
        queries = server.frames[0x0A] + server.frames[0x10]
        await server.press("switch", True)
        await wait_until(lambda: states[-1].status is Status.RUNNING)
        await server.press("massage_speed", "level_3")
        await wait_until(lambda: states[-1].intensity == 3)
        # Pushed: no query was needed to see either change.
        assert server.frames[0x0A] + server.frames[0x10] == queries


async def test_a_press_right_behind_an_answer_is_not_undone_by_it(
    server: TuyaEmulatorServer, massager: TuyaMassager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The device answers the subscription's first query, then someone presses its power button:
    # answer and push arrive in one read. The answer is the older of the two.
    handle = server._handle  # the emulator's request handler, wrapped

    def answer_then_press(connection: Any, request: Any) -> None:
        handle(connection, request)
        if request.cmd in (0x0A, 0x10) and not server.device.running:  # DP_QUERY(_NEW)
            server.device.press("switch", True)

    monkeypatch.setattr(server, "_handle", answer_then_press)
    states: list[SessionState] = []
    subscription = massager.subscribe(states.append)
    async with running(subscription):
        await wait_until(lambda: len(states) >= 2)  # the first read's state and the push's
        await asyncio.sleep(0.05)
        assert server.device.running
        assert states[-1].status is Status.RUNNING


async def test_the_device_ending_with_heat_on_is_reported_for_the_host_to_switch_off(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    states: list[SessionState] = []
    subscription = massager.subscribe(states.append)
    async with running(subscription):
        await wait_until(lambda: subscription.connected)
        started = await massager.start_session(SessionSettings(heat=True))
        assert started.started_at is not None
        # Someone switches the massage off on the chair, whose firmware leaves the heat on.
        server.device.heat_off_at_end = False
        await server.press("switch", False)
        await wait_until(lambda: states[-1].status is Status.IDLE)
        # The session's end and its heat as they are: switching the heat off is the host's
        # session timer's rule (tests/integration/test_behaviour.py), not the transport's.
        assert (states[-1].heat, states[-1].started_at) == (True, None)
        assert states[-1].revision > started.revision


@pytest.mark.parametrize(
    "fault", ["drop_connections", "restart", "send_garbage"], ids=lambda fault: fault
)
async def test_push_comes_back_after_a_fault(
    server: TuyaEmulatorServer, massager: TuyaMassager, fault: str
) -> None:
    connections: list[bool] = []
    states: list[SessionState] = []
    subscription = massager.subscribe(states.append, connections.append)
    async with running(subscription):
        await wait_until(lambda: subscription.connected)
        await getattr(server, fault)()
        await wait_until(lambda: False in connections, 5)
        await wait_until(lambda: subscription.connected, 5)
        await server.press("switch", True)
        await wait_until(lambda: states[-1].status is Status.RUNNING)
        assert connections[:2] == [True, False]


async def test_a_silent_device_is_noticed_by_the_heartbeat(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    connections: list[bool] = []
    subscription = massager.subscribe(lambda _state: None, connections.append)
    async with running(subscription):
        await wait_until(lambda: subscription.connected)
        await server.set_silent(True)
        # Heartbeat every 0.5 s, answer within 1 s: down within ~1.5 s.
        await wait_until(lambda: not subscription.connected, 4)
        await server.set_silent(False)
        await wait_until(lambda: subscription.connected, 6)


async def test_a_command_after_the_link_broke_reconnects_once(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    await massager.get_state()
    await server.drop_connections()
    await asyncio.sleep(0.05)
    state = await massager.start_session()
    assert state.status is Status.RUNNING


async def test_one_device_down_does_not_touch_another() -> None:
    first, second = await start_tuya(version="3.5"), await start_tuya(version="3.3")
    one, two = (
        TuyaMassager(tuya_device(first), timeout=1.0),
        TuyaMassager(tuya_device(second), timeout=1.0),
    )
    try:
        await first.stop()
        with pytest.raises(MassagerConnectionError):
            await one.get_state()
        assert (await two.start_session()).status is Status.RUNNING
    finally:
        await one.close()
        await two.close()
        await second.stop()


def impatient() -> CredentialDoubts:
    """A hang-up on every version counts as a changed key at once (normally: 3 times in 5 min)."""
    return CredentialDoubts(times=1, over_s=0.0)


@pytest.mark.parametrize("version", VERSIONS)
async def test_wrong_local_key_is_an_authentication_error(version: str) -> None:
    # The device hangs up on a frame under another key, in every version tried: with the
    # connection itself accepted, and persisting, that is a changed key.
    server = await start_tuya(version=version)
    massager = TuyaMassager(tuya_device(server, WRONG_KEY), timeout=1.0, doubts=impatient())
    try:
        with pytest.raises(MassagerAuthenticationError):
            await massager.get_state()
        assert server.device.value("switch") is False
    finally:
        await massager.close()
        await server.stop()


async def test_probe_finds_each_version(server: TuyaEmulatorServer) -> None:
    version, dps = await probe(server.host, server.device_id, TUYA_KEY, port=server.port)
    assert version == Version(server.version)
    assert dps["1"] is False


async def test_probe_tells_what_is_wrong(server: TuyaEmulatorServer) -> None:
    with pytest.raises(TuyaKeyError):
        await probe(server.host, server.device_id, WRONG_KEY, port=server.port, answer_within=1)
    port = server.port
    await server.stop()
    with pytest.raises(MassagerConnectionError):
        await probe(server.host, server.device_id, TUYA_KEY, port=port, answer_within=1)


async def test_probe_against_something_else(emulator) -> None:  # type: ignore[no-untyped-def]
    # The reference emulator speaks HTTP: it answers, but in no Tuya version.
    with pytest.raises(TuyaUnsupportedError):
        await probe(emulator.host, "x" * 20, TUYA_KEY, port=emulator.port, answer_within=1)


async def test_a_device_on_another_version_is_found_again(server: TuyaEmulatorServer) -> None:
    # A firmware update moved the device to another protocol version: found, not an error.
    other = next(v for v in Version if v.value != server.version)
    massager = TuyaMassager(replace(tuya_device(server), version=other), timeout=1.0)
    try:
        assert (await massager.start_session()).status is Status.RUNNING
        assert massager.device.version.value == server.version
    finally:
        await massager.close()


async def test_push_waits_out_a_device_that_is_away(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    connections: list[bool] = []
    subscription = massager.subscribe(lambda _state: None, connections.append)
    async with running(subscription):
        await wait_until(lambda: subscription.connected)
        await server.stop()
        await asyncio.sleep(1.5)  # at least one failed reconnect (with backoff) meanwhile
        assert not subscription.connected
        await server.start()
        await wait_until(lambda: subscription.connected, 6)
        assert connections == [True, False, True]


async def test_one_hang_up_is_not_yet_a_changed_key() -> None:
    # Its one local connection taken by the app, or still starting: the same hang-up. Only one
    # that persists (3 times over 5 minutes) sends the user for a new key.
    clock = [1000.0]
    doubts = CredentialDoubts(times=3, over_s=300.0, clock=lambda: clock[0])
    server = await start_tuya(version="3.4")
    massager = TuyaMassager(tuya_device(server, WRONG_KEY), timeout=1.0, doubts=doubts)
    try:
        for _ in range(doubts.times):
            with pytest.raises(MassagerConnectionError):
                await massager.get_state()
        clock[0] += doubts.over_s
        with pytest.raises(MassagerAuthenticationError):
            await massager.get_state()
        with pytest.raises(MassagerConnectionError):  # the evidence starts again after a reauth
            await massager.get_state()
        # The right key again (the doubt is per device, across massager objects): no doubt left.
        fixed = TuyaMassager(tuya_device(server), timeout=1.0, doubts=doubts)
        await fixed.get_state()
        await fixed.close()
        assert server.device_id not in doubts
    finally:
        await massager.close()
        await server.stop()


@pytest.mark.parametrize("version", ["3.4", "3.5"])
async def test_a_corrupt_frame_on_a_fresh_connection_is_not_yet_a_changed_key(
    version: str,
) -> None:
    # The session-key answer corrupted on the way fails its HMAC (3.4) or GCM tag (3.5) exactly
    # as one made under another key would: only when that persists is the key in doubt.
    clock = [1000.0]
    doubts = CredentialDoubts(times=3, over_s=300.0, clock=lambda: clock[0])
    server = await start_tuya(version=version)
    massager = TuyaMassager(tuya_device(server), timeout=1.0, doubts=doubts)
    try:
        server.garble_answers(1)
        with pytest.raises(MassagerConnectionError):
            await massager.get_state()
        assert (await massager.get_state()).status is Status.IDLE  # the next frame is fine
        assert server.device_id not in doubts
        # Corrupt on every fresh connection (a set-up retried, each with a massager of its own).
        await massager.close()
        massager = TuyaMassager(tuya_device(server), timeout=1.0, doubts=doubts)
        server.garble_answers(1_000)
        for _ in range(doubts.times):
            with pytest.raises(MassagerConnectionError):
                await massager.get_state()
        clock[0] += doubts.over_s
        with pytest.raises(MassagerAuthenticationError):
            await massager.get_state()
    finally:
        await massager.close()
        await server.stop()


async def test_push_ends_when_the_key_changes(server: TuyaEmulatorServer) -> None:
    massager = TuyaMassager(tuya_device(server), timeout=1.0, heartbeat=0.5, doubts=impatient())
    subscription = massager.subscribe(lambda _state: None)
    task = asyncio.create_task(subscription.run())
    await wait_until(lambda: subscription.connected)
    # The device was paired again in its app: a new local key, and it restarts.
    server.local_key = "fedcba9876543210"
    await server.restart()
    with pytest.raises(MassagerAuthenticationError):
        await asyncio.wait_for(task, 10)


async def test_the_device_repr_holds_no_key(server: TuyaEmulatorServer) -> None:
    device = tuya_device(server)
    assert TUYA_KEY not in repr(device)
    assert server.device_id not in repr(device)


async def test_a_requested_length_is_kept_without_a_minutes_datapoint(
    server: TuyaEmulatorServer,
) -> None:
    # A device whose mapping has no minutes datapoint: Home Assistant times the length asked for.
    device = tuya_device(server)
    mapping = parse_mapping(
        {k: v for k, v in server.device_entry()["mapping"].items() if v["code"] != "time_set"}
    )
    massager = TuyaMassager(replace(device, mapping=mapping), timeout=1.0)
    try:
        state = await massager.start_session(SessionSettings(minutes=5, heat=True))
        assert (state.status, state.minutes) == (Status.RUNNING, 5)
        assert (await massager.stop()).minutes == 5  # kept: the length entity shows it
    finally:
        await massager.close()


async def test_heat_without_a_session_is_left_alone(
    server: TuyaEmulatorServer, massager: TuyaMassager
) -> None:
    # Someone warms the chair without a massage: not a session that ended, so not touched.
    await server.press("heat", True)
    state = await massager.get_state()
    assert (state.status, state.heat) == (Status.IDLE, True)
    await asyncio.sleep(0.1)
    assert server.device.value("heat") is True
