"""The MIoT transport against the MIoT emulator over loopback UDP.

The emulator builds and parses every packet with python-miio's codec
(tests/emulators/test_miot_emulator.py proves it with python-miio's own client), so these fail if
our packets, keys or message ids drift from what python-miio, and the devices it talks to, expect.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

import pytest

from conftest import MIOT_TOKEN, miot_device, start_miot
from emulators.miot import MiotEmulatorServer, load_product
from pysmartmassager import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerResponseError,
    SessionSettings,
    SessionState,
    Status,
)
from pysmartmassager.credential_doubts import CredentialDoubts
from pysmartmassager.miot import (
    MiotDeviceError,
    MiotMassager,
    MiotProfile,
    MiotProtocolError,
    MiotSilentError,
    massager_map,
)
from pysmartmassager.miot import connection as miot_connection
from pysmartmassager.reconnect import Backoff

pytestmark = pytest.mark.usefixtures("socket_enabled")
WRONG_TOKEN = "00000000000000000000000000000000"


@pytest.fixture(params=["chair", "cushion"])
async def server(request: pytest.FixtureRequest) -> AsyncGenerator[MiotEmulatorServer]:
    server = await start_miot(request.param)
    yield server
    await server.stop()


@pytest.fixture
async def chair() -> AsyncGenerator[MiotEmulatorServer]:
    server = await start_miot("chair")
    yield server
    await server.stop()


@pytest.fixture
async def massager(server: MiotEmulatorServer) -> AsyncGenerator[MiotMassager]:
    # A generous timeout: on a loaded 2-core machine a short one makes polls fail at random.
    massager = MiotMassager(miot_device(server), timeout=1.0)
    yield massager
    await massager.close()


@pytest.fixture
async def chair_massager(chair: MiotEmulatorServer) -> AsyncGenerator[MiotMassager]:
    massager = MiotMassager(miot_device(chair), timeout=1.0)
    yield massager
    await massager.close()


async def test_start_change_stop_are_confirmed_by_the_device(
    server: MiotEmulatorServer, massager: MiotMassager
) -> None:
    state = await massager.start_session(
        SessionSettings(program="shiatsu", intensity=2, heat=True, minutes=20)
    )
    device = server.device
    assert device.value("on") is True
    assert device.value("heating") is True
    assert state.status is Status.RUNNING
    assert state.program == "shiatsu"
    assert state.intensity == 2
    assert state.heat is True
    assert state.minutes == 20  # held for Home Assistant, which times the session
    assert state.ends_at is None
    state = await massager.change_settings(SessionSettings(intensity=3, program="kneading"))
    assert (state.intensity, state.program) == (3, "kneading")
    assert device.value("mode") == 1 if server.model.endswith("cushion") else 2
    state = await massager.stop()
    assert device.value("on") is False
    assert device.value("heating") is False
    assert state.status is Status.IDLE
    assert state.heat is False


async def test_capabilities_come_from_the_spec(massager: MiotMassager) -> None:
    capabilities = (await massager.get_info()).capabilities
    assert capabilities.device_timer is False  # Home Assistant times every MIoT session
    assert capabilities.pause is False
    assert capabilities.heat is True
    assert 30 in capabilities.session_minutes
    assert 35 not in capabilities.session_minutes
    if massager.device.mapping.model.endswith("cushion"):
        # "NA" is a placeholder description: that mode is not offered as a program.
        assert [c.id for c in capabilities.programs] == ["kneading", "shiatsu"]
        assert capabilities.intensity is not None
        assert (capabilities.intensity.minimum, capabilities.intensity.maximum) == (1, 3)
        assert capabilities.zones == ()
    else:
        assert [c.id for c in capabilities.zones][:3] == ["neck", "shoulders", "back"]
        assert capabilities.intensity is not None
        assert capabilities.intensity.maximum == 5


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (SessionSettings(program="hot_stones"), "program"),
        (SessionSettings(intensity=9), "intensity"),
        (SessionSettings(minutes=45), "minutes"),
    ],
)
async def test_invalid_settings_send_nothing(
    server: MiotEmulatorServer,
    massager: MiotMassager,
    settings: SessionSettings,
    field: str,
) -> None:
    await massager.get_state()
    before = server.datagrams
    with pytest.raises(MassagerInvalidRequestError) as caught:
        await massager.start_session(settings)
    assert caught.value.field == field
    assert caught.value.allowed
    assert server.datagrams == before
    assert server.device.value("on") is False


async def test_a_zone_on_a_massager_without_zones_is_refused() -> None:
    cushion = await start_miot("cushion")
    massager = MiotMassager(miot_device(cushion), timeout=0.3)
    try:
        with pytest.raises(MassagerInvalidRequestError) as caught:
            await massager.change_settings(SessionSettings(zone="back"))
        assert caught.value.allowed == []
    finally:
        await massager.close()
        await cushion.stop()


async def test_a_value_the_spec_does_not_list_is_shown_raw(chair: MiotEmulatorServer) -> None:
    spec = copy.deepcopy(chair.device.spec)
    mode = next(p for p in spec["services"][1]["properties"] if ":mode:" in p["type"])
    mode["value-list"] = mode["value-list"][:2]  # a spec older than the firmware
    device = replace(miot_device(chair), mapping=massager_map(chair.model, spec))
    massager = MiotMassager(device, timeout=0.3)
    try:
        chair.device.press("mode", 5)
        assert (await massager.get_state()).program == "5"
    finally:
        await massager.close()


async def test_the_device_countdown_is_shown_and_its_end_is_reported(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    chair.device.heat_off_at_end = False  # firmware that leaves the pad on
    state = await chair_massager.start_session(SessionSettings(heat=True))
    assert state.remaining_s == 15 * 60
    chair.device.tick(5 * 60)
    assert (await chair_massager.get_state()).remaining_s == 10 * 60
    chair.device.tick(10 * 60)
    state = await chair_massager.get_state()
    # Ended, with the heat as the device left it: the host's session timer switches it off.
    assert (state.status, state.heat, state.started_at) == (Status.IDLE, True, None)
    assert chair.device.value("heating") is True


async def test_heat_switched_on_without_a_massage_is_left_alone(
    server: MiotEmulatorServer, massager: MiotMassager
) -> None:
    await massager.change_settings(SessionSettings(heat=True))
    state = await massager.get_state()
    assert (state.status, state.heat, state.started_at) == (Status.IDLE, True, None)
    assert server.device.value("heating") is True


async def test_a_fault_while_running_keeps_the_session(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    await chair_massager.start_session()
    chair.device.press("fault", 1)
    state = await chair_massager.get_state()
    assert state.status is Status.RUNNING
    assert state.error is not None
    assert state.error.code == "fault_overheat"
    await chair_massager.stop()
    assert (await chair_massager.get_state()).status is Status.ERROR


async def test_a_lost_datagram_is_sent_again_with_a_fresh_id(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    await chair_massager.get_state()
    sent = chair_massager.connection.requests_sent
    chair.drop_next(1)
    await chair_massager.start_session()
    assert chair.device.value("on") is True
    assert chair_massager.connection.requests_sent == sent + 3  # set (twice), then get


async def test_a_silent_device_is_a_connection_error(chair: MiotEmulatorServer) -> None:
    massager = MiotMassager(miot_device(chair), timeout=0.2)  # failing fast is the point
    chair.set_silent(True)
    try:
        with pytest.raises(MassagerConnectionError):
            await massager.get_state()
    finally:
        await massager.close()


async def test_a_rebooted_device_is_greeted_again(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    await chair_massager.get_state()
    await chair.restart()
    assert (await chair_massager.get_state()).status is Status.IDLE
    await chair_massager.start_session()
    assert chair.device.value("on") is True


async def test_a_wrong_token_is_silence_after_hello(chair: MiotEmulatorServer) -> None:
    massager = MiotMassager(miot_device(chair, token=WRONG_TOKEN), timeout=0.2)
    try:
        with pytest.raises(MiotSilentError):
            await massager.get_state()
    finally:
        await massager.close()
    assert chair.requests["hello"] >= 1


async def test_silence_becomes_a_token_problem_only_when_it_persists(
    chair: MiotEmulatorServer,
) -> None:
    now = [1000.0]
    doubts = CredentialDoubts(times=3, over_s=300.0, clock=lambda: now[0])
    massager = MiotMassager(miot_device(chair), timeout=0.2, doubts=doubts)
    chair.set_token(WRONG_TOKEN)  # the device was paired again: a new token
    try:
        for _ in range(doubts.times + 1):
            with pytest.raises(MiotSilentError):
                await massager.get_state()  # many times, but within minutes: not yet
        now[0] += doubts.over_s
        with pytest.raises(MassagerAuthenticationError):
            await massager.get_state()
    finally:
        await massager.close()


async def test_corrupt_checksums_become_a_token_problem_only_when_they_persist(
    chair: MiotEmulatorServer,
) -> None:
    # A checksum that does not match may be a new token, or a packet damaged on the way: a few
    # seconds of it are a connection problem, a good answer clears the doubt.
    now = [1000.0]
    doubts = CredentialDoubts(times=3, over_s=300.0, clock=lambda: now[0])
    massager = MiotMassager(miot_device(chair), timeout=0.2, doubts=doubts)
    try:
        chair.corrupt_checksums()
        for _ in range(doubts.times + 1):
            with pytest.raises(MassagerConnectionError):
                await massager.get_state()
        chair.corrupt_checksums(False)
        await massager.get_state()
        assert str(chair.device_id) not in doubts
        chair.corrupt_checksums()
        for _ in range(doubts.times):
            with pytest.raises(MassagerConnectionError):
                await massager.get_state()
        now[0] += doubts.over_s
        with pytest.raises(MassagerAuthenticationError):
            await massager.get_state()
    finally:
        await massager.close()


@pytest.mark.parametrize(
    ("fault", "error"),
    [("send_garbage", MiotProtocolError), ("reply_oversized", MiotProtocolError)],
)
async def test_broken_answers_are_typed_errors(
    chair: MiotEmulatorServer, fault: str, error: type[Exception]
) -> None:
    massager = MiotMassager(miot_device(chair), timeout=0.2)  # each attempt waits it out
    try:
        await massager.get_state()
        getattr(chair, fault)(True)
        with pytest.raises(error):
            await massager.get_state()
        getattr(chair, fault)(False)
        assert (await massager.get_state()).status is Status.IDLE
    finally:
        await massager.close()


async def test_a_device_error_is_typed_and_changes_nothing(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    chair.error_next(-4004, "busy")
    with pytest.raises(MiotDeviceError) as caught:
        await chair_massager.start_session()
    assert caught.value.code == -4004
    assert isinstance(caught.value, MassagerResponseError)
    assert chair.device.value("on") is False


async def test_a_flood_of_datagrams_only_fills_a_small_queue(
    chair_massager: MiotMassager,
) -> None:
    connection = chair_massager.connection
    for _ in range(10_000):
        connection.datagram_received(b"\x21\x31" + b"\0" * 100_000)
    assert connection._inbox.qsize() <= 8
    assert all(
        len(item) <= miot_connection.MAX_PACKET_BYTES + 1 for item in connection._inbox._queue
    )  # type: ignore[attr-defined]


async def test_the_token_stays_out_of_reprs_and_logs(
    chair: MiotEmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    massager = MiotMassager(miot_device(chair), timeout=0.2)
    try:
        await massager.start_session()
        chair.set_silent(True)
        with pytest.raises(MassagerConnectionError):
            await massager.get_state()
    finally:
        await massager.close()
    assert MIOT_TOKEN not in repr(massager.device)
    assert MIOT_TOKEN not in caplog.text
    assert str(chair.device_id) not in repr(massager.device)


async def poll(
    massager: MiotMassager, states: list[SessionState], active_s: float | None = None
) -> asyncio.Task[None]:
    """The massager's poller running, at a quicker pace during a session if `active_s`."""
    links: list[bool] = []
    subscription = massager.subscribe(states.append, links.append)
    if active_s is not None:
        subscription.active_s = active_s
    return asyncio.get_running_loop().create_task(subscription.run())


async def wait_for(check: Any, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110  # a condition other tasks change
            await asyncio.sleep(0.01)


async def test_polling_shows_a_press_on_the_device(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    states: list[SessionState] = []
    task = await poll(chair_massager, states, active_s=0.05)
    try:
        await wait_for(lambda: states)
        await chair_massager.start_session()
        chair.device.press("massage-strength", 5)
        await wait_for(lambda: states[-1].intensity == 5)
        delivered = len(states)
        await asyncio.sleep(0.3)  # several polls, nothing changed: nothing delivered
        assert len(states) == delivered
    finally:
        task.cancel()


async def test_idle_polling_is_slow_and_a_command_wakes_it(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    states: list[SessionState] = []
    task = await poll(chair_massager, states)
    try:
        await wait_for(lambda: states)
        before = chair.requests["get_properties"]
        await asyncio.sleep(0.5)
        assert chair.requests["get_properties"] == before  # idle: every IDLE_POLL_S (10 s)
        chair.device.press("on", True)
        await chair_massager.change_settings(SessionSettings(intensity=4))
        await wait_for(lambda: states[-1].status is Status.RUNNING)
    finally:
        task.cancel()


async def test_polls_and_commands_never_overlap(
    chair: MiotEmulatorServer, chair_massager: MiotMassager, monkeypatch: pytest.MonkeyPatch
) -> None:
    chair.set_delay(0.005)
    connection = chair_massager.connection
    in_flight, most = 0, 0
    original = connection._request

    async def counted(method: str, params: Any) -> Any:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            return await original(method, params)
        finally:
            in_flight -= 1

    monkeypatch.setattr(connection, "_request", counted)
    polls = 0
    original_state = chair_massager.get_state

    async def counted_poll() -> SessionState:
        nonlocal polls
        polls += 1
        return await original_state()

    monkeypatch.setattr(chair_massager, "get_state", counted_poll)  # only the poller calls it
    states: list[SessionState] = []
    task = await poll(chair_massager, states, active_s=0.0)
    try:
        await chair_massager.start_session()
        first = polls
        await asyncio.gather(
            *(
                chair_massager.change_settings(SessionSettings(intensity=1 + n % 5))
                for n in range(20)
            )
        )
        assert polls > first  # the poller did poll while the commands ran
    finally:
        task.cancel()
    assert most == 1


async def test_a_refused_token_ends_the_subscription(chair: MiotEmulatorServer) -> None:
    massager = MiotMassager(miot_device(chair), timeout=0.2)

    async def refused() -> SessionState:
        raise MassagerAuthenticationError("new token")

    massager.get_state = refused  # type: ignore[method-assign]
    links: list[bool] = []
    with pytest.raises(MassagerAuthenticationError):
        await massager.subscribe(lambda _state: None, links.append).run()
    await massager.close()


async def test_an_unreachable_device_is_retried_and_reported(chair: MiotEmulatorServer) -> None:
    massager = MiotMassager(miot_device(chair), timeout=0.05)
    links: list[bool] = []
    chair.set_silent(True)
    subscription = massager.subscribe(lambda _state: None, links.append)
    subscription.idle_s, subscription.retry = 0.05, Backoff(0.01, 0.05)
    task = asyncio.get_running_loop().create_task(subscription.run())
    try:
        await asyncio.sleep(0.5)
        assert links == []  # never up
        chair.set_silent(False)
        await wait_for(lambda: bool(links) and links[-1] is True)
        chair.set_silent(True)
        await wait_for(lambda: links[-1] is False, timeout=5)
    finally:
        task.cancel()
        await massager.close()


@pytest.mark.parametrize(
    ("span", "levels"),
    [([1, 10, 3], [1, 4, 7, 10]), ([0, 10, 3], [3, 6, 9]), ([0, 100, 25], [25, 50, 75, 100])],
)
def test_intensity_levels_stay_on_the_devices_grid(span: list[int], levels: list[int]) -> None:
    spec = copy.deepcopy(load_product("chair").spec)
    strength = next(p for p in spec["services"][1]["properties"] if "strength" in p["type"])
    strength["value-range"] = span
    profile = MiotProfile(massager_map("m", spec))
    found = profile.intensity_levels()
    assert found is not None
    assert [n for n in range(101) if n in found] == levels
    for level in levels:
        assert profile.values_for(SessionSettings(intensity=level))


def test_a_range_of_thousands_is_at_most_a_hundred_levels_read_to_the_nearest() -> None:
    """As Tuya's: a spec's 1..100000 is reached in coarser steps on the device's own grid."""
    spec = copy.deepcopy(load_product("chair").spec)
    strength = next(p for p in spec["services"][1]["properties"] if "strength" in p["type"])
    strength["value-range"] = [1, 100000, 1]
    strength["format"] = "uint32"
    profile = MiotProfile(massager_map("m", spec))
    found = profile.intensity_levels()
    assert found is not None
    assert found.levels <= 100
    assert (found.minimum, found.step) == (1, 1000)
    key = profile.intensity.key  # type: ignore[union-attr]
    assert profile.intensity_of({key: 2003}) == 2001  # off the coarse grid: the nearest level
    assert profile.intensity_of({key: 10**9}) == 0  # outside the range: unknown


async def test_closing_ends_a_waiting_request_at_once(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    await chair_massager.get_state()
    chair.set_silent(True)
    request = asyncio.get_running_loop().create_task(chair_massager.get_state())
    await asyncio.sleep(0.05)
    await chair_massager.close()
    with pytest.raises(MassagerConnectionError):
        async with asyncio.timeout(0.5):  # not the 3 attempts of 1 s each
            await request
    assert chair_massager.connection._transport is None
    with pytest.raises(MassagerConnectionError):
        await chair_massager.get_state()  # closed for good: no new socket


async def test_the_chosen_length_is_kept_and_locked_during_a_session(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    assert (await chair_massager.get_state()).minutes == 15  # the default
    assert (await chair_massager.change_settings(SessionSettings(minutes=25))).minutes == 25
    state = await chair_massager.start_session()
    assert state.minutes == 25
    with pytest.raises(MassagerInvalidStateError):
        await chair_massager.change_settings(SessionSettings(minutes=5))
    assert (await chair_massager.stop()).minutes == 25  # kept for the next session


def report_raw(server: MiotEmulatorServer, name: str, value: object) -> None:
    """Firmware that reports a property outside its spec's format (written past the checks)."""
    prop = server.device.find(name)
    server.device.values[prop.siid, prop.piid] = value  # type: ignore[assignment]


@pytest.mark.parametrize("reported", [1, "true", "True", " 1 "])
async def test_an_on_reported_as_1_or_true_is_on(
    chair: MiotEmulatorServer, chair_massager: MiotMassager, reported: object
) -> None:
    await chair_massager.start_session(SessionSettings(minutes=10))
    report_raw(chair, "on", reported)
    state = await chair_massager.get_state()
    assert state.status is Status.RUNNING
    assert state.started_at is not None


@pytest.mark.parametrize("reported", [0, "false"])
async def test_an_off_reported_as_0_or_false_is_off(
    chair: MiotEmulatorServer, chair_massager: MiotMassager, reported: object
) -> None:
    await chair_massager.start_session(SessionSettings(minutes=10))
    report_raw(chair, "on", reported)
    assert (await chair_massager.get_state()).status is Status.IDLE


@pytest.mark.parametrize("reported", [2, "maybe", 1.5, None, [1]])
async def test_an_unreadable_on_is_an_error_never_off(
    chair: MiotEmulatorServer, chair_massager: MiotMassager, reported: object
) -> None:
    await chair_massager.start_session(SessionSettings(minutes=10))
    report_raw(chair, "on", reported)
    with pytest.raises(MassagerResponseError, match="on/off"):
        await chair_massager.get_state()


async def test_heat_reported_as_1_is_on(
    chair: MiotEmulatorServer, chair_massager: MiotMassager
) -> None:
    report_raw(chair, "heating", 1)
    assert (await chair_massager.get_state()).heat is True


@pytest.mark.parametrize("reported", [10**9, 0, -3, "4", 10**400])
async def test_an_intensity_outside_the_spec_range_is_unknown_and_logged_once(
    chair: MiotEmulatorServer,
    chair_massager: MiotMassager,
    caplog: pytest.LogCaptureFixture,
    reported: object,
) -> None:
    report_raw(chair, "massage-strength", reported)
    with caplog.at_level(logging.WARNING):
        first = await chair_massager.get_state()
        await chair_massager.get_state()
    if reported == "4":
        assert first.intensity == 4  # a number sent as text is still that number
        return
    assert first.intensity == 0
    assert len([r for r in caplog.records if "intensity" in r.getMessage()]) == 1


def test_per_zone_levels_are_refused_not_dropped() -> None:
    # A MIoT massager service has one intensity: a per-zone level is refused, never ignored.
    profile = MiotProfile(massager_map("m", copy.deepcopy(load_product("chair").spec)))
    with pytest.raises(MassagerInvalidRequestError) as caught:
        profile.values_for(SessionSettings(zone_levels={"neck": 2}))
    assert caught.value.field == "zone_levels"
