"""The push subscription against the emulator: snapshot, changes, reconnect, refused token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

import pytest

from emulators.reference import EmulatorServer
from pysmartmassager import (
    MassagerAuthenticationError,
    MassagerResponseError,
    SessionSettings,
    SessionState,
    Status,
)
from pysmartmassager.reference import EventStream, SmartMassagerClient


@dataclass
class Recorder:
    """Collects what a stream delivers and lets a test wait for a condition."""

    states: list[SessionState] = field(default_factory=list)
    connection: list[bool] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_state(self, state: SessionState) -> None:
        self.states.append(state)
        self.changed.set()

    def on_connection(self, connected: bool) -> None:
        self.connection.append(connected)
        self.changed.set()

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def stream(
    client: SmartMassagerClient,
) -> AsyncGenerator[tuple[EventStream, Recorder, asyncio.Task[None]]]:
    """A running event stream with a fast backoff, cancelled and awaited afterwards."""
    recorder = Recorder()
    events = client.subscribe(recorder.on_state, recorder.on_connection)
    events.backoff_initial = 0.05
    events.backoff_max = 0.2
    task = asyncio.create_task(events.run())
    yield events, recorder, task
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, MassagerAuthenticationError):
        await task


async def test_snapshot_then_changes(
    stream: tuple[EventStream, Recorder, asyncio.Task[None]],
    client: SmartMassagerClient,
    emulator: EmulatorServer,
) -> None:
    events, recorder, _ = stream
    await recorder.wait_for(lambda: events.connected)
    assert recorder.connection == [True]
    assert recorder.states[0].status is Status.IDLE
    # The snapshot arrives before "connected" is reported.
    assert len(recorder.states) == 1

    await client.start_session(SessionSettings(program="shiatsu", minutes=5))
    await recorder.wait_for(lambda: recorder.states[-1].status is Status.RUNNING)
    assert recorder.states[-1].program == "shiatsu"

    # A change made on the device itself (its button) arrives without any request from us.
    requests = emulator.requests
    emulator.device.press({"intensity": 9})
    await recorder.wait_for(lambda: recorder.states[-1].intensity == 9)
    assert emulator.requests == requests
    revisions = [state.revision for state in recorder.states]
    assert revisions == sorted(revisions)
    assert len(set(revisions)) == len(revisions)


async def test_reconnects_after_dropped_stream(
    stream: tuple[EventStream, Recorder, asyncio.Task[None]], emulator: EmulatorServer
) -> None:
    events, recorder, _ = stream
    await recorder.wait_for(lambda: events.connected)
    await emulator.drop_streams()
    await recorder.wait_for(lambda: recorder.connection == [True, False, True])
    assert events.connections == 2
    # A fresh snapshot after the reconnect; changes keep flowing.
    emulator.device.press({"zone": "full_back"})
    await recorder.wait_for(lambda: recorder.states[-1].zone == "full_back")


async def test_reconnects_after_power_cycle(
    stream: tuple[EventStream, Recorder, asyncio.Task[None]], emulator: EmulatorServer
) -> None:
    events, recorder, _ = stream
    await recorder.wait_for(lambda: events.connected)
    boot = emulator.device.boot_id
    await emulator.power_cycle(0.3)
    await recorder.wait_for(lambda: recorder.connection[-1] and len(recorder.connection) == 3)
    assert emulator.device.boot_id != boot
    # A rebooted device's first state must win although its seq is lower.
    assert recorder.states[-1].is_newer_than(recorder.states[0])


async def test_revoked_token_ends_the_stream(
    stream: tuple[EventStream, Recorder, asyncio.Task[None]], emulator: EmulatorServer
) -> None:
    events, recorder, task = stream
    await recorder.wait_for(lambda: events.connected)
    emulator.device.revoke_tokens()
    await emulator.drop_streams()
    with pytest.raises(MassagerAuthenticationError):
        await asyncio.wait_for(task, 5)
    assert recorder.connection == [True, False]


async def test_malformed_event_is_a_typed_error_then_recovers(
    stream: tuple[EventStream, Recorder, asyncio.Task[None]], emulator: EmulatorServer
) -> None:
    events, recorder, _ = stream
    await recorder.wait_for(lambda: events.connected)
    emulator.faults.malformed_json = True
    emulator.device.press({"intensity": 2})
    await recorder.wait_for(lambda: not events.connected)
    assert isinstance(events.last_error, MassagerResponseError)
    emulator.faults.malformed_json = False
    await recorder.wait_for(lambda: events.connected)
    assert recorder.states[-1].intensity == 2
