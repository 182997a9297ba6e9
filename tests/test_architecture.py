"""The seams the architecture promises, checked on the source itself.

- Only transport.py knows a concrete transport; everything else uses the Massager interface.
- Nothing shipped in custom_components/ imports an emulator or the tests.
- The neutral models carry no wire fields.
- The library imports nothing from Home Assistant.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from pysmartmassager import models

ROOT = Path(__file__).parents[1]
COMPONENT = ROOT / "custom_components" / "smart_massager"
LIBRARY = ROOT / "pysmartmassager" / "src" / "pysmartmassager"

# Names and modules that belong to one concrete transport.
CONCRETE = {
    "SmartMassagerClient",
    "EventStream",
    "StateReader",
    "EntitiesMassager",
    "TuyaMassager",
    "TuyaConnection",
    "MiotMassager",
    "MiotConnection",
}
CONCRETE_MODULES = {
    "pysmartmassager.reference.client",
    "pysmartmassager.reference.events",
    "pysmartmassager.reference.wire",
    "pysmartmassager.tuya.massager",
    "pysmartmassager.tuya.connection",
    "pysmartmassager.tuya.protocol",
    "pysmartmassager.miot.massager",
    "pysmartmassager.miot.connection",
    "pysmartmassager.miot.protocol",
}


def imports(path: Path) -> set[str]:
    """Every module and imported name in a file (`module` and `module.name`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted(COMPONENT.rglob("*.py")), ids=lambda path: path.name)
def test_only_the_factory_knows_concrete_transports(path: Path) -> None:
    found = imports(path)
    if path.name == "transport.py":
        assert "SmartMassagerClient" in found  # the factory does build one
        return
    assert not (found & CONCRETE), f"{path.name} imports {found & CONCRETE}"
    assert not (found & CONCRETE_MODULES)


@pytest.mark.parametrize("path", sorted(COMPONENT.rglob("*.py")), ids=lambda path: path.name)
def test_the_component_ships_no_emulator(path: Path) -> None:
    assert not any(name.split(".")[0] in {"emulators", "tests"} for name in imports(path))


def test_no_emulator_files_in_the_component() -> None:
    assert not list(COMPONENT.rglob("emulator*"))


def test_neutral_models_have_no_wire_fields() -> None:
    wire = {"boot_id", "seq", "device_time", "received_at", "now", "protocol"}
    for model in (models.SessionState, models.DeviceInfo, models.Capabilities):
        fields = {field.name for field in dataclasses.fields(model)}
        assert not fields & wire, f"{model.__name__} has {fields & wire}"


@pytest.mark.parametrize("path", sorted(LIBRARY.rglob("*.py")), ids=lambda path: path.name)
def test_the_library_imports_nothing_from_home_assistant(path: Path) -> None:
    assert not any(name.split(".")[0] == "homeassistant" for name in imports(path))


def test_manifest_requires_the_library_at_its_version() -> None:
    import json  # noqa: PLC0415
    import tomllib  # noqa: PLC0415

    manifest = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pysmartmassager" / "pyproject.toml").read_text("utf-8"))
    version = project["project"]["version"]
    assert f"pysmartmassager=={version}" in manifest["requirements"]
    assert (LIBRARY / "py.typed").exists()


def test_the_library_builds_as_its_own_wheel(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT / "pysmartmassager"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("pysmartmassager-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pysmartmassager/py.typed" in names
    assert "pysmartmassager/models.py" in names
    # The Tuya datapoint maps are data the transport needs at run time.
    assert "pysmartmassager/tuya/categories/amy.json" in names
    assert "pysmartmassager/tuya/categories/liliao.json" in names
    assert not any(name.startswith(("emulators/", "tests/")) for name in names)
