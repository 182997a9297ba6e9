"""Config entry and set-up fixtures, pointing at the emulator from tests/conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from conftest import SERIAL
from custom_components.smart_massager import coordinator as coordinator_module
from custom_components.smart_massager.const import CONF_TOKEN, DOMAIN
from emulators.reference import EmulatorServer
from tests.fake_massager import FakeMassager, registered


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/smart_massager."""


@pytest.fixture(autouse=True)
def config_dir_per_test(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Files the integration writes (voice sentences) go to a folder of this test's own.

    The harness's default config folder sits inside the installed plugin, shared by every test.
    """
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def no_push_coalescing_under_frozen_clock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apply every pushed state at once in tests that freeze the clock.

    The coordinator coalesces pushed states with a loop timer; under the `freezer` fixture the
    loop's clock stands still, so that timer would never fire. The coalescing itself is tested
    with a running clock (test_flood.py).
    """
    if "freezer" in request.fixturenames:
        monkeypatch.setattr(coordinator_module, "PUSH_COALESCE_S", 0.0)


@pytest.fixture
def config_entry(emulator: EmulatorServer, token: str) -> MockConfigEntry:
    """An entry for the emulated massager, as the config flow would create it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Back massager",
        unique_id=SERIAL,
        entry_id="01JSMARTMASSAGER00000000001",
        data={CONF_HOST: emulator.host, CONF_PORT: emulator.port, CONF_TOKEN: token},
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The entry, set up and loaded; unloaded afterwards so no task lingers."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    yield config_entry
    # A test may have removed the entry itself.
    known = hass.config_entries.async_get_entry(config_entry.entry_id) is not None
    if known and config_entry.state.recoverable:
        await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()


def suggested(result: Mapping[str, Any]) -> dict[str, Any]:
    """The values a form shows filled in (its top level; test_beds reads sections too)."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """The entry added and set up (loaded, or not, as the device allows)."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float) -> None:
    """Move the frozen clock and let what is due run.

    Not the background tasks: a push connection or a poller is one, and runs until unloaded.
    """
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def step_wall_clock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    hours: float,
) -> None:
    """Step the wall clock by `hours` (NTP) while the monotonic clock goes on unmoved.

    Under freezegun the loop's clock follows the frozen wall clock; this keeps the loop's clock
    continuous across the step, as a real monotonic clock is: the one thing mocked.
    """
    frozen_loop_time = hass.loop.time
    offset = hours * 3600
    monkeypatch.setattr(hass.loop, "time", lambda: frozen_loop_time() - offset)
    freezer.move_to(dt_util.utcnow() + timedelta(hours=hours))


async def wait_for(
    hass: HomeAssistant,
    condition: Callable[[], bool],
    timeout: float = 5.0,
    *,
    settle: bool = True,
) -> None:
    """Let the loop run (real sockets need real time) until `condition()` is true.

    With the clock frozen (the `freezer` fixture) the loop's own time stands still, so sleeping
    would never end: then it yields with sleep(0), which still lets the loop serve socket I/O,
    and bounds the wait by iterations instead of seconds.

    `settle=False` skips the final async_block_till_done, which would wait for every tracked
    task, including an automation run that is itself waiting (wait_for_trigger).
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(0)  # returns with or without a frozen clock
    frozen = loop.time() == start  # a running clock always moves at nanosecond resolution
    if frozen:
        for _ in range(int(timeout * 50_000)):
            if condition():
                break
            await asyncio.sleep(0)
        else:
            raise TimeoutError("condition not met (frozen clock)")
    else:
        async with asyncio.timeout(timeout):
            # Polling on purpose: the condition spans sockets and states, nothing signals it.
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    if settle:
        await hass.async_block_till_done()


async def setup_assist(hass: HomeAssistant) -> None:
    """Assist: the conversation agent and Home Assistant's own intents."""
    for domain in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, domain, {})
    await hass.async_block_till_done()


@pytest.fixture
async def assist(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> AsyncGenerator[MockConfigEntry]:
    """The integration with Assist (conversation + intents) and the event stream up."""
    await setup_assist(hass)
    await wait_for(hass, lambda: emulator.stream_count == 1)
    yield init_integration
    if init_integration.state is ConfigEntryState.LOADED:
        await init_integration.runtime_data.routines.async_stop()


@pytest.fixture
def fake() -> FakeMassager:
    """The in-memory massager (a module may shape its own under the same name)."""
    return FakeMassager()


@pytest.fixture
def fake_transport(fake: FakeMassager) -> Generator[None]:
    """`fake` is what entries of transport "fake" build, for this test only.

    Used by name: pytestmark = pytest.mark.usefixtures("fake_transport").
    """
    with registered(fake):
        yield
