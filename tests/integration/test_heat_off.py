"""Heat goes off at the end of a session, retried until the device reports it off.

Against the Tuya emulator over loopback, in the shape the hardening review found: firmware that
powers off but ignores every "heat off". Home Assistant's timer owns the retry and the repair
issue for every transport without a timer of its own (test_session_timer.py covers the rule on
the in-memory device).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from conftest import start_tuya
from custom_components.smart_massager import session_timer
from custom_components.smart_massager.const import DOMAIN
from emulators.tuya import TuyaEmulatorServer
from emulators.tuya.device import DpValue

from .conftest import advance, set_up, wait_for
from .entries import tuya_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")
FAN = "fan.massage_chair"


@pytest.fixture
async def chair(socket_enabled: None) -> AsyncGenerator[TuyaEmulatorServer]:
    server = await start_tuya("massage_chair", "3.4")
    yield server
    await server.stop()


async def test_tuya_heat_that_ignores_off_is_retried_and_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    chair: TuyaEmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_timer, "TIMER_STOP_RETRY_S", 0.0)  # the loop clock is frozen
    entry = await set_up(hass, tuya_entry(chair))
    await hass.services.async_call(
        DOMAIN, "start_session", {"entity_id": FAN, "minutes": 10, "heat": True}, blocking=True
    )
    chair.device.heat_ignores_off = True
    heat_offs: list[Mapping[str, object]] = []
    original = chair.device.control

    def counted(dps: Mapping[str, object]) -> dict[str, DpValue]:
        if dps.get(chair.device.product.by_code("heat").dp_id) is False:
            heat_offs.append(dps)
        return original(dps)

    monkeypatch.setattr(chair.device, "control", counted)
    await advance(hass, freezer, minutes=10, seconds=1)
    await wait_for(hass, lambda: chair.device.value("switch") is False)
    issue_id = f"heat_off_failed_{entry.entry_id}"
    issues = ir.async_get(hass)
    for _ in range(20):  # each try waits for the device's answer: let its timeouts run
        if issues.async_get_issue(DOMAIN, issue_id) is not None:
            break
        await advance(hass, freezer, seconds=6)
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert chair.device.value("heat") is True
    # The stop's own heat-off, then every retry: more than the one extra try of before.
    assert len(heat_offs) >= session_timer.HEAT_OFF_ATTEMPTS
    # Firmware that obeys again: the next heat-off gets through and the notice goes.
    chair.device.heat_ignores_off = False
    for _ in range(60):  # the slow retry comes within 5 minutes
        if issues.async_get_issue(DOMAIN, issue_id) is None:
            break
        await advance(hass, freezer, seconds=6)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert chair.device.value("heat") is False
    await hass.config_entries.async_unload(entry.entry_id)
