"""The coordinator: one per massager, the single owner of its `Massager` and its latest state.

Whatever the transport, states arrive through its subscription: a push, or for a device that
cannot push the library's PollingSubscription (quick during a session, slow when idle); the
coordinator polls only, and slowly, while that channel is down. Every command goes through
`async_command`: send, translate errors, apply the confirmed state. Pushed floods are coalesced
so a misbehaving device cannot flood Home Assistant's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from pysmartmassager import (
    DeviceInfo,
    Massager,
    MassagerAuthenticationError,
    MassagerError,
    SessionSettings,
    SessionState,
    StateSubscription,
)

from .const import (
    DOMAIN,
    FALLBACK_POLL_INTERVAL,
    LOGGER,
    PUSH_COALESCE_S,
)
from .errors import translate_error

if TYPE_CHECKING:
    from .heat_alone import HeatAloneTimer
    from .routines import RoutineRunner
    from .session_guard import SessionGuard
    from .session_timer import HeatOff, SessionTimer

type Command = Callable[[Massager], Awaitable[SessionState]]


def start_command(settings: SessionSettings) -> Command:
    """The command that starts a session with `settings`."""
    return lambda massager: massager.start_session(settings)


def change_command(settings: SessionSettings) -> Command:
    """The command that changes settings."""
    return lambda massager: massager.change_settings(settings)


@dataclass
class MassagerRuntimeData:
    """What a loaded config entry holds; the coordinator owns the massager and its info."""

    coordinator: MassagerCoordinator
    routines: RoutineRunner

    @property
    def massager(self) -> Massager:
        """The entry's massager (held by the coordinator)."""
        return self.coordinator.massager

    @property
    def info(self) -> DeviceInfo:
        """Identity and capabilities (held by the coordinator)."""
        return self.coordinator.info

    @property
    def busy(self) -> bool:
        """A session runs or is paused, or a routine is between steps: nothing new may start."""
        return self.coordinator.data.active or self.routines.running


type MassagerConfigEntry = ConfigEntry[MassagerRuntimeData]


async def read_device[T](
    read: Awaitable[T], unreachable: type[HomeAssistantError], translation_key: str, name: str
) -> T:
    """A read from the device, its failures as Home Assistant's.

    A refused credential asks for new ones (reauthentication); any other failure is
    `unreachable` (Home Assistant retries), translated under `translation_key`.
    """
    try:
        return await read
    except MassagerAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="authentication_failed"
        ) from err
    except MassagerError as err:
        raise unreachable(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"name": name, "error": str(err)},
        ) from err


class MassagerCoordinator(DataUpdateCoordinator[SessionState]):
    """Holds the massager's state and sends its commands.

    Availability follows reachability: when the push channel drops the coordinator polls once at
    once, so a brief hiccup with the device still answering changes nothing the user sees, while
    a device that is gone turns unavailable with a single log line.
    """

    config_entry: MassagerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MassagerConfigEntry,
        massager: Massager,
        info: DeviceInfo,
    ) -> None:
        self.massager = massager
        self.info = info
        self.subscription: StateSubscription = massager.subscribe(
            self._on_push_state, self._on_push_connection
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=info.name,
            update_interval=None,  # the subscription delivers; polling only while it is down
            always_update=False,
        )
        # Home Assistant's own checks on the device's session: set by __init__.async_setup_entry.
        self.guard: SessionGuard | None = None
        self.timer: SessionTimer | None = None
        self.heat_off: HeatOff | None = None  # for a massager with a heater
        self.heat_alone: HeatAloneTimer | None = None
        self._pending: SessionState | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_push_applied = 0.0

    # -- reading ---------------------------------------------------------------------------------

    async def _async_update_data(self) -> SessionState:
        """Fetch the state: at setup, while polling, and as the fallback while push is down."""
        state = await read_device(
            self.massager.get_state(), UpdateFailed, "device_unreachable", self.info.name
        )
        # A state fetched by polling may be older than one pushed meanwhile.
        state = state if state.is_newer_than(self.data) else self.data
        return self._checked(state)

    @callback
    def start_push(self) -> None:
        """Run the push subscription for as long as the entry is loaded (cancelled on unload)."""
        self.config_entry.async_create_background_task(
            self.hass,
            self._run_push(self.subscription),
            f"{DOMAIN} push {self.config_entry.entry_id}",
        )
        self.config_entry.async_on_unload(self._cancel_flush)

    async def _run_push(self, subscription: StateSubscription) -> None:
        try:
            await subscription.run()
        except MassagerAuthenticationError as err:
            # Retrying cannot fix a refused token: ask the user to pair again.
            self.update_interval = None
            self.async_set_update_error(err)
            self.config_entry.async_start_reauth(self.hass)

    # -- commands --------------------------------------------------------------------------------

    async def async_command(self, command: Command) -> SessionState:
        """Send a command; apply the state the device confirms; raise translated errors.

        A refused token also schedules a reload, whose setup then starts the reauth flow.
        """
        try:
            state = await command(self.massager)
        except MassagerAuthenticationError as err:
            self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
            raise translate_error(err) from err
        except MassagerError as err:
            raise translate_error(err) from err
        self.async_set_state(state)
        return self.data

    @callback
    def async_set_state(self, state: SessionState) -> None:
        """Take a confirmed state (push, poll or command answer) unless a newer one is held."""
        if not state.is_newer_than(self.data if self.last_update_success else None):
            return
        if not self.last_update_success:
            LOGGER.info("%s is reachable again", self.info.name)
        state = self._checked(state)
        if self.last_update_success and state.same_as(self.data):
            # Only the ordering revision or a clock field moved: keep it, write nothing.
            self.data = state
            return
        self.async_set_updated_data(state)

    def _checked(self, state: SessionState) -> SessionState:
        """The state after Home Assistant's own session checks (timer end time, guard, heat)."""
        if self.timer is not None:
            state = self.timer.observe(state)
        if self.guard is not None:
            self.guard.observe(state)
        if self.heat_off is not None:
            self.heat_off.observe(state)
        if self.heat_alone is not None:
            self.heat_alone.observe(state)
        return state

    # -- push ------------------------------------------------------------------------------------

    @callback
    def _on_push_state(self, state: SessionState) -> None:
        """Apply pushed states at most every PUSH_COALESCE_S; the latest always wins.

        The first state after a quiet spell is applied at once (no added latency); during a
        flood the newest one is kept and applied when the window ends, so nothing is lost but
        the loop writes a state at most a few times a second.
        """
        # The stream is delivering: no polling (set before async_set_updated_data, which
        # reschedules a poll only when an interval is set).
        self.update_interval = None
        if self._pending is not None and not state.is_newer_than(self._pending):
            return
        now = self.hass.loop.time()
        if self._flush_handle is None and now - self._last_push_applied >= PUSH_COALESCE_S:
            self._last_push_applied = now
            self.async_set_state(state)
            return
        self._pending = state
        if self._flush_handle is None:
            self._flush_handle = self.hass.loop.call_at(
                self._last_push_applied + PUSH_COALESCE_S, self._flush
            )

    @callback
    def _flush(self) -> None:
        self._flush_handle = None
        state, self._pending = self._pending, None
        if state is not None:
            self._last_push_applied = self.hass.loop.time()
            self.async_set_state(state)

    @callback
    def _cancel_flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None

    @callback
    def _on_push_connection(self, connected: bool) -> None:
        if connected:
            return
        self.update_interval = FALLBACK_POLL_INTERVAL
        if self.last_update_success:
            LOGGER.debug("%s push channel lost; checking the device", self.info.name)
            self.config_entry.async_create_background_task(
                self.hass,
                self.async_request_refresh(),
                f"{DOMAIN} check {self.config_entry.entry_id}",
            )

    @property
    def stream_connected(self) -> bool:
        """True while the subscription's channel is up (diagnostics): the push, or the polls."""
        return self.subscription.connected
