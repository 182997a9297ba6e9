"""The transport-neutral massager interface that the integration is written against.

Every transport implements it: the reference HTTP/WebSocket client here, and any other (Tuya's
local protocol, MIoT, a massager built from other Home Assistant entities) maps its own
vocabulary onto programs, zones, intensity levels and minutes. What a device guarantees (a timer
of its own, pause, heat, ...) is in its `Capabilities`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from .exceptions import MassagerInvalidRequestError
from .models import DeviceInfo, LevelRange, SessionSettings, SessionState

_LOGGER = logging.getLogger(__package__)

type StateCallback = Callable[[SessionState], None]
type ConnectionCallback = Callable[[bool], None]


class StateSubscription(ABC):
    """A push subscription: `run()` delivers states until cancelled, reconnecting by itself."""

    @property
    @abstractmethod
    def connected(self) -> bool:
        """True while the push channel is up."""

    @abstractmethod
    async def run(self) -> None:
        """Deliver states until cancelled; MassagerAuthenticationError if the token is refused."""


class ReportingSubscription(StateSubscription):
    """Delivers states to `on_state`; tells `on_connection` when its channel goes up or down.

    The callbacks are the host's code: an exception in one is logged and never ends the
    subscription (a push task that ended would leave the host showing stale states). Every
    transport delivers through `deliver` and `_set_connected`, so the rule is kept once.
    """

    def __init__(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> None:
        self._on_state = on_state
        self._on_connection = on_connection
        self._connected = False

    @property
    def connected(self) -> bool:
        """True while the channel is up (as last reported)."""
        return self._connected

    def deliver(self, state: SessionState) -> None:
        """Hand `state` to the host; a failure in its callback is logged, not raised."""
        try:
            self._on_state(state)
        except Exception:
            _LOGGER.exception("Error in the host's state callback")

    def _set_connected(self, connected: bool) -> None:
        """Record the channel's state; `on_connection` hears only changes."""
        if connected == self._connected:
            return
        self._connected = connected
        if self._on_connection is None:
            return
        try:
            self._on_connection(connected)
        except Exception:
            _LOGGER.exception("Error in the host's connection callback")


class Massager(ABC):
    """One massager, whatever the transport. Every command returns the device-confirmed state."""

    @abstractmethod
    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities."""

    @abstractmethod
    async def get_state(self) -> SessionState:
        """The current state."""

    @abstractmethod
    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Start a session; omitted settings keep their current values."""

    @abstractmethod
    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Change settings, mid-session too (the session length only without a session)."""

    async def pause(self) -> SessionState:
        """Pause the running session; a massager that cannot (`pause=False`) refuses."""
        raise _cannot_pause()

    async def resume(self) -> SessionState:
        """Resume the paused session; a massager that cannot pause has nothing to resume."""
        raise _cannot_pause()

    @abstractmethod
    async def stop(self) -> SessionState:
        """Stop any session (not an error without one)."""

    @abstractmethod
    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> StateSubscription:
        """A subscription calling `on_state` for every state change.

        A transport whose device cannot push returns the kit's `PollingSubscription`
        (pysmartmassager.polling): the caller sees one kind of subscription and never polls.
        """

    async def close(self) -> None:  # noqa: B027  # optional: most transports hold nothing
        """Release what the transport holds (connections); the default holds nothing."""

    def diagnostics(self) -> dict[str, Any]:
        """What the transport learned of the device that a bug report needs (nothing secret).

        Such as properties it stopped reading because they always fail; the default: nothing.
        """
        return {}


def _cannot_pause() -> MassagerInvalidRequestError:
    return MassagerInvalidRequestError("this massager cannot pause", code="not_supported")


def invalid_setting(field: str, allowed: object) -> MassagerInvalidRequestError:
    """A setting the device does not take: names the field and what it allows.

    `allowed` is a list of ids, or a LevelRange (given as {min, max, step}, as the reference
    protocol reports ranges). For transports that check settings themselves (Tuya, MIoT).
    """
    if isinstance(allowed, LevelRange):
        allowed = {"min": allowed.minimum, "max": allowed.maximum, "step": allowed.step}
    return MassagerInvalidRequestError(
        f"invalid {field}", code="invalid_value", field=field, allowed=allowed
    )


def refuse_zone_levels(settings: SessionSettings) -> None:
    """For transports whose devices have one intensity: per-zone levels are refused, not dropped."""
    if settings.zone_levels:
        raise invalid_setting("zone_levels", [])


def refuse_heat_level(settings: SessionSettings) -> None:
    """For transports whose heat is on/off only: a heat level is refused, not dropped."""
    checked_heat_level(settings, [])


def checked_heat_level(settings: SessionSettings, levels: list[str]) -> str | None:
    """The settings' heat level, if one of `levels`; None if none is asked for.

    A level the device does not list, or one asked for with the heat off, is refused.
    """
    level = settings.heat_level
    if level is not None and (settings.heat is False or level not in levels):
        raise invalid_setting("heat_level", levels)
    return level
