"""The languages voice control speaks: one module each, found here by itself.

A language is a module beside this one, named for its code, with one upper-case constant per
field of `Language` (language.py says what each holds); adding `fr.py` is all a third language
takes, and the sentence files, the intents'
answers and the tests pick it up. What the modules may not contain is the same for all: the
rules of thumb of the grammar, which keep other devices safe.

- A generic verb ("turn off", "switch on", "stop", "pause") needs a massage word next to it,
  never a bare {name}, which would match any device.
- "it" only goes with massage-only verbs ("make it stronger").
- Heat always names the massage, so "turn on the heat" stays the thermostat's.
- The lists ({program}, {zone}, {routine}, ...) are filled from the loaded massagers by
  sentences.py; a sentence names them, never a device's words.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import fields

from .language import Language, Sentences

__all__ = ["DEFAULT", "LANGUAGES", "Language", "Sentences", "language_of"]


def _found() -> dict[str, Language]:
    languages: dict[str, Language] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "language":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        names = [field.name for field in fields(Language) if field.name != "code"]
        if missing := [name.upper() for name in names if not hasattr(module, name.upper())]:
            msg = f"languages/{module_info.name}.py lacks {', '.join(missing)}"
            raise TypeError(msg)
        languages[module_info.name] = Language(
            code=module_info.name, **{name: getattr(module, name.upper()) for name in names}
        )
    return dict(sorted(languages.items()))


LANGUAGES: dict[str, Language] = _found()
# What answers in a language voice control does not speak.
DEFAULT = LANGUAGES["en"]


def language_of(code: str) -> Language:
    """The language of a request's code ("de-CH" is German), English where none fits."""
    return LANGUAGES.get(code.split("-", maxsplit=1)[0].casefold(), DEFAULT)
