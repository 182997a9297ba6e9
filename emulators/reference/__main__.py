"""Command line: `scripts/emulator --port 8765 [--count N] [--pairing open] [--name NAME]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .fleet import Fleet


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the emulator's command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/emulator",
        description="Run reference Smart Massager devices that speak docs/protocol.md.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8765, help="first port (default 8765)")
    parser.add_argument(
        "--count", type=int, default=1, help="number of massagers on consecutive ports"
    )
    parser.add_argument(
        "--pairing",
        choices=("button", "open"),
        default="button",
        help="'open': pairing accepted at any time (demos, tests); "
        "'button': only after POST /emulator/pairing",
    )
    parser.add_argument(
        "--name", default="Back massager", help="device name (numbered when --count > 1)"
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    return args


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run the fleet until SIGINT or SIGTERM (or until `stop` is set)."""
    # Handlers first: a SIGTERM that arrives while the devices start still stops them cleanly.
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    fleet = Fleet(
        count=args.count,
        host=args.host,
        port=args.port,
        name=args.name,
        pairing_open=args.pairing == "open",
    )
    try:
        for server in await fleet.start():
            device = server.device
            print(f"{device.name} ({device.serial}) on {server.url}", flush=True)
        print("Admin API: GET /emulator on each port; Ctrl-C stops.", flush=True)
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await fleet.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
