"""What the massager says back to voice requests, in the request's language.

The words are each language's (languages/); this module is how any language says them. Program
and zone names come from the device unless the language has a name for the id.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_text

from .const import DOMAIN
from .languages import language_of


class SpokenRefusal(Exception):  # noqa: N818  # a refusal to speak, not an error condition
    """A request that is not carried out; the message is what the assistant says instead."""


def say(language: str, key: str, **values: object) -> str:
    """The response `key` in `language` (English when the language has no responses).

    Every answer goes to a speaker, a chat or an LLM tool result and may quote device text (a
    program name the device pushed, an error): each value is cleaned here, whatever the
    transport did.
    """
    responses = language_of(language).responses
    cleaned = {
        name: value if isinstance(value, int) else clean_text(str(value), MAX_MESSAGE_LENGTH)
        for name, value in values.items()
    }
    return responses[key].format(**cleaned)


def spoken_failure(language: str, err: SpokenRefusal | HomeAssistantError) -> str:
    """What the assistant says instead of doing what was asked.

    A SpokenRefusal is said as it is. validation.py's refusal (its check is validation.py's
    alone) is said in the language's own, shorter words where a response key is its
    translation key ("invalid_intensity"); any other failure, already translated, is quoted.
    """
    if isinstance(err, SpokenRefusal):
        return str(err)
    key = err.translation_key
    if (
        isinstance(err, ServiceValidationError)
        and err.translation_domain == DOMAIN
        and key in language_of(language).responses
    ):
        return say(language, key, **(err.translation_placeholders or {}))
    return say(language, "failed", error=err)


def program_name(language: str, program_id: str, device_names: dict[str, str]) -> str:
    """A program's spoken name: the language's for a known id, else the device's name."""
    if name := language_of(language).program_names.get(program_id):
        return name
    return device_names.get(program_id, program_id.replace("_", " ")).lower()


def zone_name(language: str, zone_id: str, device_names: dict[str, str]) -> str:
    """A zone's spoken name."""
    if name := language_of(language).zone_names.get(zone_id):
        return name
    return device_names.get(zone_id, zone_id.replace("_", " ")).lower()


def routine_name(language: str, routine_id: str) -> str:
    """A built-in routine's spoken name."""
    return language_of(language).routine_names.get(routine_id, routine_id.replace("_", " "))


def join_choices(language: str, names: list[str]) -> str:
    """'a, b or c' in the language."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + say(language, "or") + names[-1]
