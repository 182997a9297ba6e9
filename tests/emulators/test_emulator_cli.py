"""The emulator's command line and admin API, as the demo, the benchmark and a person use them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from emulators.reference import EmulatorServer
from emulators.reference.__main__ import main, parse_args, serve

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


@pytest.mark.usefixtures("socket_enabled")
async def test_serve_runs_a_fleet_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(parse_args(["--port", str(port), "--count", "2", "--pairing", "open"]), stop)
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with http.get(f"http://127.0.0.1:{port + 1}/api/v1/pair") as response:
                    identity = await response.json()
                    break
            await asyncio.sleep(0.05)
    assert identity["name"] == "Back massager 2"
    assert identity["pairing_open"] is True
    stop.set()
    await task
    assert f"Back massager (SM-0001) on http://127.0.0.1:{port}" in capsys.readouterr().out


@pytest.mark.usefixtures("socket_enabled")
def test_scripts_emulator_starts_and_stops_on_sigterm() -> None:
    """The real command a person types, in its own process."""
    port = free_port()
    with subprocess.Popen(
        [str(ROOT / "scripts" / "emulator"), "--port", str(port), "--name", "Neck massager"],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert f"Neck massager (SM-0001) on http://127.0.0.1:{port}" in first_line
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
    async with aiohttp.ClientSession() as http:

        async def admin(path: str, body: object = None) -> tuple[int, dict[str, object]]:
            async with http.post(f"{emulator.url}/emulator/{path}", json=body or {}) as response:
                return response.status, await response.json(content_type=None)

        _, overview = await admin("pairing", {"open": True, "seconds": 30})
        assert device.pairing_open
        await admin("pairing", {"open": False})
        assert not device.pairing_open
        await admin("clock", {"offset_s": 600})
        assert device.clock_offset.total_seconds() == 600
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

        async with http.get(f"{emulator.url}/emulator") as response:
            overview = await response.json()
        assert overview["identity"]["serial"] == device.serial
        assert overview["tokens"] == 1

        port = emulator.port
        await admin("power-cycle", {"seconds": 0.2})
        await asyncio.sleep(0.5)
        async with http.get(f"http://127.0.0.1:{port}/api/v1/pair") as response:
            assert response.status == 200
