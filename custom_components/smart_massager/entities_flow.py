"""The form of a massager built from existing entities (config flow and options flow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    DeviceSelector,
    DeviceSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)

from pysmartmassager import Massager
from pysmartmassager.session import MAX_SESSION_MINUTES

from .const import CONF_TRANSPORT, DOMAIN, TRANSPORT_ENTITIES
from .flow_base import FamilyFlow
from .from_entities import (
    BUTTON_DOMAINS,
    CONF_DEFAULT_MINUTES_ENTITIES,
    CONF_GENTLER,
    CONF_HEAT,
    CONF_HIDE_SOURCES,
    CONF_INTENSITY,
    CONF_LEVELS,
    CONF_MAX_MINUTES,
    CONF_MIN_MINUTES,
    CONF_MODE_STEP,
    CONF_MODES,
    CONF_POWER,
    CONF_PROGRAM,
    CONF_RUNNING,
    CONF_RUNNING_ABOVE,
    CONF_STOP,
    CONF_STRONGER,
    CONF_TIMER,
    HEAT_DOMAINS,
    INTENSITY_DOMAINS,
    POWER_DOMAINS,
    PROGRAM_DOMAINS,
    RUNNING_DOMAINS,
    SOURCE_KEYS,
    TIMER_DOMAINS,
    EntitiesMassager,
    async_set_hidden,
    commanded_store,
    domain_of,
    identity_source,
    source_refs,
    sources_as_entity_ids,
    sources_as_refs,
)
from .level_zones import (
    ZONE_IDS,
    ZONE_ROLE_DOMAINS,
    ZONE_ROLES,
    ZONE_SOURCE_KEYS,
    configured_zones,
    zone_key,
)
from .source_roles import CONF_SOURCE_DEVICE, device_timer_for, known_sources, propose_sources

CONF_NAME = "name"
# The form's collapsed section with the zones that have levels of their own (head, foot, wave).
SECTION_ZONES = "zones"


def _entity(domains: list[str], exclude: list[str]) -> EntitySelector:
    return EntitySelector(EntitySelectorConfig(domain=domains, exclude_entities=exclude))


def own_entities(hass: HomeAssistant) -> list[str]:
    """This integration's own entities: a massager is never built from another one's parts."""
    return [
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN
    ]


def _minutes() -> NumberSelector:
    # No maximum in the selector: a longer session gets this form's own error, which names
    # the limit, instead of the selector's generic "too large".
    return NumberSelector(
        NumberSelectorConfig(min=1, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min")
    )


def sources_schema(hass: HomeAssistant, *, with_name: bool) -> vol.Schema:
    """Name (when adding), the entities, and the session lengths."""
    exclude = own_entities(hass)
    fields: dict[Any, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME)] = TextSelector()
    zones = {
        vol.Optional(zone_key(zone, role)): _entity(ZONE_ROLE_DOMAINS[role], exclude)
        for zone in ZONE_IDS
        for role in ZONE_ROLES
    }
    fields.update(
        {
            # Optional: a bed whose massage has no on/off of its own starts by its levels.
            vol.Optional(CONF_POWER): _entity(POWER_DOMAINS, exclude),
            vol.Optional(CONF_STOP): _entity(BUTTON_DOMAINS, exclude),
            vol.Optional(CONF_PROGRAM): _entity(PROGRAM_DOMAINS, exclude),
            vol.Optional(CONF_MODE_STEP): _entity(BUTTON_DOMAINS, exclude),
            vol.Optional(CONF_MODES, default=3): NumberSelector(
                NumberSelectorConfig(min=2, max=20, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Optional(CONF_INTENSITY): _entity(INTENSITY_DOMAINS, exclude),
            vol.Optional(CONF_STRONGER): _entity(BUTTON_DOMAINS, exclude),
            vol.Optional(CONF_GENTLER): _entity(BUTTON_DOMAINS, exclude),
            vol.Optional(CONF_LEVELS, default=5): NumberSelector(
                NumberSelectorConfig(min=2, max=20, step=1, mode=NumberSelectorMode.BOX)
            ),
            # Optional, with no default: a REST client may leave the section out, and a
            # default would stand in for the section's suggested values in the frontend.
            vol.Optional(SECTION_ZONES): section(vol.Schema(zones), {"collapsed": True}),
            vol.Optional(CONF_HEAT): _entity(HEAT_DOMAINS, exclude),
            vol.Optional(CONF_TIMER): _entity(TIMER_DOMAINS, exclude),
            vol.Optional(CONF_RUNNING): _entity(RUNNING_DOMAINS, exclude),
            vol.Optional(CONF_RUNNING_ABOVE, default=5): NumberSelector(
                NumberSelectorConfig(min=0, max=5000, step=0.1, mode=NumberSelectorMode.BOX)
            ),
            # 1: Home Assistant times it to the minute, and routines have 2-minute steps.
            vol.Required(CONF_MIN_MINUTES, default=1): _minutes(),
            vol.Required(CONF_MAX_MINUTES, default=30): _minutes(),
            vol.Required(CONF_DEFAULT_MINUTES_ENTITIES, default=15): _minutes(),
            vol.Required(CONF_HIDE_SOURCES, default=False): BooleanSelector(),
        }
    )
    return vol.Schema(fields)


_WHOLE_NUMBERS = (
    CONF_LEVELS,
    CONF_MODES,
    CONF_MIN_MINUTES,
    CONF_MAX_MINUTES,
    CONF_DEFAULT_MINUTES_ENTITIES,
)
# The parts an entity can play, in the form's order: one entity plays one part.
_PARTS = (
    CONF_POWER,
    CONF_STOP,
    CONF_PROGRAM,
    CONF_MODE_STEP,
    CONF_INTENSITY,
    CONF_STRONGER,
    CONF_GENTLER,
    CONF_HEAT,
    CONF_TIMER,
    CONF_RUNNING,
    *ZONE_SOURCE_KEYS,
)


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Flat entry data (or a proposal) as the form shows it: the zones in their section."""
    values = {key: value for key, value in data.items() if key not in ZONE_SOURCE_KEYS}
    values[SECTION_ZONES] = {key: value for key, value in data.items() if key in ZONE_SOURCE_KEYS}
    return values


def check_sources(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned, flat input, and errors per field (each on the field to change)."""
    flat = {
        **{key: value for key, value in user_input.items() if key != SECTION_ZONES},
        **user_input.get(SECTION_ZONES, {}),
    }
    data = {key: value for key, value in flat.items() if value not in ("", None)}
    errors: dict[str, str] = {}
    for key in _WHOLE_NUMBERS:
        if key in data:
            if not float(data[key]).is_integer():
                errors[key] = "not_whole_number"
            else:
                data[key] = int(data[key])
    if errors:
        return data, errors
    errors.update(_length_errors(data))
    if CONF_INTENSITY in data and (CONF_STRONGER in data or CONF_GENTLER in data):
        errors[CONF_INTENSITY] = "one_intensity_source"
    if CONF_PROGRAM in data and CONF_MODE_STEP in data:
        errors[CONF_MODE_STEP] = "one_program_source"
    zones = configured_zones(data)
    all_zones = [key for key in (CONF_INTENSITY, CONF_STRONGER, CONF_GENTLER) if key in data]
    if zones and all_zones:
        # One owner for each zone's level: an all-zones control beside per-zone ones would
        # leave the counted levels wrong. The massager's intensity sets every zone.
        errors[all_zones[0]] = "intensity_or_zones"
    if CONF_POWER not in data and not (
        CONF_STOP in data and (CONF_INTENSITY in data or any(zone.number for zone in zones))
    ):
        errors[CONF_POWER] = "power_or_stop_and_levels"
    seen: set[str] = set()
    for key in (key for key in _PARTS if key in data):
        if data[key] in seen:
            errors[key] = "entity_used_twice"  # on the field that repeats an earlier one
        seen.add(data[key])
    return data, errors


def _length_errors(data: dict[str, Any]) -> dict[str, str]:
    shortest, longest = data[CONF_MIN_MINUTES], data[CONF_MAX_MINUTES]
    if longest > MAX_SESSION_MINUTES:
        return {CONF_MAX_MINUTES: "longest_over_limit"}
    if shortest > longest:
        return {CONF_MIN_MINUTES: "shortest_over_longest"}
    if not shortest <= data[CONF_DEFAULT_MINUTES_ENTITIES] <= longest:
        return {CONF_DEFAULT_MINUTES_ENTITIES: "minutes_out_of_range"}
    return {}


def _sources(entry: ConfigEntry) -> dict[str, Any]:
    """An entry's sources: the options (the options step changes them) over the entry's data.

    A source the options step cleared is None there: it hides the one in the data beneath.
    """
    return _sources_of(entry.data, entry.options)


def _sources_of(data: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**data, **options}
    return {key: value for key, value in merged.items() if value is not None}


async def _async_sources_taken_out(
    hass: HomeAssistant, entry: ConfigEntry, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """What the options step owes the sources it takes out, before the massager reloads.

    A heat switch taken out while on is switched off: the massager reloaded without it no
    longer owns that heat, so nothing else would. Hiding (with hide_sources on) follows the
    sources, not their roles: a source taken out is shown again unless another massager that
    hides its sources still uses it, and a new one is hidden (the reloaded massager hides its
    sources only when the option itself changes).
    """
    before_refs, after_refs = source_refs(before), source_refs(after)
    heat = before.get(CONF_HEAT)
    if isinstance(heat, str) and heat not in after_refs:
        entity_id = er.async_resolve_entity_id(er.async_get(hass), heat)
        state = hass.states.get(entity_id) if entity_id else None
        if entity_id and state is not None and state.state == STATE_ON:
            await hass.services.async_call(
                domain_of(entity_id), "turn_off", {"entity_id": entity_id}
            )
    if not before.get(CONF_HIDE_SOURCES):
        return
    taken_out = before_refs - after_refs
    async_set_hidden(hass, taken_out - _hidden_by_others(hass, entry.entry_id), hide=False)
    if after.get(CONF_HIDE_SOURCES):
        async_set_hidden(hass, after_refs - before_refs, hide=True)


def _hidden_by_others(hass: HomeAssistant, entry_id: str) -> set[str]:
    """The sources other massagers built from entities hide."""
    refs: set[str] = set()
    for other in hass.config_entries.async_entries(DOMAIN):
        # Only a massager built from entities has sources and hides them: the others' entries
        # hold neither field.
        sources = _sources(other)
        if other.entry_id != entry_id and sources.get(CONF_HIDE_SOURCES):
            refs |= source_refs(sources)
    return refs


def build(hass: HomeAssistant, entry: ConfigEntry) -> Massager:
    """The entry's massager: its sources, the options' changes layered over the entry's data."""
    return EntitiesMassager(hass, entry.entry_id, entry.title, _sources(entry))


def on_remove(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """A removed massager shows again the sources it hid, and its stored commands go."""
    sources = _sources(entry)
    if sources.get(CONF_HIDE_SOURCES):  # only what it hid; not what another massager hides
        refs = source_refs(sources) - _hidden_by_others(hass, entry.entry_id)
        async_set_hidden(hass, refs, hide=False)
    hass.async_create_task(commanded_store(hass, entry.entry_id).async_remove())


class EntitiesFlow(FamilyFlow):
    """The config-flow steps of a massager built from entities: from a device, or picked."""

    def __init__(self) -> None:
        super().__init__()
        self._timer_offered = False
        self._proposal: dict[str, Any] = {}  # the roles proposed from a picked device

    async def async_step_device(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """From a device another integration has (a bed, a plug): its entities proposed."""
        if user_input is not None:
            await self.hass.async_add_executor_job(known_sources)  # read the table off the loop
            name, proposal = propose_sources(self.hass, user_input[CONF_SOURCE_DEVICE])
            if not identity_source(proposal):
                return self.async_show_form(
                    step_id="device",
                    data_schema=_device_schema(),
                    errors={CONF_SOURCE_DEVICE: "no_massage_found"},
                )
            self._proposal = {CONF_NAME: name or "Massager", **proposal}
            return await self.async_step_entities()
        return self.async_show_form(step_id="device", data_schema=_device_schema())

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A massager built from entities Home Assistant already has (a smart plug, ...)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = check_sources(user_input)
            if not errors and (offered := self._offer_device_timer(data)) is not None:
                # The plug has its own countdown: offered once, so the massage also ends while
                # Home Assistant is down. Submitting again without it is the user's choice.
                user_input = {**form_values(data), CONF_TIMER: offered}
                errors = {CONF_TIMER: "device_timer_found"}  # said at the field it filled
            elif not errors:
                name = str(data.pop(CONF_NAME)).strip() or "Massager"
                # Sources by registry id: a source renamed later is followed.
                data = sources_as_refs(self.hass, data)
                await self.async_set_unique_id(f"entities:{identity_source(data)}")
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=name, data={CONF_TRANSPORT: TRANSPORT_ENTITIES, **data}
                )
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(
                sources_schema(self.hass, with_name=True), user_input or form_values(self._proposal)
            ),
            errors=errors,
        )

    def _offer_device_timer(self, data: dict[str, Any]) -> str | None:
        """The power entity's device's own countdown, the first time the form is sent."""
        if self._timer_offered or CONF_TIMER in data or CONF_POWER not in data:
            return None
        self._timer_offered = True
        return device_timer_for(self.hass, data[CONF_POWER])


def _device_schema() -> vol.Schema:
    return vol.Schema({vol.Required(CONF_SOURCE_DEVICE): DeviceSelector(DeviceSelectorConfig())})


class EntitiesOptions(OptionsFlowWithReload):
    """The options step of a massager built from entities: its entities and session lengths."""

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The entities the massager is built from, and its session lengths."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = check_sources(user_input)
            if not errors:
                # Options layer over the entry's data (build() merges them). The form holds
                # every source, so one left empty is cleared (None), not kept from beneath: a
                # running sensor or heat switch taken out must stop being used. The zones only
                # where their section was sent (a REST client may leave it out).
                shown = [
                    key
                    for key in SOURCE_KEYS
                    if key not in ZONE_SOURCE_KEYS or SECTION_ZONES in user_input
                ]
                cleared = dict.fromkeys((key for key in shown if key not in data), None)
                options = {**entry.options, **cleared, **sources_as_refs(self.hass, data)}
                before = _sources(entry)
                after = _sources_of(entry.data, options)
                await _async_sources_taken_out(self.hass, entry, before, after)
                return self.async_create_entry(data=options)
        current = sources_as_entity_ids(self.hass, _sources(entry))
        return self.async_show_form(
            step_id="sources",
            data_schema=self.add_suggested_values_to_schema(
                sources_schema(self.hass, with_name=False), user_input or form_values(current)
            ),
            errors=errors,
        )
