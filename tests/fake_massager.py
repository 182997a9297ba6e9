"""An in-memory massager behind the `Massager` interface, for the transport-neutral tests.

It stands in for a device family this repository cannot run for real here: one with no timer of
its own (Home Assistant must end its sessions) and no push channel (the library's poller
reads it). It keeps real
session state and refuses what a device would refuse; `reachable = False` makes every call fail
like an unreachable device. It is registered with the factory only inside tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager.const import CONF_TRANSPORT, DOMAIN, TRANSPORT_REFERENCE
from custom_components.smart_massager.transport import TRANSPORTS, Transport
from pysmartmassager import (
    Capabilities,
    Choice,
    ConnectionCallback,
    DeviceInfo,
    LevelRange,
    Massager,
    MassagerConnectionError,
    MassagerInvalidStateError,
    MassagerResponseError,
    SessionSettings,
    SessionState,
    StateCallback,
    Status,
)
from pysmartmassager.massager import refuse_heat_level
from pysmartmassager.polling import PollingSubscription
from pysmartmassager.reconnect import Backoff

# Polled quickly during a session (a press on the device shows within seconds), slowly when idle.
ACTIVE_POLL_S = 2.0
IDLE_POLL_S = 30.0

FAKE_CAPABILITIES = Capabilities(
    programs=(Choice("kneading", "Kneading"), Choice("shiatsu", "Shiatsu")),
    zones=(Choice("shoulders", "Shoulders"), Choice("lower_back", "Lower back")),
    intensity=LevelRange(1, 5),
    session_minutes=LevelRange.of((10, 15, 20, 30)),
    default_minutes=15,
    heat=True,
    pause=False,
    pause_timeout_minutes=None,
    device_timer=False,
)


@dataclass
class FakeMassager(Massager):
    """A timerless, push-less massager held in memory."""

    capabilities: Capabilities = FAKE_CAPABILITIES
    serial: str = "FAKE-0001"
    name: str = "Cushion"
    reachable: bool = True
    status: Status = Status.IDLE
    program: str = "kneading"
    zone: str = "shoulders"
    intensity: int = 3
    heat: bool = False
    minutes: int = 15
    started_at: datetime | None = None
    # What the device reports as its end time (None: it has no timer, so it reports none).
    reported_ends_at: datetime | None = None
    commands: list[str] = field(default_factory=list)
    revision: int = 0
    # Firmware whose heat ignores every "off" (stop and heat-off alike).
    heat_sticks: bool = False
    # Identity and capabilities that cannot be read (a set-up that fails past the state).
    info_fails: bool = False
    poller: PollingSubscription | None = None

    def _check(self, command: str | None = None) -> None:
        if not self.reachable:
            raise MassagerConnectionError(f"{self.name} is unreachable")
        if command is not None:
            self.commands.append(command)

    def state(self) -> SessionState:
        """What the device reports now."""
        self.revision += 1
        return SessionState(
            status=self.status,
            program=self.program,
            zone=self.zone,
            intensity=self.intensity,
            heat=self.heat,
            minutes=self.minutes,
            started_at=self.started_at,
            ends_at=self.reported_ends_at,
            remaining_s=0,
            pause_expires_at=None,
            error=None,
            revision=self.revision,
        )

    def press_start(self) -> None:
        """Someone pressed the massager's own button."""
        self.status, self.started_at = Status.RUNNING, dt_util.utcnow()

    async def get_info(self) -> DeviceInfo:
        """Identity and capabilities."""
        self._check()
        if self.info_fails:
            raise MassagerResponseError("capabilities unreadable")
        return DeviceInfo(
            serial=self.serial,
            name=self.name,
            model="Fake cushion",
            manufacturer="Tests",
            firmware="0",
            capabilities=self.capabilities,
        )

    async def get_state(self) -> SessionState:
        """The current state."""
        self._check()
        return self.state()

    async def start_session(self, settings: SessionSettings | None = None) -> SessionState:
        """Start; refused while a session runs (nothing restarts one)."""
        self._check("start")
        if self.status in (Status.RUNNING, Status.PAUSED):
            raise MassagerInvalidStateError("already running", code="session_active")
        self._apply(settings or SessionSettings())
        self.status, self.started_at = Status.RUNNING, dt_util.utcnow()
        return self._answer()

    async def change_settings(self, settings: SessionSettings) -> SessionState:
        """Change settings."""
        self._check("change")
        self._apply(settings)
        return self._answer()

    async def pause(self) -> SessionState:
        """This device cannot pause."""
        self._check("pause")
        raise MassagerInvalidStateError("cannot pause", code="invalid_state")

    async def resume(self) -> SessionState:
        """This device cannot pause, so nothing resumes."""
        self._check("resume")
        raise MassagerInvalidStateError("cannot resume", code="invalid_state")

    async def stop(self) -> SessionState:
        """Stop; heat goes off with the session."""
        self._check("stop")
        self.status, self.started_at = Status.IDLE, None
        self.heat = self.heat and self.heat_sticks
        self.reported_ends_at = None
        return self._answer()

    def subscribe(
        self, on_state: StateCallback, on_connection: ConnectionCallback | None = None
    ) -> PollingSubscription:
        """No push: the library's poller, at the pace of a slow cloud-less device."""
        self.poller = PollingSubscription(
            self,
            on_state,
            on_connection,
            active_s=ACTIVE_POLL_S,
            idle_s=IDLE_POLL_S,
            retry=Backoff(ACTIVE_POLL_S, IDLE_POLL_S),
        )
        return self.poller

    def _answer(self) -> SessionState:
        """A command's answer; the poller looks again at once (a session just started)."""
        if self.poller is not None:
            self.poller.wake()
        return self.state()

    def _apply(self, settings: SessionSettings) -> None:
        refuse_heat_level(settings)  # its heat is on/off: a level is refused, as a device would
        for key, value in settings.as_dict().items():
            if key == "heat" and not value and self.heat_sticks:
                continue
            setattr(self, key, value)

    def ends_in(self, minutes: float) -> datetime:
        """A time `minutes` from now (test helper)."""
        return dt_util.utcnow() + timedelta(minutes=minutes)


def fake_row(fake: FakeMassager) -> Transport:
    """A registry row that builds `fake`: entries with transport "fake" get it.

    The flow fields are the reference row's (no test adds a fake through the flow); it has no
    secrets, no device page and no data files.
    """
    return replace(
        TRANSPORTS[TRANSPORT_REFERENCE],
        id="fake",
        build=lambda _hass, _entry: fake,
        secrets=frozenset(),
        device_page=None,
    )


@contextmanager
def registered(fake: FakeMassager) -> Iterator[None]:
    """`fake` is what entries with transport "fake" build, for as long as this lasts."""
    TRANSPORTS["fake"] = fake_row(fake)
    try:
        yield
    finally:
        del TRANSPORTS["fake"]


def fake_entry() -> MockConfigEntry:
    """The fake's entry, as a flow would store it (at an older minor version: it is migrated)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Cushion",
        unique_id="FAKE-0001",
        version=1,
        minor_version=2,
        data={CONF_TRANSPORT: "fake"},
    )
