"""Which massager a voice request means: the only one, or the one named, or the one in the area."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .coordinator import MassagerConfigEntry
from .speech import SpokenRefusal, join_choices, say


def _normalise(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


def resolve_massager(
    hass: HomeAssistant,
    language: str,
    name: str | None,
    area: str | None,
    *,
    device_id: str | None = None,
) -> MassagerConfigEntry:
    """The one massager meant, or SpokenRefusal with a question or an explanation.

    Unnamed ("the massager"): the only one; else the one in the speaker's area (the voice
    satellite's); else the "which one" question.
    """
    entries: list[MassagerConfigEntry] = list(hass.config_entries.async_entries(DOMAIN))
    device_registry = dr.async_get(hass)
    area_registry = ar.async_get(hass)
    candidates = entries
    if name:
        wanted = _normalise(name)
        candidates = [
            entry
            for entry in candidates
            if _normalise(entry.title) == wanted
            or _normalise(entry.title).removesuffix(" massage") == wanted
        ]
    if area:
        wanted_area = _normalise(area)

        def in_area(entry: MassagerConfigEntry) -> bool:
            for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id):
                area_entry = area_registry.async_get_area(device.area_id or "")
                if area_entry is not None and _normalise(area_entry.name) == wanted_area:
                    return True
            return False

        candidates = [entry for entry in candidates if in_area(entry)]
    if not candidates:
        raise SpokenRefusal(say(language, "no_massager"))
    if len(candidates) > 1 and not name and not area and device_id:
        speaker = device_registry.async_get(device_id)
        if speaker is not None and speaker.area_id:
            here = [
                entry
                for entry in candidates
                if any(
                    device.area_id == speaker.area_id
                    for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
                )
            ]
            if len(here) == 1:
                candidates = here
    if len(candidates) > 1:
        names = join_choices(language, sorted(entry.title for entry in candidates))
        raise SpokenRefusal(say(language, "ambiguous", names=names))
    entry = candidates[0]
    if entry.state is not ConfigEntryState.LOADED:
        raise SpokenRefusal(say(language, "not_ready", name=entry.title))
    return entry
