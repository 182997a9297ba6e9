"""The form of a massager built from existing entities (config flow and options flow)."""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)

from .const import DOMAIN
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
    TIMER_DOMAINS,
)
from .level_zones import (
    ZONE_IDS,
    ZONE_ROLE_DOMAINS,
    ZONE_ROLES,
    ZONE_SOURCE_KEYS,
    configured_zones,
    zone_key,
)

CONF_NAME = "name"
# The form's collapsed section with the zones that have levels of their own (head, foot, wave).
SECTION_ZONES = "zones"
# Longest session a user may choose for a massager that cannot time itself (consumer massagers
# commonly stop after 15-30 minutes; shared/design/massage-techniques.md).
MAX_SESSION_MINUTES = 60


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
