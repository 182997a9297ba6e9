"""The transport-neutral massager interface that entity code is written against.

The HTTP/WebSocket client implements it; another transport (for example Tuya's local protocol
for massage chairs with Tuya's standard massage-chair codes) implements the same methods and maps
its own vocabulary onto programs, zones, intensity levels and minutes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from .models import DeviceInfo, SessionSettings, SessionState

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

    @abstractmethod
    async def pause(self) -> SessionState:
        """Pause the running session."""

    @abstractmethod
    async def resume(self) -> SessionState:
        """Resume the paused session."""

    @abstractmethod
    async def stop(self) -> SessionState:
        """Stop any session (not an error without one)."""

    @abstractmethod
    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> StateSubscription:
        """A push subscription calling `on_state` for every state change."""
