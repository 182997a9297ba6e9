"""Async HTTP client for the Smart Massager local protocol (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import json
import socket
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Self

import aiohttp
from yarl import URL

from .const import API_PREFIX, DEFAULT_PORT, DEFAULT_REQUEST_TIMEOUT
from .events import EventStream
from .exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerPairingNotEnabledError,
    MassagerResponseError,
    MassagerTimeoutError,
)
from .massager import ConnectionCallback, Massager, StateCallback
from .models import DeviceIdentity, DeviceInfo, SessionSettings, SessionState

if TYPE_CHECKING:
    from types import TracebackType

_INVALID_STATE_CODES = frozenset({"session_active", "invalid_state"})


class SmartMassagerClient(Massager):
    """One massager over HTTP/JSON and its WebSocket event stream.

    Pass the application's aiohttp session (Home Assistant's shared one); without one the client
    makes its own and closes it in `close()` / `async with`.
    """

    def __init__(
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        token: str | None = None,
        session: aiohttp.ClientSession | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.request_timeout = request_timeout
        self._session = session
        self._owns_session = session is None

    @property
    def base_url(self) -> URL:
        """http://host:port of the device."""
        return URL.build(scheme="http", host=self.host, port=self.port)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, created on first use when none was injected."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def auth_headers(self) -> dict[str, str]:
        """The bearer header, or a typed error when there is no token yet."""
        if not self.token:
            raise MassagerAuthenticationError("no token: pair with the massager first")
        return {"Authorization": f"Bearer {self.token}"}

    async def _request(
        self, method: str, path: str, *, body: dict[str, Any] | None = None, auth: bool = True
    ) -> Any:
        """One request; maps every transport and protocol failure to the library's exceptions."""
        headers = self.auth_headers() if auth else {}
        url = self.base_url.with_path(f"{API_PREFIX}{path}")
        try:
            async with asyncio.timeout(self.request_timeout):
                response = await self.session.request(method, url, json=body, headers=headers)
                async with response:
                    text = await response.text()
        except TimeoutError as err:
            raise MassagerTimeoutError(
                f"{self.host}:{self.port} did not answer {method} {path} within"
                f" {self.request_timeout:g} s"
            ) from err
        except (aiohttp.ClientError, socket.gaierror, OSError) as err:
            raise MassagerConnectionError(
                f"cannot reach the massager at {self.host}:{self.port}: {err}"
            ) from err
        if response.status == HTTPStatus.NO_CONTENT:
            return None
        try:
            data = json.loads(text)
        except ValueError as err:
            raise MassagerResponseError(
                f"{method} {path} answered {response.status} with a body that is not JSON"
            ) from err
        if response.status >= HTTPStatus.BAD_REQUEST:
            raise _error_for(response.status, data, f"{method} {path}")
        return data

    # -- pairing -------------------------------------------------------------------------------

    async def identify(self) -> DeviceIdentity:
        """Who answers at this address; needs no token."""
        return DeviceIdentity.from_json(await self._request("GET", "/pair", auth=False))

    async def pair(self) -> str:
        """Fetch a token (the device must be in pairing mode); it is also kept for later calls."""
        data = await self._request("POST", "/pair", auth=False)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise MassagerResponseError("POST /pair answered without a token")
        self.token = token
        return token

    async def unpair(self) -> None:
        """Revoke this client's token on the device."""
        await self._request("DELETE", "/pair")

    # -- Massager ------------------------------------------------------------------------------

    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities."""
        return DeviceInfo.from_json(await self._request("GET", "/info"))

    async def get_state(self) -> SessionState:
        """The current state."""
        return SessionState.from_json(await self._request("GET", "/state"))

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Start a session; omitted settings keep their current values."""
        body = (settings or SessionSettings()).as_json()
        return SessionState.from_json(await self._request("POST", "/session/start", body=body))

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Change settings, mid-session too (the session length only without a session)."""
        body = settings.as_json()
        return SessionState.from_json(await self._request("PATCH", "/settings", body=body))

    async def pause(self) -> SessionState:
        """Pause the running session."""
        return SessionState.from_json(await self._request("POST", "/session/pause"))

    async def resume(self) -> SessionState:
        """Resume the paused session."""
        return SessionState.from_json(await self._request("POST", "/session/resume"))

    async def stop(self) -> SessionState:
        """Stop any session."""
        return SessionState.from_json(await self._request("POST", "/session/stop"))

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> EventStream:
        """The WebSocket event stream; run it with `await stream.run()` in a task of your own."""
        return EventStream(self, on_state, on_connection)

    # -- lifecycle -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the aiohttp session if this client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        """Use as `async with SmartMassagerClient(...) as client:`."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close on leaving the block."""
        await self.close()


def _error_for(status: int, data: object, what: str) -> Exception:
    """The library exception for an error answer (docs/protocol.md, "Errors")."""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return MassagerResponseError(f"{what} answered {status} without a protocol error body")
    code: str = error["code"]
    message = str(error.get("message", code))
    if status == HTTPStatus.UNAUTHORIZED:
        return MassagerAuthenticationError(message)
    if code == "pairing_not_enabled":
        return MassagerPairingNotEnabledError(message)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status < HTTPStatus.BAD_REQUEST:
        return MassagerResponseError(f"{what} failed on the device ({status} {code}): {message}")
    field = error.get("field")
    kind = (
        MassagerInvalidStateError if code in _INVALID_STATE_CODES else MassagerInvalidRequestError
    )
    return kind(
        message,
        code=code,
        status=status,
        field=field if isinstance(field, str) else None,
        allowed=error.get("allowed"),
    )
