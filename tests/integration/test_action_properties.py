"""Property-based: arbitrary action data never reaches the massager unless it is valid."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import DOMAIN
from emulators.reference import EmulatorServer

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-50, max_value=100),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["palm_circles", "shiatsu", "lower_back", "shoulders", "spine", "10", "7"]),
)
DATA = st.dictionaries(
    st.sampled_from(
        ["program", "zone", "intensity", "minutes", "heat", "gentler", "firmer", "colour"]
    ),
    VALUES,
    max_size=4,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(service=st.sampled_from(["start_session", "adjust"]), data=DATA)
async def test_arbitrary_action_data(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: EmulatorServer,
    service: str,
    data: dict[str, Any],
) -> None:
    emulator.device.stop()  # each example starts from an idle massager
    await hass.async_block_till_done()
    requests = emulator.requests
    try:
        await hass.services.async_call(
            DOMAIN, service, {"entity_id": "fan.back_massager", **data}, blocking=True
        )
    except HomeAssistantError, probatio.Invalid:  # ours (translated), or the action's schema
        # Refused: nothing at all reached the massager.
        assert emulator.requests == requests, data
    else:
        # Accepted: exactly one request, and the device took it (a refusal by the device would
        # have raised above, after a request had reached it, and failed that branch).
        assert emulator.requests == requests + 1, data
        if service == "start_session":
            assert emulator.device.status.value == "running", data
