"""The massage card's logic tests (tests/card, Node's built-in test runner), in the main suite."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")
TESTS = Path(__file__).parent / "card"
CARD = Path(__file__).parents[1] / "custom_components" / "smart_massager" / "frontend"


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (scripts/setup installs it)")
def test_card_logic(tmp_path: Path) -> None:
    assert NODE is not None
    module = tmp_path / "smart-massager-card.mjs"  # an ES module to any Node version
    shutil.copy(CARD / "smart-massager-card.js", module)
    result = subprocess.run(
        [
            NODE,
            "--test",
            "--test-reporter=tap",
            *sorted(str(path) for path in TESTS.glob("*.test.mjs")),
        ],
        env={**os.environ, "CARD_MODULE": module.as_uri()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
    assert "# pass 0" not in result.stdout  # the runner found the tests
