"""The seams the architecture promises, checked on the source itself.

- Each family of massagers (a row of transport.py's registry) owns its modules: the library's
  `pysmartmassager.<id>` and the component's `<id>_flow.py` (its builder and flow steps). Only
  those import its classes; the rest of the integration uses the Massager interface and reads
  what differs from the registry, so nothing branches on a transport id. Checked for every row.
- Nothing shipped in custom_components/ imports an emulator or the tests.
- The neutral models carry no wire fields.
- The library imports nothing from Home Assistant; its neutral core imports no family.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
from pathlib import Path

import pytest

from custom_components.smart_massager import flow_base
from custom_components.smart_massager.config_flow import (
    MassagerOptionsFlow,
    SmartMassagerConfigFlow,
)
from custom_components.smart_massager.transport import TRANSPORTS, Transport
from pysmartmassager import models

ROOT = Path(__file__).parents[1]
COMPONENT = ROOT / "custom_components" / "smart_massager"
LIBRARY = ROOT / "pysmartmassager" / "src" / "pysmartmassager"
PACKAGE = "custom_components.smart_massager"
ROWS = list(TRANSPORTS.values())
COMPONENT_FILES = sorted(COMPONENT.rglob("*.py"))
# Entries stored before they named their transport are migrated (__init__.py): the one place an
# id is compared, to old data, not to choose behaviour.
MIGRATION = "__init__.py"


def package_of(path: Path) -> str:
    """The dotted package a source file is in (for its relative imports)."""
    root = LIBRARY.parent if path.is_relative_to(LIBRARY) else ROOT
    return ".".join(path.parent.relative_to(root).parts)


def imports(path: Path) -> set[str]:
    """Every module and imported name in a file (`module` and `module.name`), relative resolved."""
    package = package_of(path).split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:
                module = ".".join([*package[: len(package) - node.level + 1], module])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
            found.update(alias.name for alias in node.names)
    return found


def family_package(row: Transport) -> str | None:
    """The library subpackage a family's wire lives in (None: it lives in the component)."""
    name = f"pysmartmassager.{row.id}"
    return name if importlib.util.find_spec(name) is not None else None


def own_module(row: Transport) -> str:
    return f"{PACKAGE}.{row.id}_flow"


def component_massagers() -> dict[str, str]:
    """Massager classes written in the component (name: defining module's file name)."""
    found = {}
    for path in COMPONENT_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "Massager" for base in node.bases
            ):
                found[node.name] = path.name
    return found


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_a_family_lives_in_its_own_modules(row: Transport) -> None:
    assert row.flow.__module__ == own_module(row), "the flow mixin belongs in <id>_flow.py"
    assert row.build.__module__ == own_module(row), "the builder belongs in <id>_flow.py"
    package = family_package(row)
    for path in COMPONENT_FILES:
        if f"{PACKAGE}.{path.stem}" == own_module(row):
            continue
        found = imports(path)
        if package is not None:
            assert not any(name == package or name.startswith(f"{package}.") for name in found), (
                f"{path.name} imports {package}: only {row.id}_flow.py may"
            )


@pytest.mark.parametrize("path", COMPONENT_FILES, ids=lambda path: path.name)
def test_a_massager_class_is_imported_only_by_its_builder(path: Path) -> None:
    builders = {row.build.__module__.rsplit(".", 1)[1] + ".py" for row in ROWS}
    massagers = component_massagers()
    if path.name in builders or path.name in massagers.values():
        return
    found = imports(path) & set(massagers)
    assert not found, f"{path.name} imports {found}"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_the_flow_has_every_step_the_registry_names(row: Transport) -> None:
    assert issubclass(row.flow, flow_base.FamilyFlow)
    assert issubclass(SmartMassagerConfigFlow, row.flow), (
        f"add {row.flow.__name__} to SmartMassagerConfigFlow's bases"
    )
    steps = [*row.add_steps, row.reauth_step, row.reconfigure_step]
    for step in filter(None, steps):
        assert callable(getattr(SmartMassagerConfigFlow, f"async_step_{step}", None)), step
    for step in row.options_steps:
        assert callable(getattr(MassagerOptionsFlow, f"async_step_{step}", None)), step


def test_every_mixin_of_the_flow_is_a_registered_family() -> None:
    mixins = {
        base
        for base in SmartMassagerConfigFlow.__mro__[1:]
        if base.__module__.startswith(PACKAGE) and base.__module__.endswith("_flow")
    }
    assert mixins == {row.flow for row in ROWS}


@pytest.mark.parametrize("path", COMPONENT_FILES, ids=lambda path: path.name)
def test_nothing_branches_on_a_transport_id(path: Path) -> None:
    if path.name in {MIGRATION, "transport.py"}:
        return
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            names = [
                part.id for part in (node.left, *node.comparators) if isinstance(part, ast.Name)
            ]
            assert not any(name.startswith("TRANSPORT_") for name in names), (
                f"{path.name}:{node.lineno} compares a transport id: read the registry instead"
            )


def test_the_neutral_core_imports_no_family() -> None:
    families = {path.parent.name for path in LIBRARY.glob("*/__init__.py")}
    assert {"reference", "tuya", "miot"} <= families
    for path in LIBRARY.glob("*.py"):
        found = imports(path)
        assert not any(
            name.split(".")[:2] == ["pysmartmassager", family]
            for name in found
            for family in families
        ), f"{path.name} imports a family"
    for family in families:
        for path in (LIBRARY / family).rglob("*.py"):
            others = families - {family}
            assert not any(
                name.split(".")[:2] in (["pysmartmassager", other] for other in others)
                for name in imports(path)
            ), f"{family}/{path.name} imports another family"


@pytest.mark.parametrize("path", COMPONENT_FILES, ids=lambda path: path.name)
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


def test_the_guide_to_adding_a_transport_is_true() -> None:
    # docs/adding-a-transport.md describes the registry row field by field and names the files
    # each family has: checked against the code, so the guide cannot drift from it.
    guide = (ROOT / "docs" / "adding-a-transport.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Transport):
        assert f"`{field.name}`" in guide, f"the guide does not describe {field.name}"
    for row in ROWS:
        assert (COMPONENT / f"{row.id}_flow.py").exists()
        assert f"TRANSPORT_{row.id.upper()}" in (COMPONENT / "const.py").read_text("utf-8")
    for named in ("flow_base.FlowError", "errors_for", "shown()", "scripts/test-library"):
        assert named in guide
    assert (ROOT / "scripts" / "test-library").exists()
    assert all(hasattr(flow_base, name) for name in ("FlowError", "errors_for", "shown"))
