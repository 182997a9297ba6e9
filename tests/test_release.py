"""The versions that a release ties together agree (the release check builds what they name).

The integration's version (manifest.json) heads its changelog; the library's version
(pyproject.toml) heads the library's changelog; the manifest requires exactly that library
version; the oldest Home Assistant is said once in hacs.json and the same in the README.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
MANIFEST = json.loads((ROOT / "custom_components" / "smart_massager" / "manifest.json").read_text())
LIBRARY_VERSION = tomllib.loads((ROOT / "pysmartmassager" / "pyproject.toml").read_text())[
    "project"
]["version"]


def newest_version(changelog: Path) -> str:
    found = re.search(r"^## \[(\d+\.\d+\.\d+)\]", changelog.read_text(), re.MULTILINE)
    assert found is not None, f"{changelog} names no version"
    return found.group(1)


def test_the_manifest_pins_exactly_the_library_version() -> None:
    assert MANIFEST["requirements"] == [f"pysmartmassager=={LIBRARY_VERSION}"]


def test_the_changelogs_head_with_the_versions_shipped() -> None:
    assert newest_version(ROOT / "CHANGELOG.md") == MANIFEST["version"]
    assert newest_version(ROOT / "pysmartmassager" / "CHANGELOG.md") == LIBRARY_VERSION


def test_the_oldest_home_assistant_is_said_the_same_everywhere() -> None:
    oldest = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]
    major_minor = ".".join(oldest.split(".")[:2])
    readme = (ROOT / "README.md").read_text()
    assert f"Requires Home Assistant {major_minor} or newer" in readme
