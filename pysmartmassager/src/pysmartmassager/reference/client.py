"""Async HTTP client for the Smart Massager local protocol (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import socket
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Self

import aiohttp
from yarl import URL

from pysmartmassager.const import MAX_ID_LENGTH
from pysmartmassager.decoding import brief, clean_text, parse_json
from pysmartmassager.exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerPairingNotEnabledError,
    MassagerResponseError,
    MassagerTimeoutError,
)
from pysmartmassager.massager import ConnectionCallback, Massager, StateCallback
from pysmartmassager.models import DeviceInfo, SessionSettings, SessionState

from .const import API_PREFIX, DEFAULT_PORT, DEFAULT_REQUEST_TIMEOUT, MAX_RESPONSE_BYTES
from .events import EventStream
from .wire import DeviceIdentity, StateReader, parse_identity, parse_info, settings_body

if TYPE_CHECKING:
    from types import TracebackType

_INVALID_STATE_CODES = frozenset({"session_active", "invalid_state"})
# A device's own error message is shown to the user: long enough for a sentence, not for a flood.
_DEVICE_MESSAGE_LENGTH = 160
# RFC 6750's bearer token syntax, bounded. The token goes into every request's header, so one with
# a line break (aiohttp then refuses every request with a ValueError) must never be kept.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]{1,512}=*")


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
        # One reader for command answers and pushed states alike, so they are ordered together.
        self.states = StateReader()

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
        what = f"{method} {path}"
        try:
            async with asyncio.timeout(self.request_timeout):
                # Redirects are not followed: the protocol has none, and following one would send
                # the token wherever the device points.
                response = await self.session.request(
                    method, url, json=body, headers=headers, allow_redirects=False
                )
                async with response:
                    if HTTPStatus.MULTIPLE_CHOICES <= response.status < HTTPStatus.BAD_REQUEST:
                        raise MassagerResponseError(
                            f"{what} answered {response.status}: redirects are not followed"
                        )
                    raw = await _read_body(response, what)
        except TimeoutError as err:
            raise MassagerTimeoutError(
                f"{self.host}:{self.port} did not answer {what} within {self.request_timeout:g} s"
            ) from err
        except (aiohttp.ClientError, socket.gaierror, OSError) as err:
            raise MassagerConnectionError(
                f"cannot reach the massager at {self.host}:{self.port}: {err}"
            ) from err
        if response.status == HTTPStatus.NO_CONTENT:
            return None
        data = parse_json(raw, f"the answer to {what} ({response.status})")
        if response.status >= HTTPStatus.BAD_REQUEST:
            raise _error_for(response.status, data, what)
        return data

    # -- pairing -------------------------------------------------------------------------------

    async def identify(self) -> DeviceIdentity:
        """Who answers at this address; needs no token."""
        return parse_identity(await self._request("GET", "/pair", auth=False))

    async def pair(self) -> str:
        """Fetch a token (the device must be in pairing mode); it is also kept for later calls."""
        data = await self._request("POST", "/pair", auth=False)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise MassagerResponseError("POST /pair answered without a token")
        if _TOKEN.fullmatch(token) is None:
            raise MassagerResponseError("POST /pair answered a token that is not a bearer token")
        self.token = token
        return token

    async def holds_token(self, serial: str) -> bool:
        """Whether the device here holds our token and is `serial` (protocol v1.1 challenge).

        The token is never sent: the device proves it with an HMAC over a fresh nonce of ours.
        Used before trusting a known serial announced at a new address.
        """
        if not self.token:
            raise MassagerAuthenticationError("no token: pair with the massager first")
        nonce = secrets.token_hex(32)
        hint = hashlib.sha256(self.token.encode()).hexdigest()[:16]
        try:
            data = await self._request(
                "POST", "/challenge", body={"nonce": nonce, "token_hint": hint}, auth=False
            )
        except MassagerAuthenticationError:
            return False  # no token of ours on that device
        proof = data.get("proof") if isinstance(data, dict) else None
        answered = data.get("serial") if isinstance(data, dict) else None
        if not isinstance(proof, str) or answered != serial:
            return False
        expected = hmac.new(
            self.token.encode(), f"{nonce}:{serial}".encode(), hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(proof, expected)

    async def unpair(self) -> None:
        """Revoke this client's token on the device."""
        await self._request("DELETE", "/pair")

    # -- Massager ------------------------------------------------------------------------------

    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities."""
        return parse_info(await self._request("GET", "/info"))

    async def get_state(self) -> SessionState:
        """The current state."""
        return self.states.parse(await self._request("GET", "/state"))

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Start a session; omitted settings keep their current values."""
        body = settings_body(settings or SessionSettings())
        return self.states.parse(await self._request("POST", "/session/start", body=body))

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Change settings, mid-session too (the session length only without a session)."""
        body = settings_body(settings)
        return self.states.parse(await self._request("PATCH", "/settings", body=body))

    async def pause(self) -> SessionState:
        """Pause the running session."""
        return self.states.parse(await self._request("POST", "/session/pause"))

    async def resume(self) -> SessionState:
        """Resume the paused session."""
        return self.states.parse(await self._request("POST", "/session/resume"))

    async def stop(self) -> SessionState:
        """Stop any session."""
        return self.states.parse(await self._request("POST", "/session/stop"))

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


async def _read_body(response: aiohttp.ClientResponse, what: str) -> bytes:
    """The body, read no further than MAX_RESPONSE_BYTES (after decompression).

    A device that announces or streams more is refused: an endless answer once grew the host to
    3.9 GB. Reading stops one byte past the limit, whatever the device keeps sending.
    """
    length = response.content_length
    if length is not None and length > MAX_RESPONSE_BYTES:
        raise MassagerResponseError(
            f"{what} announced {length} bytes, more than the {MAX_RESPONSE_BYTES} allowed"
        )
    body = bytearray()
    while len(body) <= MAX_RESPONSE_BYTES:
        chunk = await response.content.read(MAX_RESPONSE_BYTES + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
    raise MassagerResponseError(f"{what} answered more than {MAX_RESPONSE_BYTES} bytes")


def _error_for(status: int, data: object, what: str) -> Exception:
    """The library exception for an error answer (docs/protocol.md, "Errors").

    Every string from the device is cleaned and cut: it ends up in messages and logs.
    """
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return MassagerResponseError(f"{what} answered {status} without a protocol error body")
    code = clean_text(error["code"], MAX_ID_LENGTH)
    raw_message = error.get("message", code)
    message = (
        clean_text(raw_message, _DEVICE_MESSAGE_LENGTH)
        if isinstance(raw_message, str)
        else brief(raw_message)
    )
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
        field=clean_text(field, MAX_ID_LENGTH) if isinstance(field, str) else None,
        allowed=error.get("allowed"),
    )
