"""The emulator's HTTP server: docs/protocol.md over real TCP, plus fault injection.

Protocol routes live under /api/v1. Admin routes under /emulator let tests, the demo and the
benchmark play the parts a real device gets from the outside world (its button, a power cut, a
flaky Wi-Fi). They are not part of the protocol and a real massager has none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from aiohttp import WSMsgType, web

from .device import ProtocolError, VirtualMassager

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Only /api/v1/pair is reachable without a token (docs/protocol.md, "Authentication and pairing").
_OPEN_PATHS = frozenset({("GET", "/api/v1/pair"), ("POST", "/api/v1/pair")})
HEARTBEAT_S = 10.0
MALFORMED_BODY = '{"status": "running", "program": '


@dataclass(slots=True)
class Faults:
    """Faults the server injects into protocol answers; all off by default."""

    delay_s: float = 0.0
    http_500: bool = False
    malformed_json: bool = False


class EmulatorServer:
    """Serves one VirtualMassager on host:port; port 0 lets the OS choose (tests)."""

    def __init__(self, device: VirtualMassager, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.device = device
        self.host = host
        self.port = port
        self.faults = Faults()
        self.requests = 0
        self._streams: dict[web.WebSocketResponse, asyncio.Queue[str]] = {}
        self._runner: web.AppRunner | None = None
        self._power_task: asyncio.Task[None] | None = None
        device.listeners.append(self._broadcast)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the server accepts connections ("powered on")."""
        return self._runner is not None

    async def start(self) -> None:
        """Power on: listen on host:port (the same port again after a power cut)."""
        if self._runner is not None:
            return
        runner = web.AppRunner(self._build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server  # noqa: SLF001  # aiohttp exposes no public way to read the bound port
        if isinstance(server, asyncio.Server) and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        self._runner = runner

    async def stop(self) -> None:
        """Power off: close every connection and the listening socket. The session is lost."""
        if self._power_task is not None and self._power_task is not asyncio.current_task():
            self._power_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._power_task
            self._power_task = None
        await self._power_off()
        self.device.shutdown()

    async def _power_off(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self.drop_streams()
        await runner.cleanup()
        self.device.reboot()

    async def power_cycle(self, off_seconds: float) -> None:
        """Power off now and on again after `off_seconds` (admin call from another process)."""
        await self._power_off()
        await asyncio.sleep(off_seconds)
        await self.start()

    async def drop_streams(self) -> None:
        """Fault: close every event stream (Wi-Fi hiccup); clients are expected to reconnect."""
        for stream in list(self._streams):
            await stream.close()

    @property
    def stream_count(self) -> int:
        """Open event streams."""
        return len(self._streams)

    # -- app ---------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(
            [
                web.get("/api/v1/pair", self._identity),
                web.post("/api/v1/pair", self._pair),
                web.delete("/api/v1/pair", self._unpair),
                web.get("/api/v1/info", self._info),
                web.get("/api/v1/state", self._state),
                web.post("/api/v1/session/start", self._start),
                web.patch("/api/v1/settings", self._settings),
                web.post("/api/v1/session/pause", self._command(self.device.pause)),
                web.post("/api/v1/session/resume", self._command(self.device.resume)),
                web.post("/api/v1/session/stop", self._command(self.device.stop)),
                web.get("/api/v1/events", self._events),
                web.get("/emulator", self._admin_overview),
                web.post("/emulator/pairing", self._admin_pairing),
                web.post("/emulator/faults", self._admin_faults),
                web.post("/emulator/drop-streams", self._admin_drop_streams),
                web.post("/emulator/reboot", self._admin_reboot),
                web.post("/emulator/power-cycle", self._admin_power_cycle),
                web.post("/emulator/revoke-tokens", self._admin_revoke),
                web.post("/emulator/press", self._admin_press),
                web.post("/emulator/clock", self._admin_clock),
                web.post("/emulator/error", self._admin_error),
            ]
        )
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            return await self._protocol_request(request, handler)
        try:
            return await handler(request)
        except ProtocolError as err:  # admin routes answer errors in the same JSON shape
            return web.json_response(err.as_json(), status=err.status)

    async def _protocol_request(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Faults, authentication and the protocol's error bodies around one /api request."""
        self.requests += 1
        if self.faults.delay_s:
            await asyncio.sleep(self.faults.delay_s)
        if self.faults.http_500:
            error = ProtocolError(500, "internal_error", "injected fault: internal error")
            return self._json(error.as_json(), status=error.status)
        try:
            if (request.method, request.path) not in _OPEN_PATHS:
                self._authorize(request)
            return await handler(request)
        except ProtocolError as err:
            return self._json(err.as_json(), status=err.status)
        except web.HTTPNotFound:
            return self._json(
                {"error": {"code": "not_found", "message": "no such path"}}, status=404
            )
        except web.HTTPMethodNotAllowed:
            return self._json(
                {"error": {"code": "not_found", "message": "no such method on this path"}},
                status=405,
            )

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or token not in self.device.tokens:
            raise ProtocolError(401, "unauthorized", "missing, wrong or revoked token")

    def _json(self, body: object, *, status: int = 200) -> web.Response:
        text = MALFORMED_BODY if self.faults.malformed_json else json.dumps(body)
        return web.Response(text=text, status=status, content_type="application/json")

    async def _body(self, request: web.Request) -> object:
        if not request.can_read_body:
            return {}
        try:
            return json.loads(await request.text())
        except ValueError as err:
            raise ProtocolError(400, "invalid_json", "the body is not valid JSON") from err

    # -- protocol handlers ---------------------------------------------------------------------

    async def _identity(self, _request: web.Request) -> web.Response:
        return self._json(self.device.identity_json())

    async def _pair(self, _request: web.Request) -> web.Response:
        return self._json({"token": self.device.pair()})

    async def _unpair(self, request: web.Request) -> web.Response:
        token = request.headers["Authorization"].partition(" ")[2]
        self.device.tokens.discard(token)
        return web.Response(status=204)

    async def _info(self, _request: web.Request) -> web.Response:
        return self._json(self.device.info_json())

    async def _state(self, _request: web.Request) -> web.Response:
        return self._json(self.device.state_json())

    async def _start(self, request: web.Request) -> web.Response:
        self.device.start(await self._body(request))
        return self._json(self.device.state_json())

    async def _settings(self, request: web.Request) -> web.Response:
        self.device.change(await self._body(request))
        return self._json(self.device.state_json())

    def _command(self, command: Callable[[], None]) -> Handler:
        async def handle(_request: web.Request) -> web.Response:
            command()
            return self._json(self.device.state_json())

        return handle

    async def _events(self, request: web.Request) -> web.StreamResponse:
        stream = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
        await stream.prepare(request)
        queue: asyncio.Queue[str] = asyncio.Queue()
        queue.put_nowait(self._state_message())
        self._streams[stream] = queue
        writer = asyncio.create_task(self._write_events(stream, queue))
        try:
            async for message in stream:  # client messages are ignored; this waits for close
                if message.type is WSMsgType.ERROR:
                    break
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self._streams.pop(stream, None)
        return stream

    async def _write_events(self, stream: web.WebSocketResponse, queue: asyncio.Queue[str]) -> None:
        while True:
            message = await queue.get()
            try:
                await stream.send_str(message)
            except ConnectionError:
                return

    def _state_message(self) -> str:
        if self.faults.malformed_json:
            return MALFORMED_BODY
        return json.dumps({"type": "state", "data": self.device.state_json()})

    def _broadcast(self) -> None:
        if not self._streams:
            return
        message = self._state_message()
        for queue in self._streams.values():
            queue.put_nowait(message)

    # -- admin handlers (not part of the protocol) ---------------------------------------------

    async def _admin_body(self, request: web.Request) -> dict[str, Any]:
        body = await self._body(request)
        if not isinstance(body, dict):
            raise ProtocolError(400, "invalid_json", "the body must be a JSON object")
        return body

    def _admin_ok(self) -> web.Response:
        return web.json_response(self._overview())

    def _overview(self) -> dict[str, object]:
        return {
            "identity": self.device.identity_json(),
            "state": self.device.state_json(),
            "faults": asdict(self.faults),
            "streams": self.stream_count,
            "requests": self.requests,
            "tokens": len(self.device.tokens),
        }

    async def _admin_overview(self, _request: web.Request) -> web.Response:
        return self._admin_ok()

    async def _admin_pairing(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request)
        if body.get("open", True):
            self.device.open_pairing(timedelta(seconds=float(body.get("seconds", 120))))
        else:
            self.device.close_pairing()
        return self._admin_ok()

    async def _admin_faults(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request)
        self.faults.delay_s = float(body.get("delay_s", self.faults.delay_s))
        self.faults.http_500 = bool(body.get("http_500", self.faults.http_500))
        self.faults.malformed_json = bool(body.get("malformed_json", self.faults.malformed_json))
        return self._admin_ok()

    async def _admin_drop_streams(self, _request: web.Request) -> web.Response:
        await self.drop_streams()
        return self._admin_ok()

    async def _admin_reboot(self, _request: web.Request) -> web.Response:
        self.device.reboot()
        await self.drop_streams()
        return self._admin_ok()

    async def _admin_power_cycle(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request)
        seconds = float(body.get("seconds", 5))
        # Answer first: the power cut closes this very connection.
        self._power_task = asyncio.get_running_loop().create_task(self.power_cycle(seconds))
        return self._admin_ok()

    async def _admin_revoke(self, _request: web.Request) -> web.Response:
        self.device.revoke_tokens()
        await self.drop_streams()
        return self._admin_ok()

    async def _admin_press(self, request: web.Request) -> web.Response:
        self.device.press(await self._admin_body(request))
        return self._admin_ok()

    async def _admin_clock(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request)
        self.device.clock_offset = timedelta(seconds=float(body.get("offset_s", 0)))
        return self._admin_ok()

    async def _admin_error(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request)
        self.device.fail(str(body.get("code", "overheat")), str(body.get("message", "Overheated")))
        return self._admin_ok()
