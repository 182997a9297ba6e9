"""Command line: `scripts/emulator --port 8765 [--count N] [--first-serial N] [--name NAME]`.

Each massager's admin API listens on 127.0.0.1 at `--admin-port` (default: its port + 1000) and
needs the admin token: `--admin-token`, else $SMART_MASSAGER_ADMIN_TOKEN (which keeps it out of
the process list), else a random one that is printed at start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys

from emulators.cli import stopped_by_signals

from .fleet import Fleet

ADMIN_PORT_SHIFT = 1000
ADMIN_TOKEN_ENV = "SMART_MASSAGER_ADMIN_TOKEN"  # noqa: S105  # a variable name, not a secret
MIN_ADMIN_TOKEN_CHARS = 16
MAX_PORT = 65535


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
        "'button': only after the admin call POST /emulator/pairing",
    )
    parser.add_argument(
        "--name", default="Back massager", help="device name (numbered when --count > 1)"
    )
    parser.add_argument(
        "--first-serial",
        type=int,
        default=1,
        help="number in the first massager's serial, SM-0001 by default: a second emulator "
        "started beside the first needs another, or Home Assistant finds it already set up",
    )
    parser.add_argument(
        "--admin-port",
        type=int,
        default=None,
        help=f"first admin API port, on 127.0.0.1 only (default: --port + {ADMIN_PORT_SHIFT}; "
        "OS-chosen when --port is 0)",
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV),
        help=f"the admin API's bearer token (default: ${ADMIN_TOKEN_ENV}, else a random one, "
        "printed at start)",
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if not 1 <= args.first_serial <= 9999 - args.count + 1:
        parser.error(f"--first-serial leaves no room for {args.count} serial(s) up to SM-9999")
    if args.admin_port is None:
        args.admin_port = args.port + ADMIN_PORT_SHIFT if args.port else 0
    for option, first in (("--port", args.port), ("--admin-port", args.admin_port)):
        if first and not 0 < first <= MAX_PORT - args.count + 1:
            parser.error(f"{option} {first} leaves no room for {args.count} port(s)")
    if args.port and args.admin_port and abs(args.admin_port - args.port) < args.count:
        parser.error("--admin-port must not overlap the massagers' own ports")
    if args.admin_token is not None and len(args.admin_token) < MIN_ADMIN_TOKEN_CHARS:
        parser.error(f"--admin-token must have at least {MIN_ADMIN_TOKEN_CHARS} characters")
    return args


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run the fleet until SIGINT or SIGTERM (or until `stop` is set)."""
    # Handlers first: a SIGTERM that arrives while the devices start still stops them cleanly.
    stop = stop or asyncio.Event()
    with stopped_by_signals(stop):
        await _run_fleet(args, stop)


async def _run_fleet(args: argparse.Namespace, stop: asyncio.Event) -> None:
    token = args.admin_token or secrets.token_urlsafe(32)
    fleet = Fleet(
        count=args.count,
        host=args.host,
        port=args.port,
        name=args.name,
        first_serial=args.first_serial,
        pairing_open=args.pairing == "open",
        admin_port=args.admin_port,
        admin_token=token,
    )
    try:
        for server in await fleet.start():
            device = server.device
            print(
                f"{device.name} ({device.serial}) on {server.url}, admin API on {server.admin_url}",
                flush=True,
            )
        print(
            "Admin API: GET /emulator, POST /emulator/<call> with "
            "'Authorization: Bearer <admin token>' and 'Content-Type: application/json'",
            flush=True,
        )
        if args.admin_token is None:
            print(f"Admin token: {token}", flush=True)
        print("Ctrl-C stops.", flush=True)
        await stop.wait()
    finally:
        await fleet.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
