"""PollingSubscription, the one design for a device that cannot push.

The device here is a scripted `get_state` (no wire is needed to test the pacing rules); the
transport that uses the poller over a real socket is MIoT, tested in test_miot_massager.py.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from conftest import wait_until
from pysmartmassager import Massager, SessionState, Status
from pysmartmassager.exceptions import MassagerAuthenticationError, MassagerConnectionError
from pysmartmassager.polling import PollingSubscription
from pysmartmassager.reconnect import Backoff


def _state(status: Status, revision: int, remaining_s: int = 0) -> SessionState:
    return SessionState(
        status=status,
        program="kneading",
        zone="",
        intensity=3,
        heat=False,
        minutes=10,
        started_at=None,
        ends_at=None,
        remaining_s=remaining_s,
        pause_expires_at=None,
        error=None,
        revision=revision,
    )


class ScriptedDevice:
    """Answers `get_state` with the current state, or raises the error set."""

    def __init__(self) -> None:
        self.state = _state(Status.IDLE, 0)
        self.error: Exception | None = None
        self.reads = 0

    async def get_state(self) -> SessionState:
        self.reads += 1
        if self.error is not None:
            raise self.error
        # Every read is a new revision, as a transport numbers what it reads.
        self.state = _state(self.state.status, self.state.revision + 1, self.state.remaining_s)
        return self.state


def _poller(device: ScriptedDevice, on_state: Any, on_connection: Any = None) -> Any:
    return PollingSubscription(
        cast("Massager", device),
        on_state,
        on_connection,
        active_s=0.02,
        idle_s=30.0,
        retry=Backoff(0.01, 0.02),
    )


async def _running(subscription: PollingSubscription) -> asyncio.Task[None]:
    return asyncio.create_task(subscription.run())


async def test_only_a_state_that_changed_is_delivered() -> None:
    device, states = ScriptedDevice(), []
    subscription = _poller(device, states.append)
    task = await _running(subscription)
    await wait_until(lambda: len(states) == 1)
    device.state = _state(Status.RUNNING, device.state.revision)
    subscription.wake()  # idle pace is 30 s: a command wakes it
    await wait_until(lambda: device.reads >= 5)  # running: the quick pace, same state each read
    assert [state.status for state in states] == [Status.IDLE, Status.RUNNING]
    device.state = _state(Status.RUNNING, device.state.revision, remaining_s=60)
    await wait_until(lambda: len(states) == 3)  # a countdown is a change
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_idle_reads_wait_for_the_idle_pace_or_a_wake() -> None:
    device, states = ScriptedDevice(), []
    subscription = _poller(device, states.append)
    task = await _running(subscription)
    await wait_until(lambda: device.reads == 1)
    await asyncio.sleep(0.1)  # five quick intervals: none taken while idle
    assert device.reads == 1
    subscription.wake()
    await wait_until(lambda: device.reads == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_unreachable_is_a_channel_down_and_reads_are_retried() -> None:
    device, states, connections = ScriptedDevice(), [], []
    device.error = MassagerConnectionError("unreachable")
    subscription = _poller(device, states.append, connections.append)
    task = await _running(subscription)
    await wait_until(lambda: device.reads >= 3)  # retried on the backoff, not given up
    assert states == []
    assert connections in ([], [False])  # never up: nothing to report, or down
    device.error = None
    await wait_until(lambda: len(states) == 1)
    assert connections[-1] is True
    device.error = MassagerConnectionError("gone again")
    subscription.wake()
    await wait_until(lambda: connections[-1] is False)
    assert not subscription.connected
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_refused_credential_ends_the_subscription() -> None:
    device, connections = ScriptedDevice(), []
    subscription = _poller(device, lambda state: None, connections.append)
    task = await _running(subscription)
    await wait_until(lambda: subscription.connected)
    device.error = MassagerAuthenticationError("token refused")
    subscription.wake()
    with pytest.raises(MassagerAuthenticationError):
        await asyncio.wait_for(task, 1.0)
    assert connections[-1] is False
