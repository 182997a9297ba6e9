"""Deadlines run on the monotonic clock: a wall clock that steps (NTP) or is wrong moves none.

The device gets fake clocks, so hours pass in microseconds. `check_deadlines()` is what the
device's loop timer calls at a deadline; the tests call it the way that timer would.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from emulators.reference import EmulatorServer, Status, VirtualMassager

STEPS = [
    pytest.param(timedelta(hours=-3), id="back-3h"),
    pytest.param(timedelta(hours=3), id="fwd-3h"),
]


class Clocks:
    """The OS clocks under the device: time passes on both; an NTP step moves the wall clock."""

    def __init__(self) -> None:
        self.wall_time = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)
        self.monotonic_time = 5_000.0

    def wall(self) -> datetime:
        return self.wall_time

    def monotonic(self) -> float:
        return self.monotonic_time

    def let_pass(self, delta: timedelta) -> None:
        self.wall_time += delta
        self.monotonic_time += delta.total_seconds()


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def device(clocks: Clocks) -> Generator[VirtualMassager]:
    """Replaces the shared fixture here, so the `emulator` fixture serves this device too."""
    device = VirtualMassager(
        serial="SM-CLOCK", name="Back massager", clock=clocks.wall, monotonic=clocks.monotonic
    )
    yield device
    device.shutdown()


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def minutes_until_over(device: VirtualMassager, clocks: Clocks, minutes: int) -> int:
    """Let minutes pass one at a time, the timer firing, until no session is left; the total."""
    while device.status in (Status.RUNNING, Status.PAUSED) and minutes < 24 * 60:
        clocks.let_pass(timedelta(minutes=1))
        minutes += 1
        device.check_deadlines()
    return minutes


def parse(moment: Any) -> datetime:
    return datetime.fromisoformat(str(moment))


@pytest.mark.parametrize("step", STEPS)
async def test_ntp_step_mid_session_keeps_the_session_length(
    device: VirtualMassager, clocks: Clocks, step: timedelta
) -> None:
    device.start({"minutes": 30, "heat": True})
    clocks.let_pass(timedelta(minutes=5))
    clocks.wall_time += step  # NTP corrects the OS clock under the running session
    device.check_deadlines()
    assert (device.status, device.remaining_s()) == (Status.RUNNING, 25 * 60)
    # What the device shows follows the corrected wall clock: wall now + time remaining (since).
    assert device.ends_at == clocks.wall_time + timedelta(minutes=25)
    assert device.started_at == clocks.wall_time - timedelta(minutes=5)
    # Before: back 3 h ran 210 minutes, forward 3 h ended the session at once (5 minutes).
    assert minutes_until_over(device, clocks, 5) == 30
    assert (device.status, device.heat) == (Status.FINISHED, False)


@pytest.mark.parametrize("step", STEPS)
async def test_clock_fault_mid_session_keeps_the_session_length(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    token: str,
    clocks: Clocks,
    step: timedelta,
) -> None:
    """The emulator's own fault (the `clock` admin call), seen through the protocol."""
    device = emulator.device
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(
        f"{emulator.url}/api/v1/session/start", json={"minutes": 30, "heat": True}, headers=headers
    ) as response:
        before = await response.json()
    clocks.let_pass(timedelta(minutes=5))
    async with http.post(
        f"{emulator.admin_url}/emulator/clock",
        json={"offset_s": step.total_seconds()},
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
    ) as response:
        assert response.status == 200
    device.check_deadlines()
    async with http.get(f"{emulator.url}/api/v1/state", headers=headers) as response:
        state = await response.json()
    assert (state["status"], state["remaining_s"], state["heat"]) == ("running", 25 * 60, True)
    # `now` and `ends_at` move with the wrong wall clock and stay 25 minutes apart.
    assert parse(state["now"]) == parse(before["now"]) + timedelta(minutes=5) + step
    assert parse(state["ends_at"]) == parse(state["now"]) + timedelta(minutes=25)
    assert minutes_until_over(device, clocks, 5) == 30


async def test_ntp_step_keeps_the_pause_timeout(device: VirtualMassager, clocks: Clocks) -> None:
    device.start({"minutes": 30, "heat": True})
    device.pause()
    expires = device.pause_expires_at
    assert expires == clocks.wall_time + timedelta(minutes=10)
    clocks.wall_time -= timedelta(hours=3)
    device.check_deadlines()
    assert device.pause_expires_at == expires - timedelta(hours=3)
    assert device.remaining_s() == 30 * 60  # frozen while paused
    assert minutes_until_over(device, clocks, 0) == 10  # before: 190
    assert (device.status, device.heat) == (Status.IDLE, False)


@pytest.mark.parametrize("step", STEPS)
async def test_ntp_step_keeps_the_pairing_window(
    device: VirtualMassager, clocks: Clocks, step: timedelta
) -> None:
    device.open_pairing(timedelta(seconds=120))
    clocks.wall_time += step
    assert device.pairing_open  # forward: not closed early
    clocks.let_pass(timedelta(seconds=119))
    assert device.pairing_open
    clocks.let_pass(timedelta(seconds=1))
    assert not device.pairing_open  # back: not held open for 3 hours more


async def test_timer_is_armed_on_the_monotonic_clock(
    device: VirtualMassager, clocks: Clocks
) -> None:
    device.start({"minutes": 10})
    clocks.wall_time -= timedelta(hours=3)
    clocks.let_pass(timedelta(minutes=4))
    device.check_deadlines()  # early: re-arms for what remains, not for the wall clock's idea
    assert device.timer_delay == pytest.approx(6 * 60, abs=1)
