"""A real Home Assistant process with the emulator, from a temporary copy of config/.

Used by the browser test: free ports, the development configuration, the massager paired and its
config entry seeded exactly as scripts/develop does, onboarding done through Home Assistant's
onboarding API. Everything is torn down in `stop()`, also after a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
USERNAME = "massage"
PASSWORD = "relax-and-breathe"  # a throwaway user of a throwaway instance


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(
    url: str,
    *,
    data: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    timeout: float = 10,
) -> Any:
    """A small JSON HTTP call (urllib: no event loop involved)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310  # http to loopback
    with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
        text = response.read().decode()
    return json.loads(text) if text else None


@dataclass
class LiveHomeAssistant:
    """Home Assistant + one emulated massager, on free loopback ports."""

    workdir: Path
    ha_port: int = field(default_factory=free_port)
    emulator_port: int = field(default_factory=free_port)
    emulator_admin_port: int = field(default_factory=free_port)
    # The emulator's admin API needs a token; this one is handed over in the environment.
    emulator_admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # YAML appended to the copied configuration.yaml (a test's own helpers, such as a plug).
    extra_configuration: str = ""
    # Other integrations' stand-ins (folders) linked into custom_components beside ours.
    extra_components: tuple[Path, ...] = ()
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    token: str = ""

    @property
    def url(self) -> str:
        """Home Assistant's base URL."""
        return f"http://127.0.0.1:{self.ha_port}"

    @property
    def emulator_url(self) -> str:
        """The emulator's base URL."""
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def emulator_admin_url(self) -> str:
        """The emulator's admin API (its own port, on 127.0.0.1 only)."""
        return f"http://127.0.0.1:{self.emulator_admin_port}"

    def emulator_state(self) -> dict[str, Any]:
        """The massager's own state, read from the emulator (not from Home Assistant)."""
        overview: dict[str, Any] = request(
            f"{self.emulator_admin_url}/emulator", token=self.emulator_admin_token
        )
        return dict(overview["state"])

    def start(self) -> None:
        """Emulator, config copy, pairing, Home Assistant, onboarding."""
        config = self.workdir / "config"
        shutil.copytree(
            ROOT / "config",
            config,
            ignore=shutil.ignore_patterns(".storage", "*.log*", "custom_components"),
        )
        if self.extra_configuration:
            with (config / "configuration.yaml").open("a") as configuration:
                configuration.write(f"\n{self.extra_configuration}")
        (config / "custom_components").mkdir()
        (config / "custom_components" / "smart_massager").symlink_to(
            ROOT / "custom_components" / "smart_massager"
        )
        for component in self.extra_components:
            (config / "custom_components" / component.name).symlink_to(component)
        self._write_http_storage(config)
        log = (self.workdir / "processes.log").open("ab")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SMART_MASSAGER_ADMIN_TOKEN": self.emulator_admin_token,
        }
        self._spawn(
            [
                sys.executable,
                "-m",
                "emulators.reference",
                "--port",
                str(self.emulator_port),
                "--admin-port",
                str(self.emulator_admin_port),
                "--pairing",
                "open",
            ],
            env,
            log,
        )
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "seed_config_entries.py"),
                "--config",
                str(config),
                "--port",
                str(self.emulator_port),
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            timeout=60,
        )
        self._spawn(
            [sys.executable, "-m", "homeassistant", "--config", str(config), "--skip-pip"],
            os.environ.copy(),
            log,
        )
        self._wait_for_http(f"{self.url}/api/onboarding", timeout=240)
        self._onboard()
        self._wait_for_entity("fan.back_massager", timeout=60)

    def _write_http_storage(self, config: Path) -> None:
        """Port and address as a confirmed (stable) HTTP config.

        Home Assistant 2026 keeps HTTP settings in .storage/http; YAML would be migrated as an
        unconfirmed trial that the UI asks to confirm (a dialog over the dashboard).
        """
        from homeassistant.components.http.config import (  # noqa: PLC0415
            HTTP_STORAGE_SCHEMA,
            STORAGE_KEY,
            STORAGE_MINOR_VERSION,
            STORAGE_VERSION,
        )

        stable = HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": self.ha_port})
        stable |= {"created_at": "2026-01-01T00:00:00+00:00", "error": None, "error_message": None}
        storage = config / ".storage"
        storage.mkdir(exist_ok=True)
        (storage / STORAGE_KEY).write_text(
            json.dumps(
                {
                    "version": STORAGE_VERSION,
                    "minor_version": STORAGE_MINOR_VERSION,
                    "key": STORAGE_KEY,
                    "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
                }
            )
        )

    def _spawn(self, command: list[str], env: dict[str, str], log: Any) -> None:
        # Not from the repository: `python -m` puts its working directory first on sys.path,
        # and the repository's custom_components would then hide the configuration's own
        # (where a test's stand-in integrations are).
        self.processes.append(
            subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir
            )
        )

    def _wait_for_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"a process exited; see {self.workdir / 'processes.log'}")
            try:
                request(url, timeout=2)
            except urllib.error.URLError, ConnectionError, TimeoutError:
                time.sleep(0.5)
                continue
            return
        raise TimeoutError(f"{url} did not answer within {timeout} s")

    def _onboard(self) -> None:
        """Create the owner user and finish every onboarding step, as the wizard does."""
        client_id = f"{self.url}/"
        created = request(
            f"{self.url}/api/onboarding/users",
            data={
                "client_id": client_id,
                "name": "Massage Tester",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        )
        tokens = request(
            f"{self.url}/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": client_id,
            },
        )
        self.token = tokens["access_token"]
        request(f"{self.url}/api/onboarding/core_config", data={}, token=self.token)
        request(f"{self.url}/api/onboarding/analytics", data={}, token=self.token)
        request(
            f"{self.url}/api/onboarding/integration",
            data={"client_id": client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
            token=self.token,
        )

    def _wait_for_entity(self, entity_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = request(f"{self.url}/api/states/{entity_id}", token=self.token)
            except urllib.error.HTTPError:
                state = None
            if state and state["state"] not in ("unavailable", "unknown"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{entity_id} did not appear")

    def stop(self) -> None:
        """Stop Home Assistant and the emulator (SIGTERM, then SIGKILL)."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes.clear()
