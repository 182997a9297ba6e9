"""Command line: `python -m emulators.tuya --version 3.5 --product massage_chair --port 6668`.

Prints the device id, the local key and a tinytuya devices.json entry to paste. Without
`--device-id`/`--local-key` both are random (a new identity at every start).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import string
import sys

from emulators.cli import stopped_by_signals

from .device import PRODUCTS_DIR, Product, TuyaMassager
from .server import DISCOVERY_PORT, TuyaEmulatorServer
from .wire import VERSIONS

ID_LENGTHS = (20, 22)
KEY_LENGTH = 16
# Real local keys mix letters, digits and punctuation; quotes and backslashes are left out so
# that the key pastes into JSON and shells unchanged.
KEY_ALPHABET = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_{|}~"
BROADCAST = "255.255.255.255"


def random_device_id() -> str:
    """A 22-character id shaped like newer Tuya ids (two letters, then lower-case alphanumerics)."""
    alphabet = string.ascii_lowercase + string.digits
    return "eb" + "".join(secrets.choice(alphabet) for _ in range(ID_LENGTHS[1] - 2))


def random_local_key() -> str:
    """A 16-character ASCII local key."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def _announce_target(value: str) -> tuple[str, int]:
    host, _, port = value.partition(":")
    return (host or BROADCAST, int(port) if port else DISCOVERY_PORT)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the emulator's command line."""
    products = sorted(path.stem for path in PRODUCTS_DIR.glob("*.json"))
    parser = argparse.ArgumentParser(
        prog="python -m emulators.tuya",
        description="Run an emulated Tuya Wi-Fi massager speaking Tuya's local protocol.",
    )
    parser.add_argument("--version", choices=VERSIONS, default="3.3", help="protocol version")
    parser.add_argument("--product", default="massage_chair", help=f"one of {products}")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=6668, help="TCP port (Tuya's is 6668)")
    parser.add_argument("--device-id", help="20 to 22 characters (default: random)")
    parser.add_argument("--local-key", help="16 ASCII characters (default: random)")
    parser.add_argument(
        "--announce",
        nargs="?",
        const=f"{BROADCAST}:{DISCOVERY_PORT}",
        type=_announce_target,
        help=f"send UDP discovery announcements to ADDR[:PORT] (default {BROADCAST}:"
        f"{DISCOVERY_PORT} when given without a value; off without the option)",
    )
    parser.add_argument("--ip", help="the address announced and printed (default: --host)")
    args = parser.parse_args(argv)
    if args.product not in products:
        parser.error(f"--product must be one of {products}")
    if args.device_id is not None and not ID_LENGTHS[0] <= len(args.device_id) <= ID_LENGTHS[1]:
        parser.error("--device-id must have 20 to 22 characters")
    if args.local_key is not None and (
        len(args.local_key) != KEY_LENGTH or not args.local_key.isascii()
    ):
        parser.error("--local-key must be 16 ASCII characters")
    return args


def build_server(args: argparse.Namespace) -> TuyaEmulatorServer:
    """The server the arguments describe (not started)."""
    return TuyaEmulatorServer(
        TuyaMassager(Product.load(args.product)),
        device_id=args.device_id or random_device_id(),
        local_key=args.local_key or random_local_key(),
        version=args.version,
        host=args.host,
        port=args.port,
        discovery=args.announce,
        advertised_ip=args.ip,
    )


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT or SIGTERM (or until `stop` is set)."""
    stop = stop or asyncio.Event()
    server = build_server(args)
    with stopped_by_signals(stop):
        try:
            await server.start()
            print(
                f"Tuya {server.version} {server.device.product.name}"
                f" on {server.host}:{server.port}",
                flush=True,
            )
            print(f"Device id: {server.device_id}", flush=True)
            print(f"Local key: {server.local_key}", flush=True)
            print("devices.json entry:", flush=True)
            print(json.dumps(server.device_entry(), indent=2), flush=True)
            print("Ctrl-C stops.", flush=True)
            await stop.wait()
        finally:
            await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
