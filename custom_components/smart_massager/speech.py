"""What the massager says back to voice requests, per language (English and German).

Program and zone names come from the device; for the reference catalogue's ids there are German
names, so a German answer does not switch to English mid-sentence.
"""

from __future__ import annotations

from pysmartmassager.const import MAX_MESSAGE_LENGTH
from pysmartmassager.decoding import clean_text


class SpokenRefusal(Exception):  # noqa: N818  # a refusal to speak, not an error condition
    """A request that is not carried out; the message is what the assistant says instead."""


PROGRAM_NAMES_DE: dict[str, str] = {
    "warm_up_glide": "Aufwärm-Streichen",
    "palm_circles": "Handflächenkreise",
    "finger_press": "Fingerdruck",
    "thumb_glide": "Daumenstreichen",
    "trigger_point": "Triggerpunkt",
    "ball_roll": "Ballrollen",
    "kneading": "Kneten",
    "shiatsu": "Shiatsu",
    "tapping": "Klopfen",
    "rolling": "Rollen",
}
ZONE_NAMES_DE: dict[str, str] = {
    "shoulders": "Schultern",
    "upper_back": "oberer Rücken",
    "lower_back": "unterer Rücken",
    "full_back": "ganzer Rücken",
    "head": "Kopf",
    "foot": "Füße",
    "wave": "Lendenbereich",
}
ROUTINE_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "evening_back_pain_relief": "evening back-pain relief",
        "quick_shoulder_release": "quick shoulder release",
        "lower_back_recovery": "lower-back recovery",
    },
    "de": {
        "evening_back_pain_relief": "Abendliche Rückenentlastung",
        "quick_shoulder_release": "Schnelle Schulterlockerung",
        "lower_back_recovery": "Erholung für den unteren Rücken",
    },
}

RESPONSES: dict[str, dict[str, str]] = {
    "en": {
        "started": (
            "Started {program} on your {zone} for {minutes} minutes at intensity {intensity}."
        ),
        "routine_started": "Starting {routine}: {steps} steps, {minutes} minutes.",
        "gentler": "Gentler: intensity {intensity} of {max}.",
        "firmer": "Firmer: intensity {intensity} of {max}.",
        "at_limit_gentle": "It is already as gentle as it goes: intensity {intensity}.",
        "at_limit_firm": "It is already as firm as it goes: intensity {intensity}.",
        "heat_on": "Heat is on.",
        "heat_off": "Heat is off.",
        "paused": "Paused the massage.",
        "resumed": "Resumed the massage.",
        "stopped": "Stopped the massage.",
        "time_left": "{minutes} minutes left.",
        "intensity_set": "Intensity {intensity} of {max}.",
        "status_running": (
            "It is running {program} on your {zone} at intensity {intensity},"
            " {minutes} minutes left."
        ),
        "yes": "Yes. {summary}",
        "no": "No. {summary}",
        "time_left_paused": "Paused, with {minutes} minutes left.",
        "program_running": "{program} on your {zone}, intensity {intensity}.",
        "not_running": "No massage is running.",
        "unknown_program": "I don't know the program {value}. You can choose {allowed}.",
        "unknown_zone": "I can't massage {value}. You can choose {allowed}.",
        "bad_intensity": "Intensity goes from {min} to {max}.",
        "bad_minutes": "A session can be {min} to {max} minutes.",
        "no_heat": "This massager has no heat.",
        "no_levels": "This massager has no intensity levels.",
        "no_zone_levels": "This massager's zones have no intensity of their own.",
        "zone_level_unknown": (
            "I can't tell the {zone} level right now, so I can't step it. Say a level instead."
        ),
        "session_active": 'A massage is already running. Say "stop the massage" first.',
        "ambiguous": "Which massager do you mean: {names}?",
        "no_massager": "I could not find that massager.",
        "not_ready": "{name} is not reachable right now.",
        "failed": "The massager did not do that: {error}",
        "or": " or ",
    },
    "de": {
        "started": "{program} am {zone} für {minutes} Minuten mit Stufe {intensity} gestartet.",
        "routine_started": "Starte {routine}: {steps} Schritte, {minutes} Minuten.",
        "gentler": "Sanfter: Stufe {intensity} von {max}.",
        "firmer": "Fester: Stufe {intensity} von {max}.",
        "at_limit_gentle": "Sanfter geht es nicht: Stufe {intensity}.",
        "at_limit_firm": "Fester geht es nicht: Stufe {intensity}.",
        "heat_on": "Wärme ist an.",
        "heat_off": "Wärme ist aus.",
        "paused": "Massage pausiert.",
        "resumed": "Massage fortgesetzt.",
        "stopped": "Massage gestoppt.",
        "time_left": "Noch {minutes} Minuten.",
        "intensity_set": "Stufe {intensity} von {max}.",
        "status_running": (
            "Es läuft {program} am {zone} mit Stufe {intensity}, noch {minutes} Minuten."
        ),
        "yes": "Ja. {summary}",
        "no": "Nein. {summary}",
        "time_left_paused": "Pausiert, noch {minutes} Minuten.",
        "program_running": "{program} am {zone}, Stufe {intensity}.",
        "not_running": "Es läuft keine Massage.",
        "unknown_program": "Das Programm {value} kenne ich nicht. Möglich sind {allowed}.",
        "unknown_zone": "{value} kann ich nicht massieren. Möglich sind {allowed}.",
        "bad_intensity": "Die Stufe geht von {min} bis {max}.",
        "bad_minutes": "Eine Sitzung dauert {min} bis {max} Minuten.",
        "no_heat": "Dieses Massagegerät hat keine Wärme.",
        "no_levels": "Dieses Massagegerät hat keine Intensitätsstufen.",
        "no_zone_levels": "Die Zonen dieses Massagegeräts haben keine eigene Stufe.",
        "zone_level_unknown": (
            "Die Stufe für {zone} ist gerade nicht bekannt, deshalb kann ich sie nicht "
            "schrittweise ändern. Nenne bitte eine Stufe."
        ),
        "session_active": 'Es läuft schon eine Massage. Sage zuerst "stoppe die Massage".',
        "ambiguous": "Welches Massagegerät meinst du: {names}?",
        "no_massager": "Ich habe dieses Massagegerät nicht gefunden.",
        "not_ready": "{name} ist gerade nicht erreichbar.",
        "failed": "Das Massagegerät hat das nicht gemacht: {error}",
        "or": " oder ",
    },
}


def say(language: str, key: str, **values: object) -> str:
    """The response `key` in `language` (English when the language has no responses).

    Every answer goes to a speaker, a chat or an LLM tool result and may quote device text (a
    program name the device pushed, an error): each value is cleaned here, whatever the
    transport did.
    """
    responses = RESPONSES.get(language.split("-", maxsplit=1)[0], RESPONSES["en"])
    cleaned = {
        name: value if isinstance(value, int) else clean_text(str(value), MAX_MESSAGE_LENGTH)
        for name, value in values.items()
    }
    return responses[key].format(**cleaned)


def program_name(language: str, program_id: str, device_names: dict[str, str]) -> str:
    """A program's spoken name: German for known ids in German, else the device's name."""
    if language.startswith("de") and program_id in PROGRAM_NAMES_DE:
        return PROGRAM_NAMES_DE[program_id]
    return device_names.get(program_id, program_id.replace("_", " ")).lower()


def zone_name(language: str, zone_id: str, device_names: dict[str, str]) -> str:
    """A zone's spoken name."""
    if language.startswith("de") and zone_id in ZONE_NAMES_DE:
        return ZONE_NAMES_DE[zone_id]
    return device_names.get(zone_id, zone_id.replace("_", " ")).lower()


def routine_name(language: str, routine_id: str) -> str:
    """A built-in routine's spoken name."""
    names = ROUTINE_NAMES.get(language.split("-", maxsplit=1)[0], ROUTINE_NAMES["en"])
    return names.get(routine_id, routine_id.replace("_", " "))


def join_choices(language: str, names: list[str]) -> str:
    """'a, b or c' in the language."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + say(language, "or") + names[-1]
