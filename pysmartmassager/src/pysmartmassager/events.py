"""The WebSocket push subscription: states as they change, reconnecting with capped backoff."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from http import HTTPStatus
from typing import TYPE_CHECKING

import aiohttp

from .const import API_PREFIX
from .decoding import as_object
from .exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerResponseError,
    MassagerTimeoutError,
)
from .massager import ConnectionCallback, StateCallback, StateSubscription
from .models import SessionState

if TYPE_CHECKING:
    from .client import SmartMassagerClient

_LOGGER = logging.getLogger(__name__)

BACKOFF_INITIAL_S = 0.25
# Capped low on purpose: a massager that comes back should be usable again within seconds.
BACKOFF_MAX_S = 3.0
# Ping interval; aiohttp closes the stream when a pong is missing for half of it, so a device
# that vanishes without closing the connection (power cut, Wi-Fi gone) is noticed within
# about 1.5 x this.
HEARTBEAT_S = 5.0


class EventStream(StateSubscription):
    """Delivers every state the device pushes to `on_state`; reports up/down to `on_connection`.

    `run()` loops until cancelled: connect, deliver, and after any failure wait (0.25 s doubling
    to 3 s, with jitter so that many clients do not reconnect in lock-step) and connect again. A
    refused token ends the loop with MassagerAuthenticationError, since retrying cannot fix it.
    """

    def __init__(
        self,
        client: SmartMassagerClient,
        on_state: StateCallback,
        on_connection: ConnectionCallback | None = None,
        *,
        backoff_initial: float = BACKOFF_INITIAL_S,
        backoff_max: float = BACKOFF_MAX_S,
        heartbeat: float = HEARTBEAT_S,
    ) -> None:
        self._client = client
        self._on_state = on_state
        self._on_connection = on_connection
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.heartbeat = heartbeat
        self._connected = False
        self.last_error: MassagerError | None = None
        self.connections = 0

    @property
    def connected(self) -> bool:
        """True while the stream is up and has delivered its first state."""
        return self._connected

    async def run(self) -> None:
        """Deliver states until cancelled."""
        delay = self.backoff_initial
        try:
            while True:
                try:
                    delivered = await self._listen()
                except MassagerAuthenticationError:
                    raise
                except MassagerError as err:
                    self.last_error = err
                    delivered = False
                else:
                    self.last_error = MassagerConnectionError("the device closed the event stream")
                self._set_connected(False)
                if delivered:
                    delay = self.backoff_initial
                await asyncio.sleep(delay * random.uniform(0.8, 1.0))  # noqa: S311  # jitter, not crypto
                delay = min(delay * 2, self.backoff_max)
        finally:
            self._set_connected(False)

    async def _listen(self) -> bool:
        """One connection; returns whether it delivered any state. Raises the library's errors."""
        client = self._client
        url = client.base_url.with_path(f"{API_PREFIX}/events")
        delivered = False
        try:
            async with asyncio.timeout(client.request_timeout):
                stream = await client.session.ws_connect(
                    url, headers=client.auth_headers(), heartbeat=self.heartbeat
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status == HTTPStatus.UNAUTHORIZED:
                raise MassagerAuthenticationError("the massager refused the token") from err
            raise MassagerResponseError(f"event stream refused: {err.status}") from err
        except TimeoutError as err:
            raise MassagerTimeoutError("event stream: the massager did not answer") from err
        except (aiohttp.ClientError, OSError) as err:
            raise MassagerConnectionError(
                f"event stream: cannot reach the massager: {err}"
            ) from err
        self.connections += 1
        try:
            async for message in stream:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break  # CLOSE/CLOSING/ERROR: the stream is over
                state = _parse_event(message.data)
                if state is None:
                    continue
                self._on_state(state)
                delivered = True
                self._set_connected(True)
        except (aiohttp.ClientError, OSError) as err:
            # For example a reset while aiohttp answers the device's ping.
            raise MassagerConnectionError(f"event stream broke: {err}") from err
        finally:
            await stream.close()
            _cancel_stray_heartbeat(stream)
        return delivered

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if self._on_connection is not None:
            self._on_connection(connected)


def _cancel_stray_heartbeat(stream: aiohttp.ClientWebSocketResponse) -> None:
    # aiohttp 3.14.5 re-arms its heartbeat timer when frames arrive during the close handshake
    # (seen: a timer left 5 s after close()). It would fire once and do nothing useful, but it
    # outlives an unload; cancel it. Guarded so a fixed aiohttp without the method still works.
    cancel = getattr(stream, "_cancel_heartbeat", None)
    if callable(cancel):
        cancel()


def _parse_event(text: str) -> SessionState | None:
    """A state from one event message; None for event types this client does not know."""
    try:
        message = as_object(json.loads(text), "event")
    except ValueError as err:
        raise MassagerResponseError("event stream: a message is not JSON") from err
    if message.get("type") != "state":
        _LOGGER.debug("Ignoring event of type %r", message.get("type"))
        return None
    return SessionState.from_json(message.get("data"))
