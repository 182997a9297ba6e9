"""The emulator's command line and admin API, as the demo, the benchmark and a person use them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from emulators.reference import EmulatorServer, Status
from emulators.reference.__main__ import ADMIN_TOKEN_ENV, main, parse_args, serve

ROOT = Path(__file__).parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789"


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct ports nobody listens on right now (probed together, so never the same one)."""
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]


def test_parse_args_defaults_and_errors() -> None:
    args = parse_args([])
    assert (args.host, args.port, args.count, args.pairing, args.name) == (
        "127.0.0.1",
        8765,
        1,
        "button",
        "Back massager",
    )
    with pytest.raises(SystemExit):
        parse_args(["--count", "0"])
    assert parse_args([]).first_serial == 1
    with pytest.raises(SystemExit):
        parse_args(["--first-serial", "9999", "--count", "2"])


def test_parse_args_admin_port_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ADMIN_TOKEN_ENV, raising=False)
    args = parse_args([])
    assert (args.admin_port, args.admin_token) == (9765, None)  # None: made and printed at start
    assert parse_args(["--port", "0"]).admin_port == 0  # OS-chosen, like the device's
    assert parse_args(["--admin-port", "7000"]).admin_port == 7000
    assert parse_args(["--admin-token", ADMIN_TOKEN]).admin_token == ADMIN_TOKEN
    # From the environment, which keeps it out of the process list.
    monkeypatch.setenv(ADMIN_TOKEN_ENV, ADMIN_TOKEN)
    assert parse_args([]).admin_token == ADMIN_TOKEN
    for wrong in (
        ["--admin-token", "short"],
        ["--port", "8765", "--count", "3", "--admin-port", "8767"],  # overlaps the massagers
        ["--port", "65000", "--count", "2"],  # the default admin port would pass 65535
    ):
        with pytest.raises(SystemExit):
            parse_args(wrong)


async def json_once_up(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> Any:
    """The JSON at `url`, asked again while nothing listens there yet (for up to 10 s)."""
    for _ in range(200):
        with contextlib.suppress(aiohttp.ClientConnectionError):
            async with http.get(url, headers=headers) as response:
                return await response.json()
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.usefixtures("socket_enabled")
async def test_serve_runs_a_fleet_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    port, admin_port = free_ports(2)
    stop = asyncio.Event()
    args = ["--port", str(port), "--count", "2", "--pairing", "open", "--first-serial", "7"]
    args += ["--admin-port", str(admin_port), "--admin-token", ADMIN_TOKEN]
    task = asyncio.create_task(serve(parse_args(args), stop))
    async with aiohttp.ClientSession() as http:
        identity = await json_once_up(http, f"http://127.0.0.1:{port + 1}/api/v1/pair")
        # The second massager's admin API is on the next admin port, with the one token. It
        # may come up a moment after the massager's own port (it did, on a busy machine).
        overview = await json_once_up(
            http,
            f"http://127.0.0.1:{admin_port + 1}/emulator",
            {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    assert identity["name"] == "Back massager 2"
    assert identity["pairing_open"] is True
    assert overview["identity"]["serial"] == "SM-0008"  # counted up from --first-serial
    stop.set()
    await task
    out = capsys.readouterr().out
    assert (
        f"Back massager (SM-0007) on http://127.0.0.1:{port}, "
        f"admin API on http://127.0.0.1:{admin_port}"
    ) in out
    assert ADMIN_TOKEN not in out  # a token the caller gave is not echoed


@pytest.mark.usefixtures("socket_enabled")
def test_scripts_emulator_starts_and_stops_on_sigterm() -> None:
    """The real command a person types, in its own process; it prints the admin token."""
    port, admin_port = free_ports(2)
    env = {key: value for key, value in os.environ.items() if key != ADMIN_TOKEN_ENV}
    command = [str(ROOT / "scripts" / "emulator"), "--port", str(port), "--name", "Neck massager"]
    with subprocess.Popen(
        [*command, "--admin-port", str(admin_port)], stdout=subprocess.PIPE, text=True, env=env
    ) as process:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert f"Neck massager (SM-0001) on http://127.0.0.1:{port}" in first_line
        assert f"admin API on http://127.0.0.1:{admin_port}" in first_line
        lines = [process.stdout.readline() for _ in range(3)]
        token = next(line.split(": ", 1)[1].strip() for line in lines if "Admin token" in line)
        request = urllib.request.Request(
            f"http://127.0.0.1:{admin_port}/emulator",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # loopback
            assert json.load(response)["identity"]["name"] == "Neck massager"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_main_is_the_module_entry_point() -> None:
    # `python -m emulators.reference --help` exits 0 after printing usage: the entry point is wired.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "emulators.reference", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "--pairing" in done.stdout
    with pytest.raises(SystemExit):
        main(["--help"])


async def test_admin_routes(emulator: EmulatorServer, token: str) -> None:
    device = emulator.device
    auth = {"Authorization": f"Bearer {emulator.admin_token}"}
    async with aiohttp.ClientSession() as http:

        async def admin(path: str, body: object = None) -> tuple[int, dict[str, object]]:
            async with http.post(
                f"{emulator.admin_url}/emulator/{path}", json=body or {}, headers=auth
            ) as response:
                return response.status, await response.json(content_type=None)

        _, overview = await admin("pairing", {"open": True, "seconds": 30})
        assert device.pairing_open
        await admin("pairing", {"open": False})
        assert not device.pairing_open
        # The clock fault moves the wall clock only: the session keeps its length.
        device.start({"minutes": 10})
        _, overview = await admin("clock", {"offset_s": 600})
        assert device.wall_clock_error == timedelta(seconds=600)
        assert overview["wall_clock_error_s"] == 600
        assert device.remaining_s() == 600
        device.stop()
        await admin("faults", {"delay_s": 0.01})
        assert emulator.faults.delay_s == 0.01
        await admin("faults", {"delay_s": 0})
        status, _ = await admin("press", {"action": "explode"})
        assert status == 422
        status, _ = await admin("press", [1])  # not an object
        assert status == 400

        async with http.ws_connect(
            f"{emulator.url}/api/v1/events", headers={"Authorization": f"Bearer {token}"}
        ) as stream:
            await stream.receive_json()
            assert emulator.stream_count == 1
            await admin("drop-streams")
            message = await stream.receive()
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

        async with http.get(f"{emulator.admin_url}/emulator", headers=auth) as response:
            overview = await response.json()
        assert overview["identity"]["serial"] == device.serial
        assert overview["tokens"] == 1

        port = emulator.port
        await admin("power-cycle", {"seconds": 0.5})
        await asyncio.sleep(0.1)
        # The device is off, its admin API is not: a tool can watch it come back.
        assert not emulator.running
        async with http.get(f"{emulator.admin_url}/emulator", headers=auth) as response:
            assert (await response.json())["state"]["status"] == Status.IDLE.value
        await asyncio.sleep(0.8)
        async with http.get(f"http://127.0.0.1:{port}/api/v1/pair") as response:
            assert response.status == 200
