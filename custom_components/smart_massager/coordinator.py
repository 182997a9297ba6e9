"""Push-fed coordinator: one per massager, holding the latest device-confirmed state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from pysmartmassager import (
    DeviceInfo,
    MassagerAuthenticationError,
    MassagerError,
    SessionState,
    SmartMassagerClient,
    StateSubscription,
)

from .const import DOMAIN, FALLBACK_POLL_INTERVAL, LOGGER

if TYPE_CHECKING:
    from .routines import RoutineRunner


@dataclass
class MassagerRuntimeData:
    """What a loaded config entry holds."""

    client: SmartMassagerClient
    info: DeviceInfo
    coordinator: MassagerCoordinator
    routines: RoutineRunner

    @property
    def busy(self) -> bool:
        """A session runs or is paused, or a routine is between steps: nothing new may start."""
        return self.coordinator.data.active or self.routines.running


type MassagerConfigEntry = ConfigEntry[MassagerRuntimeData]


class MassagerCoordinator(DataUpdateCoordinator[SessionState]):
    """Holds the massager's state; fed by its WebSocket, polled only while that is down.

    Availability follows reachability, not the stream: when the stream drops the coordinator polls
    once at once, so a brief stream hiccup with the device still answering HTTP changes nothing
    the user sees, while a device that is gone turns unavailable with a single log line.
    """

    config_entry: MassagerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MassagerConfigEntry,
        client: SmartMassagerClient,
        info: DeviceInfo,
    ) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=info.name,
            update_interval=None,
            always_update=False,
        )
        self.client = client
        self.info = info
        self.subscription: StateSubscription = client.subscribe(
            self._on_push_state, self._on_push_connection
        )

    async def _async_update_data(self) -> SessionState:
        """Fetch the state over HTTP: at setup, and as the fallback while the stream is down."""
        try:
            state = await self.client.get_state()
        except MassagerAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err
        except MassagerError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="device_unreachable",
                translation_placeholders={"name": self.info.name, "error": str(err)},
            ) from err
        # A state fetched over HTTP may be older than one the stream delivered meanwhile.
        return state if state.is_newer_than(self.data) else self.data

    @callback
    def start_push(self) -> None:
        """Run the push subscription for as long as the entry is loaded (cancelled on unload)."""
        self.config_entry.async_create_background_task(
            self.hass, self._run_push(), f"{DOMAIN} push {self.info.serial}"
        )

    async def _run_push(self) -> None:
        try:
            await self.subscription.run()
        except MassagerAuthenticationError as err:
            # Retrying cannot fix a refused token: ask the user to pair again.
            self.update_interval = None
            self.async_set_update_error(err)
            self.config_entry.async_start_reauth(self.hass)

    @callback
    def async_set_state(self, state: SessionState) -> None:
        """Take a device-confirmed state (push or command answer) unless a newer one is held."""
        if not state.is_newer_than(self.data if self.last_update_success else None):
            return
        if not self.last_update_success:
            LOGGER.info("%s is reachable again", self.info.name)
        self.async_set_updated_data(state)

    @callback
    def _on_push_state(self, state: SessionState) -> None:
        # The stream is delivering: no polling (set before async_set_updated_data, which
        # reschedules a poll only when an interval is set).
        self.update_interval = None
        self.async_set_state(state)

    @callback
    def _on_push_connection(self, connected: bool) -> None:
        if connected:
            return
        self.update_interval = FALLBACK_POLL_INTERVAL
        if self.last_update_success:
            LOGGER.debug("%s event stream lost; checking the device over HTTP", self.info.name)
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{DOMAIN} check {self.info.serial}"
            )

    @property
    def stream_connected(self) -> bool:
        """True while the push stream is up (diagnostics)."""
        return self.subscription.connected
