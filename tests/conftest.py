"""Home Assistant test fixtures (the emulator and client fixtures are in the root conftest.py).

Importing the component at module level makes pytest import this repository's
`custom_components` package before pytest-homeassistant-custom-component's own testing one
(shared/notes/ha-testing.md), so Home Assistant's loader finds the integration.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.smart_massager  # noqa: F401  # see the module docstring


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots through Home Assistant's extension (stable ids, readable states)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
