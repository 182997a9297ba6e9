"""The WebSocket push subscription: states as they change, reconnecting with capped backoff."""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

import aiohttp

from pysmartmassager.decoding import BRIEF_LENGTH, as_object, brief, clean_text, decode, parse_json
from pysmartmassager.exceptions import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerResponseError,
    MassagerTimeoutError,
)
from pysmartmassager.massager import ConnectionCallback, ReportingSubscription, StateCallback
from pysmartmassager.models import SessionState
from pysmartmassager.reconnect import Backoff

from .const import API_PREFIX, MAX_EVENT_BYTES
from .wire import StateReader

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


class EventStream(ReportingSubscription):
    """Delivers every state the device pushes to `on_state`; reports up/down to `on_connection`.

    `run()` loops until cancelled: connect, deliver, and after any failure wait (0.25 s doubling
    to 3 s, with jitter so that many clients do not reconnect in lock-step) and connect again. A
    refused token ends the loop with MassagerAuthenticationError, since retrying cannot fix it.
    Nothing else ends it: a message the protocol does not allow (not JSON, too big, a state that
    does not parse) drops that connection and is logged once, and the next connection starts
    again from the device's full state.
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
        super().__init__(on_state, on_connection)
        self._client = client
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.heartbeat = heartbeat
        self.last_error: MassagerError | None = None
        self.connections = 0
        # A failure was logged as a WARNING; repeats are DEBUG until a state is delivered again.
        self._warned = False

    async def run(self) -> None:
        """Deliver states until cancelled; MassagerAuthenticationError if the token is refused."""
        backoff = Backoff(self.backoff_initial, self.backoff_max)
        try:
            while True:
                delivered = False
                try:
                    delivered = await self._listen()
                except MassagerAuthenticationError:
                    raise
                except MassagerResponseError as err:
                    # The device broke the protocol: worth a warning, unlike a device switched off.
                    self.last_error = err
                    self._warn_once(str(err))
                except MassagerError as err:
                    self.last_error = err
                except Exception as err:  # noqa: BLE001  # logged with its traceback in _warn_once
                    # Nothing above foresaw it (a bug here or in aiohttp). A push task that ends
                    # leaves the host on stale states, so this too is logged and retried.
                    self.last_error = MassagerError(f"event stream failed: {brief(err)}")
                    self._warn_once(clean_text(repr(err), BRIEF_LENGTH), unexpected=True)
                else:
                    self.last_error = MassagerConnectionError("the device closed the event stream")
                self._set_connected(False)
                if delivered:
                    backoff.reset()
                await backoff.wait()
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
                    url,
                    headers=client.auth_headers(),
                    heartbeat=self.heartbeat,
                    # A bigger message is an ERROR message below, not memory growth.
                    max_msg_size=MAX_EVENT_BYTES,
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
                if message.type is aiohttp.WSMsgType.TEXT:
                    state = _parse_event(message.data, client.states)
                elif message.type is aiohttp.WSMsgType.BINARY:
                    raise MassagerResponseError("event stream: a binary message; events are text")
                elif message.type is aiohttp.WSMsgType.ERROR and isinstance(
                    message.data, aiohttp.WebSocketError
                ):
                    # The device broke WebSocket rules: a message over MAX_EVENT_BYTES, text
                    # that is not UTF-8, a malformed frame.
                    raise MassagerResponseError(
                        f"event stream: {clean_text(str(message.data), BRIEF_LENGTH)}"
                    )
                else:
                    break  # CLOSE/CLOSING/ERROR: the stream is over
                if state is None:
                    continue
                self.deliver(state)
                delivered = True
                self._warned = False
                self._set_connected(True)
        except (aiohttp.ClientError, OSError) as err:
            # For example a reset while aiohttp answers the device's ping.
            raise MassagerConnectionError(f"event stream broke: {err}") from err
        finally:
            await stream.close()
            _cancel_stray_heartbeat(stream)
        return delivered

    def _warn_once(self, reason: str, *, unexpected: bool = False) -> None:
        """Log why the stream reconnects: a WARNING, then DEBUG until a state is delivered.

        A device that sends the same bad message on every connection would otherwise log a
        warning at every reconnect, every few seconds. `reason` is already short (see brief).
        """
        device = f"{self._client.host}:{self._client.port}"
        if self._warned:
            _LOGGER.debug("Event stream from %s failed again, reconnecting: %s", device, reason)
            return
        self._warned = True
        _LOGGER.warning(
            "Event stream from %s failed, reconnecting (repeats are logged at debug level until"
            " states arrive again): %s",
            device,
            reason,
            exc_info=unexpected,
        )


def _cancel_stray_heartbeat(stream: aiohttp.ClientWebSocketResponse) -> None:
    # aiohttp 3.14.5 re-arms its heartbeat timer when frames arrive during the close handshake
    # (seen: a timer left 5 s after close()). It would fire once and do nothing useful, but it
    # outlives an unload; cancel it. Guarded so a fixed aiohttp without the method still works.
    cancel = getattr(stream, "_cancel_heartbeat", None)
    if callable(cancel):
        cancel()


def _parse_event(text: str, reader: StateReader) -> SessionState | None:
    """A state from one event message; None for event types this client does not know.

    Whatever the message holds, the only exception is MassagerResponseError.
    """
    message = as_object(parse_json(text, "an event-stream message"), "event")
    if message.get("type") != "state":
        _LOGGER.debug("Ignoring event of type %s", brief(message.get("type")))
        return None
    return decode(reader.parse, message.get("data"), "event")
