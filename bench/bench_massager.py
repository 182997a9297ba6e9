"""Benchmark: latencies, idle cost and scale on the real Home Assistant core (its test harness).

Run with scripts/bench (not part of the test suite). Prints a table and writes bench/results.json.
Emulators run in this process for latencies (exact timestamps on one loop) and in a separate
process for idle cost and scale (so CPU time is Home Assistant's alone). The harness runs its loop
in debug mode; that is switched off here, as in a real Home Assistant.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant import const as ha_const
from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.smart_massager  # noqa: F401  # import the repo's package first
from custom_components.smart_massager.const import CONF_TOKEN, DOMAIN
from custom_components.smart_massager.coordinator import MassagerCoordinator
from emulators.reference import EmulatorServer, VirtualMassager
from pysmartmassager import (
    SessionSettings,
    SessionState,
    SmartMassagerClient,
)

ROOT = Path(__file__).parents[1]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
IDLE_S = float(os.environ.get("BENCH_IDLE_S", "30"))
# Longer than a minute on purpose: the minutes-left sensor writes once a minute, aligned to the
# session's end, so a 60 s window can end just before its first write.
WRITES_WINDOW_S = float(os.environ.get("BENCH_WRITES_S", "120"))
POLL_S = 30.0
FLEET = 50
RESULTS: dict[str, Any] = {}


def stats(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 (ms, nearest rank) and n."""
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return round(
            ordered[min(len(ordered) - 1, max(0, int(p / 100 * len(ordered) + 0.5) - 1))], 2
        )

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "n": len(ordered)}


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def until(condition: Callable[[], bool], within_s: float = 60) -> None:
    """Yield to the loop until `condition()` holds."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition not met")
        await asyncio.sleep(0.001)


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration."""


@pytest.fixture(autouse=True)
def _real_loop(hass: HomeAssistant) -> None:
    """No asyncio debug mode (the harness turns it on; it slows every callback)."""
    hass.loop.set_debug(False)


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncGenerator[EmulatorServer]:
    """One in-process emulated massager."""
    server = EmulatorServer(VirtualMassager(serial="SM-BENCH", name="Back massager"))
    await server.start()
    yield server
    await server.stop()


def entry_for(host: str, port: int, serial: str, token: str, title: str) -> MockConfigEntry:
    """A config entry as the config flow creates it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=serial,
        data={CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token},
    )


async def time_each(count: int, action: Callable[[int], Awaitable[None]]) -> list[float]:
    """`action(i)` `count` times; the milliseconds each took."""
    samples = []
    for index in range(count):
        started = time.perf_counter()
        await action(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def test_benchmark(hass: HomeAssistant, emulator: EmulatorServer, tmp_path: Path) -> None:
    """All figures of the issue in one run."""
    hass.config.config_dir = str(tmp_path)
    begun = time.monotonic()
    await limits(emulator)
    await home_assistant_paths(hass, emulator)
    await fleet_idle_and_scale(hass)
    await polling_mode(hass)
    RESULTS["machine"] = {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "home_assistant": ha_const.__version__,
    }
    RESULTS["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS["duration_s"] = round(time.monotonic() - begun, 1)
    report()


async def limits(emulator: EmulatorServer) -> None:
    """(a) The library alone: command round trip; device change to push callback."""
    device = emulator.device
    device.open_pairing()
    async with SmartMassagerClient(
        emulator.host, port=emulator.port, token=device.pair()
    ) as client:

        async def round_trip(index: int) -> None:
            await client.change_settings(SessionSettings(intensity=1 + index % 10))

        RESULTS["limit_rtt_ms"] = stats(await time_each(SAMPLES, round_trip))
        arrived: asyncio.Queue[SessionState] = asyncio.Queue()
        stream = client.subscribe(arrived.put_nowait)
        task = asyncio.create_task(stream.run())
        await arrived.get()
        samples = []
        for index in range(SAMPLES):
            started = time.perf_counter()
            # Always a real change (a press that changes nothing pushes nothing).
            zone = ("lower_back", "shoulders")[index % 2]
            device.press({"zone": zone})
            state = await arrived.get()
            assert state.zone == zone  # this press's own push, not an earlier one
            samples.append((time.perf_counter() - started) * 1000)
        RESULTS["limit_push_ms"] = stats(samples)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def home_assistant_paths(hass: HomeAssistant, emulator: EmulatorServer) -> None:
    """(b) action -> device-confirmed entity state; (c) device change -> entity state."""
    device = emulator.device
    entry = entry_for(emulator.host, emulator.port, device.serial, device.pair(), "Back massager")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await until(lambda: emulator.stream_count == 1)

    programs = ["shiatsu", "kneading", "palm_circles"]
    zones = ["shoulders", "lower_back", "full_back"]

    async def command(index: int) -> None:
        kind = index % 3
        if kind == 0:
            value = programs[index % 3 if index % 6 < 3 else (index + 1) % 3]
            await hass.services.async_call(
                "fan",
                "set_preset_mode",
                {"entity_id": "fan.back_massager", "preset_mode": value},
                blocking=True,
            )
            await until(
                lambda: hass.states.get("fan.back_massager").attributes["preset_mode"] == value
            )
        elif kind == 1:
            level = 1 + index % 10
            await hass.services.async_call(
                "number",
                "set_value",
                {"entity_id": "number.back_massager_intensity", "value": level},
                blocking=True,
            )
            await until(
                lambda: hass.states.get("number.back_massager_intensity").state == str(level)
            )
        else:
            zone = zones[index % 3]
            await hass.services.async_call(
                "select",
                "select_option",
                {"entity_id": "select.back_massager_zone", "option": zone},
                blocking=True,
            )
            await until(lambda: hass.states.get("select.back_massager_zone").state == zone)

    RESULTS["command_ms"] = stats(await time_each(SAMPLES, command))

    samples = []
    for index in range(SAMPLES):
        level = 1 + index % 10 if index % 10 != device.intensity - 1 else 1 + (index + 5) % 10
        seen = asyncio.Event()

        @callback
        def on_change(event: Event[Any], level: int = level, seen: asyncio.Event = seen) -> None:
            new = event.data.get("new_state")
            if (
                event.data["entity_id"] == "number.back_massager_intensity"
                and new
                and new.state == str(level)
            ):
                seen.set()

        remove = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
        started = time.perf_counter()
        device.press({"intensity": level})
        await asyncio.wait_for(seen.wait(), 10)
        samples.append((time.perf_counter() - started) * 1000)
        remove()
    RESULTS["device_change_ms"] = stats(samples)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def pair_fleet(port: int, count: int) -> list[tuple[int, str, str]]:
    """Tokens from a fleet in open pairing: (port, serial, token)."""
    paired = []
    for index in range(count):
        async with SmartMassagerClient("127.0.0.1", port=port + index) as client:
            for _ in range(100):
                try:
                    identity = await client.identify()
                    break
                except Exception:  # noqa: BLE001  # still starting
                    await asyncio.sleep(0.1)
            paired.append((port + index, identity.serial, await client.pair()))
    return paired


async def fleet_requests(port: int, count: int) -> int:
    """Protocol requests the fleet has answered so far (its admin counters)."""
    total = 0
    async with SmartMassagerClient("127.0.0.1", port=port) as client:
        session = client.session
        for index in range(count):
            async with session.get(f"http://127.0.0.1:{port + index}/emulator") as response:
                total += (await response.json())["requests"]
    return total


async def idle_cost(hass: HomeAssistant, port: int, count: int) -> dict[str, float]:
    """HTTP requests and CPU time per minute while everything is idle."""
    await asyncio.sleep(2)  # let set-up traffic settle
    requests_before = await fleet_requests(port, count)
    cpu_before = time.process_time()
    await asyncio.sleep(IDLE_S)
    cpu = time.process_time() - cpu_before
    # Reading the counters costs requests of the admin API only (not counted by the fleet).
    requests = await fleet_requests(port, count) - requests_before
    return {
        "http_requests_per_min": round(requests * 60 / IDLE_S, 2),
        "cpu_ms_per_min": round(cpu * 1000 * 60 / IDLE_S, 1),
    }


async def fleet_idle_and_scale(hass: HomeAssistant) -> None:
    """(d) idle cost with 1 and 50 massagers; (e) 50 massagers: set-up, memory, state writes."""
    port = _free_port_block(FLEET)
    fleet = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        str(port),
        "--count",
        str(FLEET),
        "--pairing",
        "open",
        env={**os.environ, "PYTHONPATH": str(ROOT / "custom_components" / "smart_massager")},
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        paired = await pair_fleet(port, FLEET)
        entries = [
            entry_for("127.0.0.1", p, serial, token, f"Massager {n}")
            for n, (p, serial, token) in enumerate(paired)
        ]
        first = entries[0]
        first.add_to_hass(hass)
        assert await hass.config_entries.async_setup(first.entry_id)
        await hass.async_block_till_done()
        RESULTS["idle"] = {"1": await idle_cost(hass, port, 1)}
        await hass.config_entries.async_unload(first.entry_id)
        await hass.async_block_till_done()

        rss_before = rss_mb()
        started = time.perf_counter()
        for entry in entries[1:]:
            entry.add_to_hass(hass)
        await asyncio.gather(*(hass.config_entries.async_setup(e.entry_id) for e in entries))
        await hass.async_block_till_done()
        setup_s = time.perf_counter() - started
        RESULTS["idle"]["50"] = await idle_cost(hass, port, FLEET)
        rss_added = rss_mb() - rss_before

        registry = er.async_get(hass)
        ours = {
            reg.entity_id
            for entry in entries
            for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
        }
        fans = sorted(entity_id for entity_id in ours if entity_id.startswith("fan."))
        writes: dict[str, int] = {}

        @callback
        def count_write(event: Event[Any]) -> None:
            if event.data["entity_id"] in ours:
                writes[event.data["entity_id"]] = writes.get(event.data["entity_id"], 0) + 1

        await hass.services.async_call("fan", "turn_on", {"entity_id": fans}, blocking=True)
        await hass.async_block_till_done()
        remove = hass.bus.async_listen(EVENT_STATE_CHANGED, count_write)
        await asyncio.sleep(WRITES_WINDOW_S)
        remove()
        running = sum(hass.states.get(fan).state == "on" for fan in fans)
        RESULTS["scale_50"] = {
            "setup_s": round(setup_s, 2),
            "rss_added_mb": round(rss_added, 1),
            "max_writes_per_entity_per_min": round(
                max(writes.values(), default=0) * 60 / WRITES_WINDOW_S, 2
            ),
            "entities_written": len(writes),
            "sessions_running": running,
        }
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        fleet.terminate()
        await asyncio.wait_for(fleet.wait(), 30)


def _free_port_block(count: int) -> int:
    """A first port with `count` free ports after it."""
    import socket  # noqa: PLC0415

    for base in range(20000, 60000, 97):
        try:
            sockets = []
            for offset in range(count):
                probe = socket.socket()
                sockets.append(probe)
                probe.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
        return base
    raise RuntimeError("no free port block")


async def polling_mode(hass: HomeAssistant) -> None:
    """(f) (b) and (c) with the coordinator forced to poll every 30 s, as existing integrations do.

    Polling integrations learn a device's state at the next poll, also after their own command,
    so here the push stream is not started and command answers are not applied. 100 massagers are
    sampled in parallel (half commands, half device changes) at random moments of the 30 s cycle.
    """
    servers = [
        EmulatorServer(VirtualMassager(serial=f"SM-POLL-{n}", name=f"Poll {n}")) for n in range(100)
    ]
    for server in servers:
        await server.start()
        server.device.open_pairing()
    entries = [
        entry_for(s.host, s.port, s.device.serial, s.device.pair(), s.device.name) for s in servers
    ]
    with (
        patch.object(MassagerCoordinator, "start_push", lambda self: None),
        patch.object(MassagerCoordinator, "async_set_state", lambda self, state: None),
    ):
        for entry in entries:
            entry.add_to_hass(hass)
        await asyncio.gather(*(hass.config_entries.async_setup(e.entry_id) for e in entries))
        await hass.async_block_till_done()
        for entry in entries:
            coordinator = entry.runtime_data.coordinator
            coordinator.update_interval = timedelta(seconds=POLL_S)
            await coordinator.async_refresh()  # schedules the next poll 30 s on

        rng = random.Random(7)  # noqa: S311  # sampling moments, not cryptography
        command_samples: list[float] = []
        change_samples: list[float] = []
        cycles = max(1, -(-SAMPLES // 50))

        async def one(n: int, offset: float) -> None:
            await asyncio.sleep(offset)
            server, name = servers[n], f"poll_{n}"
            level = 1 + (server.device.intensity % 10)
            entity = f"number.{name}_intensity"
            started = time.perf_counter()
            if n < 50:
                await hass.services.async_call(
                    "number", "set_value", {"entity_id": entity, "value": level}, blocking=True
                )
            else:
                server.device.press({"intensity": level})
            await until(lambda: hass.states.get(entity).state == str(level), within_s=POLL_S + 10)
            (command_samples if n < 50 else change_samples).append(
                (time.perf_counter() - started) * 1000
            )

        for _ in range(cycles):
            await asyncio.gather(*(one(n, rng.uniform(0, POLL_S)) for n in range(100)))
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    for server in servers:
        await server.stop()
    RESULTS["polling_command_ms"] = stats(command_samples)
    RESULTS["polling_device_change_ms"] = stats(change_samples)


def report() -> None:
    """Print the table, check the targets, write bench/results.json."""
    rows = [
        ("(a) library command round trip", RESULTS["limit_rtt_ms"]),
        ("(a) device change -> library callback", RESULTS["limit_push_ms"]),
        ("(b) HA action -> confirmed entity state", RESULTS["command_ms"]),
        ("(c) device change -> HA entity state", RESULTS["device_change_ms"]),
        ("(f) polling 30 s: HA action -> state", RESULTS["polling_command_ms"]),
        ("(f) polling 30 s: device change -> state", RESULTS["polling_device_change_ms"]),
    ]
    print()
    print(f"{'latency (ms)':44} {'p50':>10} {'p95':>10} {'p99':>10} {'n':>5}")
    for name, row in rows:
        print(f"{name:44} {row['p50']:>10} {row['p95']:>10} {row['p99']:>10} {row['n']:>5}")
    idle, scale = RESULTS["idle"], RESULTS["scale_50"]
    for count in ("1", "50"):
        print(
            f"(d) idle, {count:>2} massager(s):"
            f" {idle[count]['http_requests_per_min']} HTTP requests/min,"
            f" {idle[count]['cpu_ms_per_min']} ms CPU/min"
        )
    print(
        f"(e) 50 massagers: set-up {scale['setup_s']} s, +{scale['rss_added_mb']} MB RSS,"
        f" at most {scale['max_writes_per_entity_per_min']} writes/entity/min while all run"
    )
    ratio_command = RESULTS["polling_command_ms"]["p50"] / RESULTS["command_ms"]["p50"]
    ratio_change = RESULTS["polling_device_change_ms"]["p50"] / RESULTS["device_change_ms"]["p50"]
    RESULTS["ratios_p50"] = {
        "command": round(ratio_command, 1),
        "device_change": round(ratio_change, 1),
    }
    print(
        f"polling / push at p50: commands x{ratio_command:.0f}, device changes x{ratio_change:.0f}"
    )
    targets = {
        "(b) p95 <= 3 x (a) p95 + 5 ms": RESULTS["command_ms"]["p95"]
        <= 3 * RESULTS["limit_rtt_ms"]["p95"] + 5,
        "(c) p99 <= 50 ms": RESULTS["device_change_ms"]["p99"] <= 50,
        "(d) zero HTTP requests while idle": idle["1"]["http_requests_per_min"] == 0
        and idle["50"]["http_requests_per_min"] == 0,
        "(e) 50 entries set up in <= 5 s": scale["setup_s"] <= 5,
        "(e) <= 2 writes per entity per minute": scale["max_writes_per_entity_per_min"] <= 2,
    }
    RESULTS["targets"] = targets
    for name, met in targets.items():
        print(f"{'met ' if met else 'MISSED'} {name}")
    (ROOT / "bench").mkdir(exist_ok=True)
    (ROOT / "bench" / "results.json").write_text(json.dumps(RESULTS, indent=2) + "\n")
    print(f"written: bench/results.json ({RESULTS['duration_s']} s)")
