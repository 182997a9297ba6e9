"""The release check: what we would publish installs and runs on a plain Home Assistant.

1. Build the library's sdist and wheel from pysmartmassager/ (the tag workflow runs the same
   `build` step) and check their contents: py.typed, every data file the library loads at run
   time, the licence, and metadata matching pyproject.toml, the library's README and the
   integration's manifest.
2. For the newest Home Assistant on the package registry and the oldest one hacs.json claims:
   a venv of its own with nothing but `homeassistant` (cached per version between runs), a fresh
   configuration with only `custom_components/smart_massager` copied in (as HACS does), and
   `hass` started normally, so its own installer (uv) installs the library, offered the built
   wheel through UV_FIND_LINKS as the registry would offer the published one. Then, through the
   REST API only: onboard, log in, add a massager built from an input_boolean with the config
   flow, start and stop a session; the massage card is served from the integration's folder
   and, after Home Assistant stopped, is one of the dashboards' resources. Any error or
   traceback that names the integration or the library fails the check.

Standard library only, so it runs wherever Python 3.14 and the `build` package are.
Usage: release_check.py [--build-only DIR] [--versions V1,V2]
"""

from __future__ import annotations

import argparse
import email
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "pysmartmassager"
COMPONENT = ROOT / "custom_components" / "smart_massager"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "smart-massager"
HA_START_TIMEOUT_S = 300.0
HA_STOP_TIMEOUT_S = 200.0
OURS = re.compile(r"smart_massager|pysmartmassager")


class ReleaseCheckError(Exception):
    """The artefact would not install or run as shipped."""


def say(text: str) -> None:
    """Print a step."""
    print(f"==> {text}", flush=True)


@contextmanager
def timed(what: str, times: dict[str, float]) -> Iterator[None]:
    """Record how long the block took under `what`."""
    started = time.monotonic()
    yield
    times[what] = time.monotonic() - started


# -- 1. the artefacts ----------------------------------------------------------------------------


def library_project() -> dict[str, Any]:
    """The library's [project] table."""
    project: dict[str, Any] = tomllib.loads((LIBRARY / "pyproject.toml").read_text())["project"]
    return project


def build(out: Path) -> tuple[Path, Path]:
    """Build sdist and wheel into `out` (the publish workflow's command)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("pysmartmassager-*"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(LIBRARY)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise ReleaseCheckError(
            f"expected one wheel and one sdist in {out}, found {wheels + sdists}"
        )
    return wheels[0], sdists[0]


def runtime_data_files() -> set[str]:
    """Data files the library reads at run time, relative to the package (from the source)."""
    package = LIBRARY / "src" / "pysmartmassager"
    found = {"py.typed"}
    found.update(str(path.relative_to(package)) for path in package.glob("tuya/categories/*.json"))
    return found


def check_wheel(wheel: Path, project: dict[str, Any]) -> None:
    """Data files, modules, licence and metadata in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(name for name in names if name.endswith(".dist-info/METADATA"))
        metadata = email.message_from_string(archive.read(info).decode("utf-8"))
    missing = {f"pysmartmassager/{name}" for name in runtime_data_files()} - names
    if missing:
        raise ReleaseCheckError(f"the wheel lacks data files the library loads: {sorted(missing)}")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        raise ReleaseCheckError("the wheel carries no licence")
    modules = {
        str(path.relative_to(LIBRARY / "src"))
        for path in (LIBRARY / "src" / "pysmartmassager").rglob("*.py")
    }
    if missing_modules := modules - names:
        raise ReleaseCheckError(f"the wheel lacks modules: {sorted(missing_modules)}")
    check_metadata(metadata, project)


def check_metadata(metadata: email.message.Message, project: dict[str, Any]) -> None:
    """The wheel's metadata says what pyproject.toml and the README say."""
    expected = {
        "Name": project["name"],
        "Version": project["version"],
        "Requires-Python": project["requires-python"],
        "Summary": project["description"],
        "License-Expression": project["license"],
    }
    for key, value in expected.items():
        if metadata.get(key) != value:
            raise ReleaseCheckError(f"metadata {key} is {metadata.get(key)!r}, not {value!r}")
    requires = sorted(
        str(value).replace(" ", "") for value in metadata.get_all("Requires-Dist", [])
    )
    if requires != sorted(dep.replace(" ", "") for dep in project["dependencies"]):
        raise ReleaseCheckError(f"metadata Requires-Dist {requires} differs from pyproject.toml")
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8").strip()
    if str(metadata.get_payload()).strip() != readme:
        raise ReleaseCheckError("the long description is not the library's README")


def check_sdist(sdist: Path, project: dict[str, Any]) -> None:
    """The sdist can rebuild the wheel: sources, data files, licence, README."""
    prefix = f"pysmartmassager-{project['version']}/"
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    needed = {"LICENSE", "README.md", "pyproject.toml"} | {
        f"src/pysmartmassager/{name}" for name in runtime_data_files()
    }
    if missing := needed - names:
        raise ReleaseCheckError(f"the sdist lacks {sorted(missing)}")


def check_versions(project: dict[str, Any]) -> None:
    """The manifest requires exactly the version built."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    wanted = f"pysmartmassager=={project['version']}"
    if manifest["requirements"] != [wanted]:
        raise ReleaseCheckError(f"manifest requires {manifest['requirements']}, not [{wanted!r}]")


# -- 2. a plain Home Assistant -------------------------------------------------------------------


def newest_home_assistant() -> str:
    """The newest homeassistant the package registry offers."""
    answer = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "homeassistant"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"homeassistant \(([0-9.]+)\)", answer)
    if found is None:
        raise ReleaseCheckError(f"the registry did not name a newest homeassistant: {answer[:200]}")
    return found.group(1)


def oldest_claimed() -> str:
    """The oldest Home Assistant hacs.json (and the README) claim."""
    return str(json.loads((ROOT / "hacs.json").read_text())["homeassistant"])


def home_assistant_env(version: str, times: dict[str, float]) -> Path:
    """A venv with only homeassistant==version, kept between runs (it never changes)."""
    env = CACHE / "release-check" / f"ha-{version}"
    stamp = env / ".installed"
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if stamp.exists():
        # Home Assistant installed the library into this venv last time: it must install it
        # again from what is offered now, or the check proves nothing.
        subprocess.run(
            [
                uv,
                "pip",
                "uninstall",
                "-q",
                "--python",
                str(env / "bin" / "python"),
                "pysmartmassager",
            ],
            check=False,
            stderr=subprocess.DEVNULL,
        )
        return env
    shutil.rmtree(env, ignore_errors=True)
    with timed(f"install homeassistant {version}", times):
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(env / "bin" / "python"),
                f"homeassistant=={version}",
            ],
            check=True,
        )
    stamp.write_text(version)
    return env


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONFIGURATION = """\
homeassistant:
  name: Release check
  time_zone: UTC
  country: DE
  unit_system: metric
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
frontend:
onboarding:
input_boolean:
  plug:
    name: Plug
logger:
  default: warning
  logs:
    custom_components.smart_massager: info
    homeassistant.util.package: info
"""


class Api:
    """Home Assistant's REST API, as a client outside it sees it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.token: str | None = None

    def request(self, method: str, path: str, body: Any = None, *, form: bool = False) -> Any:
        """One call; JSON (or a form) in, JSON out; an HTTP error fails the check."""
        headers = {}
        data = None
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                text = answer.read().decode()
        except urllib.error.HTTPError as err:
            raise ReleaseCheckError(
                f"{method} {path}: HTTP {err.code} {err.read()[:300]!r}"
            ) from err
        return json.loads(text) if text else None

    def wait_until_up(self, process: subprocess.Popen[bytes]) -> None:
        """Until the HTTP server answers (or hass exits, or the time is up)."""
        deadline = time.monotonic() + HA_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ReleaseCheckError(f"hass exited with {process.returncode} while starting")
            try:
                with urllib.request.urlopen(self.base + "/api/onboarding", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise ReleaseCheckError(f"hass did not answer within {HA_START_TIMEOUT_S:.0f} s")

    def wait_until_running(self) -> None:
        """Until Home Assistant has finished starting (logged in: /api/config needs a token).

        Its API answers long before: stopped while still starting, it exits without the final
        write of its stores (on a busy machine the dashboards' resources were never written).
        """
        deadline = time.monotonic() + HA_START_TIMEOUT_S
        while (state := self.request("GET", "/api/config").get("state")) != "RUNNING":
            if time.monotonic() > deadline:
                raise ReleaseCheckError(
                    f"hass was {state!r}, not running, after {HA_START_TIMEOUT_S:.0f} s"
                )
            time.sleep(0.2)

    def state(self, entity_id: str) -> str | None:
        """An entity's state now (None: no such entity)."""
        try:
            return str(self.request("GET", f"/api/states/{entity_id}")["state"])
        except ReleaseCheckError:
            return None

    def wait_for_state(self, entity_id: str, wanted: str, timeout: float = 30.0) -> None:
        """Until an entity has the wanted state."""
        deadline = time.monotonic() + timeout
        while (now := self.state(entity_id)) != wanted:
            if time.monotonic() > deadline:
                raise ReleaseCheckError(f"{entity_id} is {now!r}, not {wanted!r}")
            time.sleep(0.2)


def onboard_and_log_in(api: Api) -> None:
    """Create the owner as the onboarding page does, then take a token for it."""
    client_id = api.base + "/"
    user = api.request(
        "POST",
        "/api/onboarding/users",
        {
            "client_id": client_id,
            "name": "Release Check",
            "username": "check",
            "password": "release-check-password",
            "language": "en",
        },
    )
    tokens = api.request(
        "POST",
        "/auth/token",
        {"grant_type": "authorization_code", "code": user["auth_code"], "client_id": client_id},
        form=True,
    )
    api.token = tokens["access_token"]


def add_and_run_a_massager(api: Api) -> None:
    """The menu flow builds a massager from input_boolean.plug; a session starts and stops."""
    flow = api.request("POST", "/api/config/config_entries/flow", {"handler": "smart_massager"})
    if flow.get("type") != "menu":
        raise ReleaseCheckError(f"the flow did not open with its menu: {flow}")
    flow_path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    form = api.request("POST", flow_path, {"next_step_id": "entities"})
    if (form.get("type"), form.get("step_id")) != ("form", "entities"):
        raise ReleaseCheckError(f"the entities form did not open: {form}")
    created = api.request(
        "POST",
        flow_path,
        {
            "name": "Back massager",
            "power_entity": "input_boolean.plug",
            "intensity_levels": 5,
            "running_above": 5,
            "min_minutes": 5,
            "max_minutes": 30,
            "session_minutes": 15,
        },
    )
    if created.get("type") != "create_entry":
        raise ReleaseCheckError(f"the flow did not create the massager: {created}")
    api.wait_for_state("fan.back_massager", "off")
    api.request(
        "POST",
        "/api/services/smart_massager/start_session",
        {"entity_id": "fan.back_massager", "minutes": 5},
    )
    api.wait_for_state("input_boolean.plug", "on")
    api.wait_for_state("fan.back_massager", "on")
    api.request(
        "POST", "/api/services/smart_massager/stop_session", {"entity_id": "fan.back_massager"}
    )
    api.wait_for_state("input_boolean.plug", "off")
    api.wait_for_state("fan.back_massager", "off")


CARD_PATH = "/smart_massager/smart-massager-card.js"


def check_the_card_is_served(api: Api) -> None:
    """The card's file, as the integration folder has it, served without a log-in.

    A browser loads dashboard resources before it has a token.
    """
    content = (COMPONENT / "frontend" / "smart-massager-card.js").read_bytes()
    with urllib.request.urlopen(api.base + CARD_PATH, timeout=30) as answer:
        served = answer.read()
    if served != content:
        raise ReleaseCheckError(f"{CARD_PATH} did not serve the card ({len(served)} bytes)")


def check_the_card_is_a_resource(config: Path) -> None:
    """After Home Assistant stopped: the dashboards' resources hold the card once.

    As a module at a versioned URL (which version: tests/integration/test_card.py).
    """
    stored = config / ".storage" / "lovelace_resources"
    if not stored.exists():
        raise ReleaseCheckError("Home Assistant stored no dashboard resources")
    items = json.loads(stored.read_text())["data"]["items"]
    ours = [item for item in items if str(item.get("url", "")).startswith(CARD_PATH)]
    if len(ours) != 1 or ours[0]["type"] != "module" or "?v=" not in ours[0]["url"]:
        raise ReleaseCheckError(f"the card's resources are {ours}, not one versioned module")


def our_errors(log: str) -> list[str]:
    """Error records and tracebacks that name the integration or the library."""
    found: list[str] = []
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", log)
    for record in records:
        head = record.split("\n", 1)[0]
        serious = re.search(r"\b(ERROR|CRITICAL)\b", head) or "Traceback" in record
        if (
            (serious and OURS.search(record))
            or "Unable to install package" in record
            or "Requirements for" in record
        ):
            found.append(record[:2000])
    return found


def stop_home_assistant(
    process: subprocess.Popen[bytes], version: str, times: dict[str, float]
) -> ReleaseCheckError | None:
    """Stop it as a service manager does; what went wrong, if it did not stop cleanly.

    The wait is longer than Home Assistant's own stop stages (100 + 60 + 30 s): killed
    earlier, it would lose its final write and the check would blame the integration.
    """
    with timed(f"{version}: stop hass", times):
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=HA_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return ReleaseCheckError(f"hass did not stop within {HA_STOP_TIMEOUT_S:.0f} s")
    return None if code == 0 else ReleaseCheckError(f"hass exited with {code} when stopped")


def run_home_assistant(version: str, dist: Path, times: dict[str, float]) -> None:
    """One plain Home Assistant, from its own venv to a session run through its API."""
    env = home_assistant_env(version, times)
    with tempfile.TemporaryDirectory(prefix=f"release-check-{version}-") as folder:
        config = Path(folder)
        shutil.copytree(
            COMPONENT,
            config / "custom_components" / "smart_massager",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        port = free_port()
        (config / "configuration.yaml").write_text(CONFIGURATION.format(port=port))
        log_file = config / "home-assistant.log"
        environment = {**os.environ, "UV_FIND_LINKS": str(dist)}
        environment.pop("VIRTUAL_ENV", None)
        process = subprocess.Popen(
            [str(env / "bin" / "hass"), "-c", str(config), "--log-file", str(log_file)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        api = Api(f"http://127.0.0.1:{port}")
        failure: ReleaseCheckError | None = None
        try:
            with timed(f"{version}: start hass", times):
                api.wait_until_up(process)
            with timed(f"{version}: onboard and log in", times):
                onboard_and_log_in(api)
            with timed(f"{version}: wait until started", times):
                api.wait_until_running()
            with timed(f"{version}: flow (installs the library), start, stop", times):
                add_and_run_a_massager(api)
            with timed(f"{version}: the massage card served", times):
                check_the_card_is_served(api)
        except ReleaseCheckError as err:
            failure = err
        finally:
            stopped = stop_home_assistant(process, version, times)
            if failure is None and stopped is not None:
                failure = stopped
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        errors = our_errors(log)
        if failure is not None or errors:
            said = f"{failure}\n" if failure is not None else ""
            raise ReleaseCheckError(
                f"Home Assistant {version}: {said}it logged:\n" + "\n".join(errors)
            )
        if "pysmartmassager" not in log:
            raise ReleaseCheckError(f"Home Assistant {version} never said it installed the library")
        check_the_card_is_a_resource(config)


def main() -> int:
    """Build, check, and run every Home Assistant version asked for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--build-only", type=Path, help="build and check into this folder only")
    parser.add_argument("--versions", help="comma-separated Home Assistant versions to try")
    args = parser.parse_args()
    times: dict[str, float] = {}
    passed = 0
    project = library_project()
    try:
        dist = args.build_only or CACHE / "release-check" / "dist"
        with timed("build sdist and wheel", times):
            wheel, sdist = build(dist)
        check_wheel(wheel, project)
        check_sdist(sdist, project)
        check_versions(project)
        say(f"built and checked {wheel.name} and {sdist.name}")
        if args.build_only is None:
            versions = (
                args.versions.split(",")
                if args.versions
                else sorted({newest_home_assistant(), oldest_claimed()})
            )
            for version in versions:
                say(f"Home Assistant {version}: install, start, onboard, add a massager, run it")
                run_home_assistant(version, dist, times)
                say(f"Home Assistant {version}: passed")
                passed += 1
    except ReleaseCheckError as err:
        print(f"release check FAILED: {err}", file=sys.stderr)
        if args.build_only is None:
            print(f"release-check: {passed} passed, 1 failed")
        return 1
    finally:
        for what, seconds in times.items():
            print(f"    {what}: {seconds:.1f} s")
    say("release check passed")
    if args.build_only is None:  # the closing line CI reads: one per Home Assistant run
        print(f"release-check: {passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
