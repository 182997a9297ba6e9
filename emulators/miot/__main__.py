"""Command line: `python -m emulators.miot --product chair --host 127.0.0.1 --port 54321`.

Prints the model, the token and the address, then serves until Ctrl-C (SIGINT) or SIGTERM.
Without `--token` the token is random (a new pairing at every start).

python-miio always sends its hello to port 54321: to talk to the emulator with python-miio
unchanged, keep the default port and give each emulator a loopback address of its own
(Linux routes all of 127.0.0.0/8 to the loopback interface), e.g. `--host 127.0.0.2`.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys

from emulators.cli import stopped_by_signals

from .device import product_names
from .server import MIIO_PORT, MiotEmulatorServer


def _token(value: str) -> str:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != 16:  # noqa: PLR2004
        raise argparse.ArgumentTypeError("a token is 32 hex digits")
    return raw.hex()


def _device_id(value: str) -> int:
    number = int(value, 0)
    if not 0 <= number < 2**32:
        raise argparse.ArgumentTypeError("a device id is 4 bytes (0 to 0xFFFFFFFF)")
    return number


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the emulator's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m emulators.miot",
        description="Run an emulated Xiaomi MIoT massager speaking the miio local protocol.",
    )
    parser.add_argument("--product", choices=product_names(), default="chair")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=MIIO_PORT, help="UDP port (miio's is 54321)")
    parser.add_argument("--token", type=_token, help="32 hex digits (default: random)")
    parser.add_argument(
        "--device-id", type=_device_id, help="4-byte device id, e.g. 0x0A1B2C3D (default: random)"
    )
    return parser.parse_args(argv)


def build_server(args: argparse.Namespace) -> MiotEmulatorServer:
    """The server the arguments describe (not started)."""
    return MiotEmulatorServer(
        product=args.product,
        token=args.token or secrets.token_hex(16),
        device_id=args.device_id if args.device_id is not None else secrets.randbits(32),
        host=args.host,
        port=args.port,
    )


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT or SIGTERM (or until `stop` is set)."""
    stop = stop or asyncio.Event()
    server = build_server(args)
    with stopped_by_signals(stop):
        try:
            await server.start()
            print(f"Model: {server.model}", flush=True)
            print(f"Token: {server.token}", flush=True)
            print(f"Device id: {server.device_id} ({server.device_id:#010x})", flush=True)
            print(f"Listening on {server.host}:{server.port} (UDP)", flush=True)
            print("Ctrl-C stops.", flush=True)
            await stop.wait()
        finally:
            await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
