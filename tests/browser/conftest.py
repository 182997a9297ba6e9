"""Fixtures shared by the real-browser tests."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from .live_home_assistant import LiveHomeAssistant


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where to save screenshots: $SMART_MASSAGER_SCREENSHOTS (docs/screenshots to refresh the
    README's), else a folder of the test's own, so a normal run changes no tracked file."""
    folder = Path(os.environ.get("SMART_MASSAGER_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def live(tmp_path: Path, socket_enabled: None) -> Generator[LiveHomeAssistant]:
    """Home Assistant and the reference emulator, torn down even when the test fails."""
    home = LiveHomeAssistant(tmp_path)
    try:
        home.start()
        yield home
    finally:
        home.stop()
