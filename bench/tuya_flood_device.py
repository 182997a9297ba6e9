"""A Tuya massager for the benchmark's Tuya flood scenario: it pushes STATUS frames as told.

The Tuya emulator (emulators/tuya, a massage chair) on 127.0.0.1, plus one control channel for
the benchmark on stdin: a line `flood RATE SECONDS` makes the device push RATE STATUS frames per
second for SECONDS to every connected client (each a visible change: massage_speed alternates
level_1 and level_3, as if someone held its button), paced in batches every BATCH_S (a batch
sends what the schedule says is due, so a stall is caught up, never exceeded), waiting for the
socket's back-pressure after each batch. When done it prints one JSON line: {"sent", "seconds",
"rate", "clients"}; a line `burst COUNT` pushes COUNT frames back to back, with no pacing at
all, and answers the same way. `rate` is what the connection accepted: a receiver that reads
slower holds it back, though the loopback buffers (megabytes) can still hold frames it has not
read yet.

Run as its own process: `python -m bench.tuya_flood_device --version 3.5 --device-id ID
--local-key KEY`; it prints `port N` once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time

from emulators.tuya import Product, TuyaEmulatorServer, TuyaMassager

BATCH_S = 0.01
LEVELS = ("level_1", "level_3")


async def flood(server: TuyaEmulatorServer, rate: float, seconds: float) -> dict[str, float]:
    """Push `rate` STATUS frames per second for `seconds` to every connected client."""
    sent = 0
    started = time.perf_counter()
    deadline = started + seconds
    while (now := time.perf_counter()) < deadline:
        due = int(rate * (now - started)) - sent
        for _ in range(due):
            await server.press("massage_speed", LEVELS[sent % 2])
            sent += 1
        await server.drain()  # waits while the receiver is behind
        await asyncio.sleep(BATCH_S)
    elapsed = time.perf_counter() - started
    return {
        "sent": sent,
        "seconds": round(elapsed, 3),
        "rate": round(sent / elapsed, 1),
        "clients": server.connection_count,
    }


async def burst(server: TuyaEmulatorServer, count: int) -> dict[str, float]:
    """Push `count` STATUS frames back to back (no pacing), then wait for the socket."""
    started = time.perf_counter()
    for sent in range(count):
        await server.press("massage_speed", LEVELS[sent % 2])
    await server.drain()
    elapsed = time.perf_counter() - started
    return {
        "sent": count,
        "seconds": round(elapsed, 3),
        "rate": round(count / elapsed, 1),
        "clients": server.connection_count,
    }


async def serve(args: argparse.Namespace) -> None:
    """Listen until stdin closes; run each `flood RATE SECONDS` line read from it."""
    server = TuyaEmulatorServer(
        TuyaMassager(Product.load("massage_chair")),
        device_id=args.device_id,
        local_key=args.local_key,
        version=args.version,
    )
    await server.start()
    print(f"port {server.port}", flush=True)  # the benchmark reads it
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    try:
        while line := (await commands.readline()).decode().split():
            if line[0] == "flood":
                answer = await flood(server, float(line[1]), float(line[2]))
            else:
                answer = await burst(server, int(line[1]))
            print(json.dumps(answer), flush=True)
    finally:
        await server.stop()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", choices=("3.3", "3.4", "3.5"), default="3.5")
    parser.add_argument("--device-id", required=True)
    parser.add_argument("--local-key", required=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
