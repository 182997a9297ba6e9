"""The emulator's admin API: what a real massager gets from the outside world, for tests and demos.

Routes under /emulator play the parts of the device's button, a power cut, a flaky Wi-Fi or a
wrong clock. They are not part of the protocol and a real massager has none of them.

They can start a heated session at full intensity, so they are guarded like a remote control,
not like a debug page:

- their own aiohttp site, bound to 127.0.0.1 whatever address the device listens on: nothing on
  the network reaches them, and a power cut of the device leaves them up;
- a random admin token (`Authorization: Bearer`), compared in constant time;
- the Host header must name this loopback address (a DNS-rebinding page sends its own name);
- an Origin header, which browsers add to cross-origin requests, must be this API's own origin;
- POSTs must be `Content-Type: application/json`: a web page can send a text/plain or form POST
  anywhere without asking, but a JSON one needs a CORS preflight that this API never grants.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import hdrs, web

from .auth import to_bytes
from .device import ProtocolError

if TYPE_CHECKING:
    from .server import EmulatorServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ADMIN_HOST = "127.0.0.1"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost")


class AdminApi:
    """The /emulator routes of one EmulatorServer, behind the checks of the module docstring."""

    def __init__(self, server: EmulatorServer, token: str, port: int = 0) -> None:
        self.server = server
        self.token = token
        self.port = port  # 0 until the site is bound to an OS-chosen port

    def build_app(self) -> web.Application:
        """The admin application (its own site; see EmulatorServer.start)."""
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/emulator", self._overview_route),
                web.post("/emulator/pairing", self._pairing),
                web.post("/emulator/faults", self._faults),
                web.post("/emulator/drop-streams", self._drop_streams),
                web.post("/emulator/reboot", self._reboot),
                web.post("/emulator/power-cycle", self._power_cycle),
                web.post("/emulator/revoke-tokens", self._revoke),
                web.post("/emulator/press", self._press),
                web.post("/emulator/clock", self._clock),
                web.post("/emulator/error", self._error),
            ]
        )
        return app

    # -- the guard -----------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            self._check(request)
            return await handler(request)
        except ProtocolError as err:  # the same JSON error shape as the protocol
            return web.json_response(err.as_json(), status=err.status)

    def _check(self, request: web.Request) -> None:
        """Refuse anything but a local tool that holds the token (see the module docstring)."""
        hosts = {*_LOOPBACK_NAMES, *(f"{name}:{self.port}" for name in _LOOPBACK_NAMES)}
        if request.headers.get(hdrs.HOST, "").lower() not in hosts:
            raise ProtocolError(
                403, "host_not_allowed", "the Host header must be 127.0.0.1 or localhost"
            )
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is not None and origin.lower() not in {
            f"http://{name}:{self.port}" for name in _LOOPBACK_NAMES
        }:
            raise ProtocolError(403, "origin_not_allowed", "cross-origin requests are refused")
        scheme, _, presented = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        if scheme != "Bearer" or not hmac.compare_digest(to_bytes(presented), to_bytes(self.token)):
            raise ProtocolError(
                401, "unauthorized", "missing or wrong admin token (printed by the emulator)"
            )
        if request.method == hdrs.METH_POST and request.content_type != "application/json":
            raise ProtocolError(
                415, "unsupported_media_type", "admin POSTs must be Content-Type: application/json"
            )

    # -- handlers ------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        try:
            body = json.loads(await request.text())
        except ValueError as err:
            raise ProtocolError(400, "invalid_json", "the body is not valid JSON") from err
        if not isinstance(body, dict):
            raise ProtocolError(400, "invalid_json", "the body must be a JSON object")
        return body

    def overview(self) -> dict[str, object]:
        """GET /emulator: the device as the outside world sees it, plus the emulator's counters."""
        server = self.server
        return {
            "identity": server.device.identity_json(),
            "state": server.device.state_json(),
            "faults": asdict(server.faults),
            "streams": server.stream_count,
            "requests": server.requests,
            "tokens": len(server.device.tokens),
            "wall_clock_error_s": server.device.wall_clock_error.total_seconds(),
        }

    def _ok(self) -> web.Response:
        return web.json_response(self.overview())

    async def _overview_route(self, _request: web.Request) -> web.Response:
        return self._ok()

    async def _pairing(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body.get("open", True):
            self.server.device.open_pairing(timedelta(seconds=float(body.get("seconds", 120))))
        else:
            self.server.device.close_pairing()
        return self._ok()

    async def _faults(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        faults = self.server.faults
        faults.delay_s = float(body.get("delay_s", faults.delay_s))
        faults.http_500 = bool(body.get("http_500", faults.http_500))
        faults.malformed_json = bool(body.get("malformed_json", faults.malformed_json))
        return self._ok()

    async def _drop_streams(self, _request: web.Request) -> web.Response:
        await self.server.drop_streams()
        return self._ok()

    async def _reboot(self, _request: web.Request) -> web.Response:
        self.server.device.reboot()
        await self.server.drop_streams()
        return self._ok()

    async def _power_cycle(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        seconds = float(body.get("seconds", 5))
        self.server.power_cycle_soon(seconds)
        return self._ok()

    async def _revoke(self, _request: web.Request) -> web.Response:
        self.server.device.revoke_tokens()
        await self.server.drop_streams()
        return self._ok()

    async def _press(self, request: web.Request) -> web.Response:
        self.server.device.press(await self._body(request))
        return self._ok()

    async def _clock(self, request: web.Request) -> web.Response:
        """Fault: the wall clock is `offset_s` off (an NTP step); deadlines do not move."""
        body = await self._body(request)
        self.server.device.wall_clock_error = timedelta(seconds=float(body.get("offset_s", 0)))
        return self._ok()

    async def _error(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.server.device.fail(
            str(body.get("code", "overheat")), str(body.get("message", "Overheated"))
        )
        return self._ok()
