"""A misbehaving massager for the benchmark's flood scenario: it pushes states as fast as told.

Serves just enough of docs/protocol.md for Home Assistant to set up an entry: GET /api/v1/pair,
GET /api/v1/info, GET /api/v1/state and the /api/v1/events WebSocket (any bearer token is
accepted; pairing is not needed). Plus one control call for the benchmark, outside the protocol:

    POST /flood {"rate": 10000, "seconds": 10}

pushes states to every open event stream at `rate` per second for `seconds`, paced in batches
every BATCH_S (a batch sends what the schedule says is due, so a stall is caught up, never
exceeded), and answers when done: {"sent", "seconds", "rate", "streams", "reconnects"}. Every
pushed state is a visible change (intensity alternates 3 and 4) with the next `seq`. Sending
awaits the socket's back-pressure, so `rate` in the answer is what the connection accepted: a
receiver that reads slower holds it back, though the loopback buffers (megabytes) can still hold
seconds of states it has not read yet.

Run as its own process, on loopback only: `python -m bench.flood_device [--port 0]`; it prints
`port N` once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime

from aiohttp import WSMsgType, web

HOST = "127.0.0.1"
BATCH_S = 0.01
# The deadline is checked between batches and every this many messages within one.
CHECK_EVERY = 100
SERIAL = "SM-FLOOD"
NAME = "Flood massager"

INFO = {
    "protocol": 1,
    "serial": SERIAL,
    "name": NAME,
    "model": "SM-Back One",
    "manufacturer": "Smart Massager",
    "firmware": "0.0.1-flood",
    "capabilities": {
        "programs": [
            {"id": "warm_up_glide", "name": "Warm-up glide"},
            {"id": "palm_circles", "name": "Palm circles"},
        ],
        "zones": [
            {"id": "shoulders", "name": "Shoulders"},
            {"id": "lower_back", "name": "Lower back"},
        ],
        "intensity": {"min": 1, "max": 10, "step": 1},
        "session_minutes": {"min": 1, "max": 30, "default": 15},
        "heat": True,
        "pause": True,
        "pause_timeout_minutes": 10,
    },
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FloodDevice:
    """One idle massager whose state changes (intensity 3 <-> 4) as often as it is told."""

    def __init__(self) -> None:
        self.seq = 0
        self.intensity = 3
        self.streams: set[web.WebSocketResponse] = set()
        self.connections = 0
        self._flooding = asyncio.Lock()

    def state(self, now: str | None = None) -> dict[str, object]:
        """The state object of docs/protocol.md."""
        return {
            "status": "idle",
            "program": "palm_circles",
            "zone": "lower_back",
            "intensity": self.intensity,
            "heat": False,
            "minutes": 15,
            "started_at": None,
            "ends_at": None,
            "remaining_s": 0,
            "pause_expires_at": None,
            "error": None,
            "now": now or _now(),
            "boot_id": "f100d000",
            "seq": self.seq,
        }

    def next_message(self, now: str) -> str:
        """The next state change as an event message."""
        self.seq += 1
        self.intensity = 7 - self.intensity  # 3 <-> 4: always a change a user can see
        return json.dumps({"type": "state", "data": self.state(now)})

    # -- protocol ------------------------------------------------------------------------------

    def app(self) -> web.Application:
        """The protocol routes (subset) and the control call."""
        app = web.Application(middlewares=[_bearer_required])
        app.add_routes(
            [
                web.get("/api/v1/pair", self._identity),
                web.get("/api/v1/info", self._info),
                web.get("/api/v1/state", self._state),
                web.get("/api/v1/events", self._events),
                web.post("/flood", self._flood),
            ]
        )
        return app

    async def _identity(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "protocol": 1,
                "serial": SERIAL,
                "name": NAME,
                "model": INFO["model"],
                "pairing_open": False,
            }
        )

    async def _info(self, _request: web.Request) -> web.Response:
        return web.json_response(INFO)

    async def _state(self, _request: web.Request) -> web.Response:
        return web.json_response(self.state())

    async def _events(self, request: web.Request) -> web.StreamResponse:
        stream = web.WebSocketResponse(heartbeat=10.0)
        await stream.prepare(request)
        await stream.send_str(json.dumps({"type": "state", "data": self.state()}))
        self.streams.add(stream)
        self.connections += 1
        try:
            async for message in stream:  # reading answers the client's pings; else ignored
                if message.type is WSMsgType.ERROR:
                    break
        finally:
            self.streams.discard(stream)
        return stream

    # -- the flood -----------------------------------------------------------------------------

    async def _flood(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self._flooding:
            answer = await self.flood(float(body["rate"]), float(body["seconds"]))
        return web.json_response(answer)

    async def flood(self, rate: float, seconds: float) -> dict[str, float]:
        """Push `rate` states per second for `seconds` to every open stream."""
        sent = 0  # states pushed (each to every open stream)
        connections = self.connections
        started = time.perf_counter()
        deadline = started + seconds
        while (now := time.perf_counter()) < deadline:
            due = int(rate * (now - started)) - sent
            stamp = _now()
            for index in range(due):
                if index % CHECK_EVERY == 0 and time.perf_counter() >= deadline:
                    break
                message = self.next_message(stamp)
                for stream in list(self.streams):
                    with contextlib.suppress(ConnectionError):
                        await stream.send_str(message)  # waits while the receiver is behind
                sent += 1
            await asyncio.sleep(BATCH_S)
        elapsed = time.perf_counter() - started
        return {
            "sent": sent,
            "seconds": round(elapsed, 3),
            "rate": round(sent / elapsed, 1),
            "streams": len(self.streams),
            "reconnects": self.connections - connections,  # streams opened during the flood
        }


@web.middleware
async def _bearer_required(request: web.Request, handler: object) -> web.StreamResponse:
    """Any bearer token will do, but one is required (as on a real device) except to identify."""
    open_paths = {"/api/v1/pair", "/flood"}
    if request.path not in open_paths and not request.headers.get("Authorization", "").startswith(
        "Bearer "
    ):
        return web.json_response(
            {"error": {"code": "unauthorized", "message": "a bearer token is required"}},
            status=401,
        )
    return await handler(request)  # type: ignore[operator]


async def serve(port: int) -> None:
    """Listen on 127.0.0.1:port until killed; print the port once listening."""
    runner = web.AppRunner(FloodDevice().app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    await site.start()
    server = site._server  # noqa: SLF001  # aiohttp exposes no public way to read the bound port
    if isinstance(server, asyncio.Server) and server.sockets:
        port = server.sockets[0].getsockname()[1]
    print(f"port {port}", flush=True)  # the benchmark reads it
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
