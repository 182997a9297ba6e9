"""Fixtures shared by the real-browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where to save screenshots: $SMART_MASSAGER_SCREENSHOTS (docs/screenshots to refresh the
    README's), else a folder of the test's own, so a normal run changes no tracked file."""
    folder = Path(os.environ.get("SMART_MASSAGER_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
