"""Property-based: action data reaches the massager exactly when it is valid.

Arbitrary data is almost always refused by the action's schema, so a test fed only with it never
shows that valid data gets through. The examples here are mostly what the schema accepts (the
device's own programs, zones and levels), some with one value made invalid, and the test counts
both outcomes: each must make up at least a fifth of the examples.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import DOMAIN
from emulators.reference import PROGRAMS, ZONES, EmulatorServer

from .conftest import wait_for

EXAMPLES = 100
# The reference catalogue's ranges (emulators/reference/catalogue.py).
VALID: dict[str, st.SearchStrategy[Any]] = {
    "program": st.sampled_from(sorted(PROGRAMS)),
    "zone": st.sampled_from(sorted(ZONES)),
    "intensity": st.integers(min_value=1, max_value=10),
    "minutes": st.integers(min_value=1, max_value=30),
    "heat": st.booleans(),
    "gentler": st.integers(min_value=1, max_value=9),
    "firmer": st.integers(min_value=1, max_value=9),
}
INVALID: dict[str, st.SearchStrategy[Any]] = {
    "program": st.one_of(st.sampled_from(["spine", "", "Palm circles"]), st.text(max_size=12)),
    "zone": st.one_of(st.sampled_from(["spine", "neck", ""]), st.none()),
    "intensity": st.one_of(st.integers(max_value=0), st.integers(min_value=11), st.text()),
    "minutes": st.one_of(st.integers(max_value=0), st.integers(min_value=31), st.none()),
    "heat": st.sampled_from(["maybe", "2", None]),
    "gentler": st.one_of(st.integers(max_value=0), st.sampled_from(["a lot", None])),
    "colour": st.sampled_from(["red", 1]),  # no such field
}
# Adjust takes one of absolute intensity, gentler or firmer; start takes no relative change.
SERVICE_FIELDS = {
    "start_session": [("program", "zone", "intensity", "minutes", "heat")],
    "adjust": [
        ("intensity", "zone", "program", "heat"),
        ("gentler", "zone", "program", "heat"),
        ("firmer", "zone", "program", "heat"),
    ],
}


@st.composite
def service_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A service and its data: valid, or (about one in three) with one invalid value."""
    service = draw(st.sampled_from(sorted(SERVICE_FIELDS)))
    fields = draw(st.sampled_from(SERVICE_FIELDS[service]))
    # Adjust needs something to change: its first field always, the others optional.
    required = fields[:1] if service == "adjust" else ()
    optional = draw(st.lists(st.sampled_from(fields[1:]), unique=True, max_size=3))
    data = {key: draw(VALID[key]) for key in (*required, *optional)}
    if draw(st.integers(min_value=0, max_value=2)) == 0:
        key = draw(st.sampled_from(sorted(INVALID)))
        data[key] = draw(INVALID[key])
    return service, data


async def call_once(
    hass: HomeAssistant, emulator: EmulatorServer, service: str, data: dict[str, Any]
) -> str:
    """Call the action on an idle massager; 'accepted' or 'refused', checked against the device."""
    emulator.device.stop()  # each example starts from an idle massager...
    # ...as Home Assistant sees it too: the pushed state arrives over the socket, which
    # async_block_till_done does not wait for, and a start before it is refused as "running".
    await wait_for(hass, lambda: hass.states.get("fan.back_massager").state == "off")
    requests = emulator.requests
    try:
        await hass.services.async_call(
            DOMAIN, service, {"entity_id": "fan.back_massager", **data}, blocking=True
        )
    except HomeAssistantError, probatio.Invalid:  # ours (translated), or the action's schema
        # Refused: nothing at all reached the massager.
        assert emulator.requests == requests, data
        return "refused"
    # Accepted: exactly one request, and the device took it (a refusal by the device would have
    # raised above, after a request had reached it, and failed that branch).
    assert emulator.requests == requests + 1, data
    if service == "start_session":
        assert emulator.device.status.value == "running", data
    return "accepted"


async def test_action_data_reaches_the_device_only_when_valid(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    outcomes: Counter[str] = Counter()
    loop = asyncio.get_running_loop()

    # Hypothesis drives the examples from a worker thread; each call runs on Home Assistant's
    # loop, which stays free to serve it (and the emulator) while this test awaits the thread.
    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(call=service_calls())
    def example(call: tuple[str, dict[str, Any]]) -> None:
        future = asyncio.run_coroutine_threadsafe(call_once(hass, emulator, *call), loop)
        outcomes[future.result(timeout=30)] += 1

    await loop.run_in_executor(None, example)
    total = outcomes.total()
    assert total >= EXAMPLES, outcomes
    # Both branches are exercised, each by a fair share of the examples.
    assert outcomes["accepted"] >= total / 5, outcomes
    assert outcomes["refused"] >= total / 5, outcomes
