"""The host's callbacks cannot end a subscription: one rule (ReportingSubscription) for all.

A bug in the host's state or connection callback used to end the Tuya and MIoT push tasks (the
reference stream had its own guard): the host then showed stale states until a reload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable

import pytest

from conftest import miot_device, start_miot, start_tuya, tuya_device, wait_until
from pysmartmassager import Massager, SessionSettings, SessionState, Status
from pysmartmassager.miot import MiotMassager
from pysmartmassager.tuya import TuyaMassager

pytestmark = pytest.mark.usefixtures("socket_enabled")

type Press = Callable[[bool], Awaitable[None]]


@pytest.fixture(params=["tuya", "miot"])
async def device(request: pytest.FixtureRequest) -> AsyncGenerator[tuple[Massager, Press]]:
    """A massager of each family that checks settings itself, and a press on its device."""
    if request.param == "tuya":
        tuya = await start_tuya("massage_chair", "3.4")
        massager: Massager = TuyaMassager(tuya_device(tuya), timeout=1.0, heartbeat=0.5)

        async def press_tuya(on: bool) -> None:
            await tuya.press("switch", on)

        yield massager, press_tuya
        await massager.close()
        await tuya.stop()
    else:
        miot = await start_miot("chair")
        massager = MiotMassager(miot_device(miot), timeout=0.5)

        async def press_miot(on: bool) -> None:
            miot.device.press("on", on)
            await massager.change_settings(SessionSettings())  # a command wakes the poller

        yield massager, press_miot
        await massager.close()
        await miot.stop()


async def test_a_failing_callback_is_logged_and_the_states_keep_coming(
    device: tuple[Massager, Press], caplog: pytest.LogCaptureFixture
) -> None:
    massager, press = device
    states: list[SessionState] = []
    connections: list[bool] = []

    def on_state(state: SessionState) -> None:
        states.append(state)
        raise RuntimeError("a bug in the host's state callback")

    def on_connection(connected: bool) -> None:
        connections.append(connected)
        raise RuntimeError("a bug in the host's connection callback")

    subscription = massager.subscribe(on_state, on_connection)
    assert subscription is not None
    task = asyncio.create_task(subscription.run())
    try:
        await wait_until(lambda: bool(states) and subscription.connected)
        await press(True)
        await wait_until(lambda: states[-1].status is Status.RUNNING)
        await press(False)
        await wait_until(lambda: states[-1].status is Status.IDLE)
        assert not task.done()
        assert connections == [True]
        assert "Error in the host's state callback" in caplog.text
        assert "Error in the host's connection callback" in caplog.text
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
