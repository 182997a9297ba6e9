"""Smart Massager: massagers of any transport, with sessions, routines and voice."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from pysmartmassager import Massager, MassagerError, SessionSettings
from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_text

from .card import async_register_card
from .const import (
    CONF_TRANSPORT,
    DOMAIN,
    LOGGER,
    REMOVAL_STOP_TIMEOUT_S,
    TRANSPORT_ENTITIES,
    TRANSPORT_REFERENCE,
)
from .coordinator import (
    MassagerConfigEntry,
    MassagerCoordinator,
    MassagerRuntimeData,
    read_device,
)
from .from_entities import sources_as_refs
from .heat_alone import HeatAloneTimer, async_has_stored_start, async_remove_stored_start
from .routines import RoutineRunner
from .sentences import async_sync_sentences
from .services import async_setup_services
from .session_guard import SessionGuard
from .session_timer import (
    HeatOff,
    SessionTimer,
    async_has_stored_end,
    async_remove_stored_end,
    async_stop_owed_session,
)
from .transport import async_load_transport_data, create_massager, transport_of

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [
    Platform.BUTTON,
    Platform.FAN,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and serve the massage card.

    The actions exist even while no massager is loaded (they give clear errors then).
    """
    async_setup_services(hass)
    await async_load_transport_data(hass)
    await async_register_card(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Build the entry's massager, read its capabilities, start its state feed."""
    try:
        massager = create_massager(hass, entry)
    except (MassagerError, ValueError, KeyError, TypeError) as err:
        # Stored data the transport cannot read (a damaged or hand-edited entry): no retry helps.
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_configuration",
            translation_placeholders={
                "name": entry.title,
                "error": clean_text(str(err), MAX_MESSAGE_LENGTH),
            },
        ) from err
    # Connections the transport holds (a Tuya device's socket) close with the entry, also when
    # its setup fails; callbacks run last-registered first, so this runs after everything else.
    entry.async_on_unload(massager.close)
    try:
        return await _async_set_up(hass, entry, massager)
    except Exception:
        # Whatever failed (the device, a source entity's nonsense, a bug), a session Home
        # Assistant timed that is past its end is stopped before the failure is reported.
        await async_stop_owed_session(hass, entry.entry_id, massager, entry.title)
        raise


async def _async_set_up(
    hass: HomeAssistant, entry: MassagerConfigEntry, massager: Massager
) -> bool:
    info = await read_device(
        massager.get_info(), ConfigEntryNotReady, "cannot_connect", entry.title
    )

    coordinator = MassagerCoordinator(hass, entry, massager, info)
    coordinator.guard = SessionGuard(hass, coordinator)
    entry.async_on_unload(coordinator.guard.async_unload)
    if info.capabilities.heat:
        coordinator.heat_off = HeatOff(hass, coordinator)
        entry.async_on_unload(coordinator.heat_off.async_unload)
        coordinator.heat_alone = HeatAloneTimer(hass, coordinator, coordinator.heat_off)
        entry.async_on_unload(coordinator.heat_alone.async_unload)
        await coordinator.heat_alone.async_load()
    if not info.capabilities.device_timer:
        coordinator.timer = SessionTimer(hass, coordinator, coordinator.heat_off)
        entry.async_on_unload(coordinator.timer.async_unload)
        await coordinator.timer.async_load()
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = MassagerRuntimeData(
        coordinator=coordinator,
        routines=RoutineRunner(hass, entry, coordinator),
    )
    coordinator.start_push()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await async_sync_sentences(hass, arriving=entry)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Bring an older entry up to date.

    1.1 -> 1.2: entries name their transport (all earlier entries are reference devices).
    1.2 -> 1.3: a massager built from entities stores its sources by entity registry id, so a
    source renamed later is followed (an entity without a registry entry keeps its id).
    """
    if entry.version > 1:
        return False  # a downgrade: this version cannot read a newer entry
    if entry.minor_version < 2:  # noqa: PLR2004
        hass.config_entries.async_update_entry(
            entry,
            data={**entry.data, CONF_TRANSPORT: TRANSPORT_REFERENCE},
            minor_version=2,
        )
    if entry.minor_version < 3:  # noqa: PLR2004
        data, options = dict(entry.data), dict(entry.options)
        if data.get(CONF_TRANSPORT) == TRANSPORT_ENTITIES:
            data, options = sources_as_refs(hass, data), sources_as_refs(hass, options)
        hass.config_entries.async_update_entry(entry, data=data, options=options, minor_version=3)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> bool:
    """Unload platforms; push and routine tasks are the entry's background tasks, cancelled with it.

    A routine cancelled here leaves the device's current step to end by the device's own timer.
    """
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_end_what_it_owes(hass: HomeAssistant, entry: MassagerConfigEntry) -> None:
    """The last stop of a massager removed while Home Assistant times it.

    Its session timed by Home Assistant, or its heat left on alone being counted: nothing would
    ever end them after the removal, so they are ended now (one try, bounded in time). Not
    where the entry failed to unload (its own timer still runs and holds the connection), nor
    while its timer's stop is still being tried (a second stop could press a toggle twice).
    With only the heat counted, the state is read first: a session running now is not one
    Home Assistant timed, and only the heat goes off.
    """
    if entry.state is ConfigEntryState.FAILED_UNLOAD or _stop_under_way(entry):
        return
    session = await async_has_stored_end(hass, entry.entry_id)
    if not session and not await async_has_stored_start(hass, entry.entry_id):
        return
    try:
        massager = create_massager(hass, entry)
    except MassagerError, ValueError, KeyError, TypeError:
        return  # a damaged entry: set-up refused it too
    try:
        async with asyncio.timeout(REMOVAL_STOP_TIMEOUT_S):
            state = await (massager.stop() if session else massager.get_state())
            if state.heat and not state.active:
                state = await massager.change_settings(SessionSettings(heat=False))
    except (MassagerError, HomeAssistantError, TimeoutError) as err:
        LOGGER.warning("%s was removed and could not be stopped: %s", entry.title, err)
        return
    finally:
        await massager.close()
    if (session and state.active) or (state.heat and not state.active):
        LOGGER.warning("%s was removed and still reports running or heating", entry.title)
    else:
        LOGGER.info("%s was removed: what Home Assistant was timing on it is off", entry.title)


def _stop_under_way(entry: MassagerConfigEntry) -> bool:
    runtime = getattr(entry, "runtime_data", None)  # never set where set-up failed early
    timer = runtime.coordinator.timer if isinstance(runtime, MassagerRuntimeData) else None
    return timer is not None and timer.stopping


async def async_remove_entry(hass: HomeAssistant, entry: MassagerConfigEntry) -> None:
    """A removed massager leaves the voice sentences (the files go with the last one).

    Its family undoes what the entry did outside itself (the sources an entities one hid).
    """
    try:
        await _async_end_what_it_owes(hass, entry)  # first: an entities one reads its stores
    finally:  # whatever that met, the clean-up runs
        row = transport_of(entry.data)
        if row is not None and row.on_remove is not None:
            row.on_remove(hass, entry)
        await async_remove_stored_end(hass, entry.entry_id)
        await async_remove_stored_start(hass, entry.entry_id)
        await async_sync_sentences(hass, leaving=entry)
