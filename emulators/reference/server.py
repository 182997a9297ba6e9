"""The emulator's HTTP server: docs/protocol.md over real TCP, plus fault injection.

Two sites per massager. The device's port serves the protocol (/api/v1) and nothing else. The
admin API (admin.py, routes under /emulator) has its own port on 127.0.0.1 and its own token: it
lets tests, the demo and the benchmark play the outside world (the button, a power cut, a flaky
Wi-Fi), and it stays up while the device is "powered off".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import WSMsgType, hdrs, web

from .admin import ADMIN_HOST, AdminApi
from .device import ProtocolError, VirtualMassager

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Reachable without a token (docs/protocol.md, "Authentication and pairing"): the identity,
# pairing (guarded by the button) and the challenge (the proof is its authentication).
_OPEN_PATHS = frozenset(
    {("GET", "/api/v1/pair"), ("POST", "/api/v1/pair"), ("POST", "/api/v1/challenge")}
)
HEARTBEAT_S = 10.0
MALFORMED_BODY = '{"status": "running", "program": '


@dataclass(slots=True)
class Faults:
    """Faults the server injects into protocol answers; all off by default."""

    delay_s: float = 0.0
    http_500: bool = False
    malformed_json: bool = False


class EmulatorServer:
    """Serves one VirtualMassager on host:port and its admin API on 127.0.0.1:admin_port.

    Port 0 lets the OS choose (tests). Without `admin_token` a random one is made; tests read it
    from `admin_token` and the admin API's address from `admin_url`.
    """

    def __init__(
        self,
        device: VirtualMassager,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        admin_port: int = 0,
        admin_token: str | None = None,
    ) -> None:
        self.device = device
        self.host = host
        self.port = port
        self.faults = Faults()
        self.requests = 0
        self.admin = AdminApi(self, admin_token or secrets.token_urlsafe(32), admin_port)
        self._streams: dict[web.WebSocketResponse, asyncio.Queue[str]] = {}
        self._runner: web.AppRunner | None = None
        self._admin_runner: web.AppRunner | None = None
        self._power_task: asyncio.Task[None] | None = None
        device.listeners.append(self._broadcast)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def admin_url(self) -> str:
        """Base URL of the admin API (always on 127.0.0.1)."""
        return f"http://{ADMIN_HOST}:{self.admin.port}"

    @property
    def admin_token(self) -> str:
        """The bearer token the admin API requires."""
        return self.admin.token

    @property
    def running(self) -> bool:
        """True while the device's server accepts connections ("powered on")."""
        return self._runner is not None

    async def start(self) -> None:
        """Power on: listen on host:port (the same port again after a power cut).

        The admin API starts with the first power-on and stays up until `stop()`.
        """
        admin_started = self._admin_runner is None
        if admin_started:
            self._admin_runner, self.admin.port = await _serve(
                self.admin.build_app(), ADMIN_HOST, self.admin.port
            )
        if self._runner is None:
            try:
                self._runner, self.port = await _serve(self._build_app(), self.host, self.port)
            except BaseException:
                if admin_started:  # a failed first start leaves nothing listening
                    await self._stop_admin()
                raise

    async def stop(self) -> None:
        """Power off for good: the device (its session is lost) and the admin API."""
        if self._power_task is not None and self._power_task is not asyncio.current_task():
            self._power_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._power_task
            self._power_task = None
        await self._power_off()
        await self._stop_admin()
        self.device.shutdown()

    async def _stop_admin(self) -> None:
        runner, self._admin_runner = self._admin_runner, None
        if runner is not None:
            await runner.cleanup()

    async def _power_off(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self.drop_streams()
        await runner.cleanup()
        self.device.reboot()

    async def power_cycle(self, off_seconds: float) -> None:
        """Power off now and on again after `off_seconds`."""
        await self._power_off()
        await asyncio.sleep(off_seconds)
        await self.start()

    def power_cycle_soon(self, off_seconds: float) -> None:
        """`power_cycle` as a task (the admin call answers before the power goes)."""
        self._power_task = asyncio.get_running_loop().create_task(self.power_cycle(off_seconds))

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
                web.post("/api/v1/challenge", self._challenge),
                web.get("/api/v1/events", self._events),
            ]
        )
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Faults, authentication and the protocol's error bodies around every request."""
        self.requests += 1
        if self.faults.delay_s:
            await asyncio.sleep(self.faults.delay_s)
        if self.faults.http_500:
            error = ProtocolError(500, "internal_error", "injected fault: internal error")
            return self._json(error.as_json(), status=error.status)
        try:
            if (request.method, request.path) not in _OPEN_PATHS:
                request["token"] = self._authorize(request)
            return await handler(request)
        except ProtocolError as err:
            response = self._json(err.as_json(), status=err.status)
            if err.retry_after_s is not None:
                response.headers[hdrs.RETRY_AFTER] = str(err.retry_after_s)
            return response
        except web.HTTPNotFound:
            return self._json(
                {"error": {"code": "not_found", "message": "no such path"}}, status=404
            )
        except web.HTTPMethodNotAllowed:
            return self._json(
                {"error": {"code": "not_found", "message": "no such method on this path"}},
                status=405,
            )

    def _authorize(self, request: web.Request) -> str:
        """The stored token the request carries (401/429 from the device otherwise)."""
        scheme, _, presented = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        return self.device.authorize(presented if scheme == "Bearer" else None, _peer(request))

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
        self.device.tokens.discard(request["token"])
        return web.Response(status=204)

    async def _challenge(self, request: web.Request) -> web.Response:
        return self._json(self.device.challenge(await self._body(request), _peer(request)))

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


async def _serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app` on host:port; returns its runner and the port it got (port 0: OS-chosen)."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    server = site._server  # noqa: SLF001  # aiohttp exposes no public way to read the bound port
    if isinstance(server, asyncio.Server) and server.sockets:
        port = server.sockets[0].getsockname()[1]
    return runner, port


def _peer(request: web.Request) -> str:
    """The address a request came from: the unit that wrong tokens are counted per."""
    return request.remote or "unknown"
