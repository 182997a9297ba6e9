"""What a language brings to voice control: its grammar, its words and its answers."""

from __future__ import annotations

from dataclasses import dataclass

# A sentence, or a block of sentences with fixed slot values ("läuft die Massage?" asks
# activity=running without saying it).
type Sentences = list[str | dict[str, object]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """One language's voice data; the code that uses it is the same for every language."""

    code: str
    # hassil expansion rules and each intent's sentences (Assist's sentence file).
    rules: dict[str, str]
    sentences: dict[str, Sentences]
    # Words of the yes/no status question and of the heat switch, to the slot value.
    activities: dict[str, str]
    heat_states: dict[str, str]
    # The answers, by key; a key is also a validation refusal's translation key where the
    # answer says that refusal (validation.py owns the check, the language the words).
    responses: dict[str, str]
    # Names for known program and zone ids; the device's name otherwise.
    program_names: dict[str, str]
    zone_names: dict[str, str]
    # More ways to say a zone, and whether its id reads as words too ("lower back").
    zone_aliases: dict[str, list[str]]
    zone_ids_spoken: bool
    # Words for the zones with their own level (a bed's head, foot and wave), and a level
    # zone's massage said in one word (German "Fußmassage"; empty where the language has none).
    level_zone_words: dict[str, list[str]]
    zone_massage: dict[str, list[str]]
    # The built-in routines' names and aliases, and the words too plain to name one alone.
    routine_names: dict[str, str]
    routine_aliases: dict[str, list[str]]
    filler: frozenset[str]
    # Words a wildcard program name can never be ("start a massage" names no program).
    not_a_program: frozenset[str]
