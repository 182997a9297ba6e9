"""Assist sentence files: generated from what the massagers report, installed and kept in sync.

Files go to <config>/custom_sentences/<language>/smart_massager.yaml, the folder Assist's default
agent reads. The first line carries a checksum of the rest: a file whose checksum still matches
is ours and is rewritten or removed freely; a file someone edited is left alone, and a repair
issue explains how to get updates again. After every change the conversation agent reloads.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.yaml import dump

from pysmartmassager import Choice
from pysmartmassager.const import MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from pysmartmassager.decoding import clean_text

from .const import CONF_INSTALL_SENTENCES, DOMAIN, LOGGER
from .coordinator import MassagerConfigEntry
from .languages import LANGUAGES, Language
from .repair_issues import raise_issue
from .routine_catalogue import BUILTIN_ROUTINES

FILE_NAME = f"{DOMAIN}.yaml"
HEADER = "# Managed by Smart Massager (checksum {checksum}); edit it and it is left alone.\n"
HEADER_PATTERN = re.compile(r"^# Managed by Smart Massager \(checksum ([0-9a-f]{64})\)")

# Program and zone names come from the device and are written as list values, which hassil
# parses as templates: one unbalanced "[" would make the whole file, and with it every sentence
# of the language (Home Assistant's own included), fail to load, at every start. So these
# characters never reach the file: optional [], group (), list {}, rule <>, alternative |,
# permutation ;, escape \ and @ (hassil.parser, hassil.util.TEMPLATE_SYNTAX).
_TEMPLATE_SYNTAX = re.compile(r"[\[\](){}<>|;\\@]")
# Whatever the library lets through, the file stays small and loads quickly.
MAX_CHOICES = 64


def _spoken(text: str) -> str:
    """A name as it is spoken: lower case, no hyphens (Assist normalises input likewise)."""
    return text.casefold().replace("-", " ")


def _literal(text: str) -> str:
    """A device-supplied name as plain words for a list's `in`: capped, no template syntax.

    Syntax and control characters become spaces, so "Knead (left" is still said "knead left".
    """
    # Cleaned with room to spare, so that the cut below (not clean_text's ellipsis) ends it.
    text = clean_text(text, MAX_MESSAGE_LENGTH)
    # Capped last: case folding can lengthen a name ("ß" becomes "ss").
    return " ".join(_TEMPLATE_SYNTAX.sub(" ", _spoken(text)).split())[:MAX_NAME_LENGTH].rstrip()


def _choices(choices: tuple[Choice, ...]) -> dict[str, str]:
    """One massager's programs or zones as id -> name, capped in number and length.

    An id is never shortened (a shortened id names nothing on the device): one that is too long
    is left out, like the choices past the cap.
    """
    return {
        choice.id: choice.name
        for choice in choices[:MAX_CHOICES]
        if len(choice.id) <= MAX_NAME_LENGTH
    }


def _values(names: dict[str, str]) -> list[dict[str, str]]:
    """List values: the spoken name in, the id out; a name with no words left falls back."""
    values = []
    for key, name in sorted(names.items()):
        if spoken := _literal(name) or _literal(key.replace("_", " ")):
            values.append({"in": spoken, "out": key})
    return values


def sentence_file(language: str, entries: list[MassagerConfigEntry]) -> dict[str, Any]:
    """The hassil document for `language`, with program and zone names from the devices."""
    programs: dict[str, str] = {}
    zones: dict[str, str] = {}
    level_zones: set[str] = set()
    for entry in entries:
        caps = entry.runtime_data.info.capabilities
        programs.update(_choices(caps.programs))
        zones.update(_choices(caps.zones))
        zones.update(_choices(tuple(Choice(zone.id, zone.name) for zone in caps.level_zones)))
        level_zones.update(zone.id for zone in caps.level_zones)
    words = LANGUAGES[language]
    programs = {key: words.program_names.get(key, name) for key, name in programs.items()}
    zones = {key: words.zone_names.get(key, name) for key, name in zones.items()}
    zone_values = _values(zones)
    if words.zone_ids_spoken:  # "on my lower back"
        zone_values += _values({key: key.replace("_", " ") for key in zones})
    zone_values += [  # declined forms: "am unteren Rücken", "an den Schultern"
        {"in": alias, "out": key}
        for key, aliases in words.zone_aliases.items()
        if key in zones
        for alias in aliases
    ]
    zone_values += [
        {"in": word, "out": zone}
        for zone in sorted(level_zones)
        for word in words.level_zone_words.get(zone, [])
    ]
    zone_massage = [
        {"in": word, "out": zone}
        for zone in sorted(level_zones)
        for word in words.zone_massage.get(zone, [])
    ]
    return {
        "language": language,
        "expansion_rules": words.rules,
        "intents": {
            intent_type: {"data": _data_blocks(sentences)}
            for intent_type, sentences in words.sentences.items()
        },
        "lists": {
            "program": {"values": _unique(_values(programs))},
            "program_name": {"wildcard": True},
            "zone": {"values": _unique(zone_values)},
            # hassil needs every list a sentence names, even with no values (no level zones).
            "zone_massage": {"values": zone_massage},
            "routine": {"values": routine_values(words)},
            "activity": {"values": _grouped(words.activities)},
            "heat_state": {
                "values": [{"in": word, "out": out} for word, out in words.heat_states.items()]
            },
            # Wider than any device's range on purpose: "intensity 15" must reach the handler,
            # which answers with the allowed range instead of "I did not understand".
            "intensity": {"range": {"from": 0, "to": 100}},
            "minutes": {"range": {"from": 1, "to": 240}},
            "levels": {"range": {"from": 1, "to": 10}},
        },
    }


def _data_blocks(sentences: list[str | dict[str, object]]) -> list[dict[str, object]]:
    """Plain sentences in one block; blocks with fixed slots as they are."""
    plain = [sentence for sentence in sentences if isinstance(sentence, str)]
    blocks = [block for block in sentences if isinstance(block, dict)]
    return [{"sentences": plain}, *blocks] if plain else blocks


def routine_values(words: Language) -> list[dict[str, str]]:
    """Each built-in routine by its name, its aliases, and any part of them no other has.

    "the shoulder routine" finds quick shoulder release; "back" alone names two routines and is
    left out (a part that is only filler words is too).
    """
    names = {
        routine: [_spoken(words.routine_names[routine]), *aliases]
        for routine, aliases in words.routine_aliases.items()
        if routine in BUILTIN_ROUTINES
    }
    parts: dict[str, set[str]] = {}
    for routine, spoken_names in names.items():
        for name in spoken_names:
            said_words = name.split()
            for first in range(len(said_words)):
                for last in range(first + 1, len(said_words) + 1):
                    part = said_words[first:last]
                    if not set(part) <= words.filler:
                        parts.setdefault(" ".join(part), set()).add(routine)
    said: dict[str, str] = {name: routine for routine, spoken in names.items() for name in spoken}
    said |= {part: next(iter(owners)) for part, owners in parts.items() if len(owners) == 1}
    return _grouped(said)


def _grouped(words: dict[str, str]) -> list[dict[str, str]]:
    """One list value per output, its words as alternatives: the same match, a smaller file.

    Only for our own words: device-supplied names never become templates (see _literal).
    """
    by_out: dict[str, list[str]] = {}
    for word, out in words.items():
        by_out.setdefault(out, []).append(word)
    return [
        {"in": f"({'|'.join(sorted(alternatives))})", "out": out}
        for out, alternatives in by_out.items()
    ]


def _unique(values: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    unique = []
    for value in values:
        if value["in"] not in seen:
            seen.add(value["in"])
            unique.append(value)
    return unique


def render(document: dict[str, Any]) -> str:
    """The file's text: checksum header, then the YAML."""
    body = dump(document)
    return HEADER.format(checksum=hashlib.sha256(body.encode()).hexdigest()) + body


def is_ours_unmodified(text: str) -> bool:
    """True when the file is one we wrote and nobody changed since."""
    first, _, body = text.partition("\n")
    match = HEADER_PATTERN.match(first)
    return match is not None and match.group(1) == hashlib.sha256(body.encode()).hexdigest()


def _sync_file(path: Path, text: str | None) -> str:
    """Write (text) or remove (None) our file; returns 'written', 'removed', 'kept' or 'edited'."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if not is_ours_unmodified(current):
            return "edited"
        if text is None:
            path.unlink()
            return "removed"
        if current == text:
            return "kept"
    elif text is None:
        return "kept"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return "written"


async def async_sync_sentences(
    hass: HomeAssistant,
    *,
    arriving: MassagerConfigEntry | None = None,
    leaving: MassagerConfigEntry | None = None,
) -> None:
    """Install, update or remove the sentence files to match the loaded massagers' options.

    `arriving` is an entry being set up (not yet LOADED, but it counts); `leaving` is one being
    removed (it no longer counts).
    """
    entries: list[MassagerConfigEntry] = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry is not leaving and (entry is arriving or entry.state is ConfigEntryState.LOADED)
    ]
    wanted = [entry for entry in entries if entry.options.get(CONF_INSTALL_SENTENCES, True)]
    changed = False
    for language in LANGUAGES:
        path = Path(hass.config.path("custom_sentences", language, FILE_NAME))
        text = render(sentence_file(language, wanted)) if wanted else None
        outcome = await hass.async_add_executor_job(_sync_file, path, text)
        issue_id = f"sentences_edited_{language}"
        if outcome == "edited":
            raise_issue(
                hass,
                issue_id,
                "sentences_edited",
                severity=ir.IssueSeverity.WARNING,
                path=str(path),
            )
        else:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
        if outcome in ("written", "removed"):
            LOGGER.debug("Voice sentences %s: %s", outcome, path)
            changed = True
    if changed:
        await _reload_assist(hass)


async def _reload_assist(hass: HomeAssistant) -> None:
    """Make Assist's default agent read the sentence files again.

    The agent's own reload clears its cached sentences; the `conversation.reload` action would
    also re-read configuration.yaml, which this change does not need. A failure is logged and
    never fails the caller: the new sentences then load at the next restart.
    """
    if "conversation" not in hass.config.components:
        return  # not loaded yet: it reads the files when it starts
    from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
        async_get_agent,  # imported only once conversation is loaded
    )

    agent = async_get_agent(hass)
    reload = getattr(agent, "async_reload", None)
    if reload is None:
        return
    try:
        await reload()
    except Exception:  # noqa: BLE001  # see docstring: never fail set-up over a reload
        LOGGER.warning("Assist could not reload its sentences; they apply after a restart")
