"""Roles proposed from a device's entities: the device-first way to build a massager.

A device another integration already has (a bed base from Adjustable Bed, an ESPHome build, a
plug) is picked; its entities are matched to the entities form's fields, first by the stable
keys of integrations that data/known_sources.json covers (their unique ids end in the key, and
the key is their translation key), then by domain, device class and name words in English and
German. The result only prefills the form: the user confirms or changes every role.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .from_entities import (
    CONF_GENTLER,
    CONF_INTENSITY,
    CONF_STRONGER,
    SOURCE_KEYS,
    identity_source,
)
from .level_zones import GENTLER, NUMBER, STRONGER, ZONE_IDS, configured_zones, zone_key

CONF_SOURCE_DEVICE = "device"  # the device form's field
_DATA = Path(__file__).parent / "data" / "known_sources.json"
# The fields the name words can fill, in the order they are tried: an entity takes one role.
_WORD_ROLES = (
    "stop_entity",
    "stronger_entity",
    "gentler_entity",
    "timer_entity",
    "heat_entity",
    "intensity_entity",
    "program_entity",
    "running_entity",
    "power_entity",
)


@cache
def known_sources() -> dict[str, Any]:
    """The table of known integrations and name words (read once, in an executor)."""
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


def _key_of(entry: er.RegistryEntry) -> str | None:
    """The stable key a known integration gives an entity (translation key, unique id tail)."""
    return entry.translation_key or None


def _by_keys(entries: list[er.RegistryEntry], table: dict[str, Any]) -> dict[str, str]:
    proposal: dict[str, str] = {}
    for role, keys in table["roles"].items():
        for key in keys:  # the first key present wins: an all-zones entity before one zone's
            match = next(
                (
                    entry.entity_id
                    for entry in entries
                    if _key_of(entry) == key or str(entry.unique_id).endswith(f"_{key}")
                ),
                None,
            )
            if match is not None:
                proposal[role] = match
                break
    return proposal


def _words_of(hass: HomeAssistant, entry: er.RegistryEntry) -> str:
    state = hass.states.get(entry.entity_id)
    names = [
        entry.name,
        entry.original_name,
        entry.translation_key,
        entry.entity_id.split(".", 1)[1].replace("_", " "),
        state.attributes.get("friendly_name") if state else None,
    ]
    text = " ".join(str(name).casefold() for name in names if name)
    return re.sub(r"[^\w]+", " ", text)  # "Auto-off" and "auto_off" read as "auto off"


def _named(text: str, words: list[str]) -> bool:
    """Whether one of `words` is a word of `text` (a phrase: anywhere in it)."""
    tokens = set(text.split())
    return any(word in tokens if " " not in word else word in text for word in words)


def _by_words(
    hass: HomeAssistant, entries: list[er.RegistryEntry], words: dict[str, Any]
) -> dict[str, str]:
    proposal: dict[str, str] = {}
    taken: set[str] = set()
    for role in _WORD_ROLES:
        rule = words[role]
        for entry in entries:
            if entry.entity_id in taken or entry.domain not in rule["domains"]:
                continue
            device_class = entry.device_class or entry.original_device_class
            if _named(_words_of(hass, entry), rule["words"]) or (
                rule.get("device_class") is not None and device_class == rule["device_class"]
            ):
                proposal[role] = entry.entity_id
                taken.add(entry.entity_id)
                break
    return proposal


def device_timer_for(hass: HomeAssistant, entity_id: str) -> str | None:
    """A countdown on the same device as `entity_id` (a smart plug's auto-off), if it has one.

    Found by the timer role's domains and name words (data/known_sources.json).
    """
    registry = er.async_get(hass)
    source = registry.async_get(entity_id)
    if source is None or source.device_id is None:
        return None
    rule = known_sources()["words"]["timer_entity"]
    return next(
        (
            entry.entity_id
            for entry in er.async_entries_for_device(registry, source.device_id)
            if entry.platform != DOMAIN
            and entry.domain in rule["domains"]
            and _named(_words_of(hass, entry), rule["words"])
        ),
        None,
    )


def propose_sources(hass: HomeAssistant, device_id: str) -> tuple[str, dict[str, str]]:
    """The device's name and the roles proposed for its entities (entity ids by field)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return "", {}
    entries = [
        entry
        for entry in er.async_entries_for_device(
            er.async_get(hass), device_id, include_disabled_entities=False
        )
        if entry.platform != DOMAIN
    ]
    data = known_sources()
    proposal: dict[str, str] = {}
    for platform in {entry.platform for entry in entries}:
        if (table := data["integrations"].get(platform)) is not None:
            proposal.update(_by_keys([e for e in entries if e.platform == platform], table))
    if not identity_source(proposal):
        # No table (or the table found nothing to switch): the name words, for what is open.
        taken = set(proposal.values())
        by_words = _by_words(hass, [e for e in entries if e.entity_id not in taken], data["words"])
        proposal = {**by_words, **proposal}
    # Stepping buttons are only offered when there is no number to set directly, and controls
    # of all zones only when there are no per-zone ones (one owner for each zone's level).
    for zone in ZONE_IDS:
        if zone_key(zone, NUMBER) in proposal:
            proposal.pop(zone_key(zone, STRONGER), None)
            proposal.pop(zone_key(zone, GENTLER), None)
    if configured_zones(dict(proposal)):
        for key in (CONF_INTENSITY, CONF_STRONGER, CONF_GENTLER):
            proposal.pop(key, None)
    if CONF_INTENSITY in proposal:
        proposal.pop(CONF_STRONGER, None)
        proposal.pop(CONF_GENTLER, None)
    name = device.name_by_user or device.name or ""
    return name, {key: value for key, value in proposal.items() if key in SOURCE_KEYS}
