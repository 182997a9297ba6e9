"""A device flooding the push stream: coalesced, the last state always wins (running clock)."""

from __future__ import annotations

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import PUSH_COALESCE_S
from emulators.reference import EmulatorServer

from .conftest import wait_for

INTENSITY = "number.back_massager_intensity"


async def test_a_flood_of_pushed_states_is_coalesced(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    writes: list[str] = []

    @callback
    def record(event: Event) -> None:
        if event.data["entity_id"] == INTENSITY:
            writes.append(event.data["new_state"].state)

    remove = hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    loop = hass.loop
    started = loop.time()
    # 500 visible changes pushed as fast as the device can send them.
    for index in range(500):
        emulator.device.press({"intensity": 3 + index % 2})
    emulator.device.press({"intensity": 9})  # the last one must win
    await wait_for(hass, lambda: hass.states.get(INTENSITY).state == "9", timeout=10)
    elapsed = loop.time() - started
    remove()
    assert writes[-1] == "9"
    assert len(writes) < 50  # without coalescing: 501 (measured with the window set to 0)
    # At most one applied state per window (plus the first, applied at once).
    assert len(writes) <= elapsed / PUSH_COALESCE_S + 2, (len(writes), elapsed)
