"""Typed reads from decoded JSON; anything off-protocol raises MassagerResponseError.

A device is untrusted input: whatever it sends, these functions return bounded, well-formed values
or raise MassagerResponseError, and the messages they build quote device data only in brief.
"""

from __future__ import annotations

import json
import logging
import re
import reprlib
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import dropwhile, islice
from typing import Any, Final

from .const import MAX_ID_LENGTH, MAX_NAME_LENGTH
from .exceptions import MassagerError, MassagerResponseError

type JsonObject = dict[str, Any]

# Device data quoted in an error message or a log line is cut to this many characters: a 5 MB
# status once made a 5 MB log line.
BRIEF_LENGTH: Final = 80
ELLIPSIS: Final = "…"
# reprlib bounds the work as well as the result: it never builds the full repr of a 5 MB string
# or of a list nested 900 deep (which plain repr() can fail on with RecursionError).
_BRIEF = reprlib.Repr(
    maxlevel=2,
    maxtuple=4,
    maxlist=4,
    maxdict=4,
    maxstring=BRIEF_LENGTH,
    maxlong=BRIEF_LENGTH,
    maxother=BRIEF_LENGTH,
    fillvalue=ELLIPSIS,
)

# docs/protocol.md, capabilities: ids are lower-case ASCII letters, digits and underscores, 1 to
# 64 characters. fullmatch, not `^...$`: `$` also matches before a trailing newline.
_ID = re.compile(rf"[a-z0-9_]{{1,{MAX_ID_LENGTH}}}")

# What Markdown (CommonMark) and HTML read as syntax: links and images ([text](url), ![..]),
# emphasis, code, headings, tables, tags. CommonMark lets a backslash escape any of them.
_MARKUP = re.compile(r"([\\`*_\[\](){}<>#~|!])")

# Zero-width (non-)joiners are format characters that emoji sequences and some scripts need; the
# other format characters (bidi overrides that reorder text on screen, zero-width spaces) only
# hide or disguise text.
_KEPT_FORMAT_CHARACTERS: Final = frozenset("\u200c\u200d")

# Device times outside these bounds are refused. 1970 is where the clock of a device that has
# not set its time starts (such a device must keep working: its skew is corrected); beyond the
# bounds, date arithmetic on the value (`ends_at - clock_skew`) can overflow.
EARLIEST_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME: Final = datetime(2101, 1, 1, tzinfo=UTC)


class OnceWarnings:
    """Warnings about what one device sends: each kind logged once, not at every poll or push.

    A device that reports a strength of 10^9 does so every second; one line says it, and the
    value is shown as unknown meanwhile. Hold one per device (its profile or massager object).
    """

    __slots__ = ("_kinds", "_logger")

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._kinds: set[str] = set()

    def warn(self, kind: str, message: str, *args: object) -> None:
        """Log `message % args` as a warning, unless `kind` was warned of already."""
        if kind not in self._kinds:
            self._kinds.add(kind)
            self._logger.warning(message, *args)


def brief(value: object) -> str:
    """A repr of `value` of at most BRIEF_LENGTH characters, cut with an ellipsis: for messages."""
    text = _BRIEF.repr(value)
    return text if len(text) <= BRIEF_LENGTH else text[: BRIEF_LENGTH - 1] + ELLIPSIS


def clean_text(text: str, limit: int) -> str:
    """Device text fit to display: one line, no hidden characters, at most `limit` characters.

    Line breaks and other whitespace become spaces, a run of them one; control characters,
    lone surrogates (which cannot be written as UTF-8) and invisible format characters are
    removed; the result is stripped and, if longer than `limit`, cut with an ellipsis. Only the
    first `limit` visible characters are looked at, so a 5 MB string costs no more than a
    short one.
    """
    visible = dropwhile(" ".__eq__, _visible_characters(text))
    kept = "".join(islice(visible, limit + 1))
    if len(kept) > limit:
        return kept[: limit - 1].rstrip() + ELLIPSIS
    return kept.rstrip()


def clean_markup(text: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Device text for a place that renders Markdown, such as a config flow's description.

    clean_text, then every Markdown and HTML syntax character escaped with a backslash, so
    "[Click](https://evil)" shows as typed and links nowhere.
    """
    return _MARKUP.sub(r"\\\1", clean_text(text, limit))


def _visible_characters(text: str) -> Iterator[str]:
    space = False  # the last character given was a space: a run of them is one
    for character in text:
        if character.isspace():
            if not space:
                yield " "
            space = True
            continue
        category = unicodedata.category(character)
        if category in {"Cc", "Cs"}:
            continue
        if category == "Cf" and character not in _KEPT_FORMAT_CHARACTERS:
            continue
        space = False
        yield character


def parse_json(text: str | bytes, what: str) -> Any:
    """Decoded JSON, or MassagerResponseError ("`what` is not JSON") for anything else.

    Not only malformed JSON: nesting too deep (RecursionError), a number too long to convert
    and text that is not UTF-8 all raise other exceptions from json.loads.
    """
    try:
        return json.loads(text)
    except Exception as err:
        reason = clean_text(f"{type(err).__name__}: {err}", BRIEF_LENGTH)
        raise MassagerResponseError(f"{what} is not JSON ({reason})") from err


def decode[T](parse: Callable[[Any], T], value: object, what: str) -> T:
    """`parse(value)`, with any failure it did not foresee raised as MassagerResponseError.

    The models raise MassagerResponseError for every off-protocol value they know of; this is the
    backstop for the rest (a bug, an arithmetic overflow), so that nothing a device sends can
    make the library raise an untyped exception.
    """
    try:
        return parse(value)
    except MassagerError:
        raise
    except Exception as err:
        reason = clean_text(f"{type(err).__name__}: {err}", BRIEF_LENGTH)
        raise MassagerResponseError(f"{what}: cannot be decoded ({reason})") from err


def as_object(value: object, where: str) -> JsonObject:
    """`value` as a JSON object, or a typed error naming `where`."""
    if not isinstance(value, dict):
        raise MassagerResponseError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _typed[T](data: JsonObject, key: str, where: str, kind: type[T], expected: str) -> T:
    """A required field of one JSON type, or a typed error naming it and what came instead."""
    value = data.get(key)
    # JSON true/false are not integers here, though Python's bools are ints.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MassagerResponseError(f"{where}.{key}: expected {expected}, got {brief(value)}")
    return value


def get_str(data: JsonObject, key: str, where: str) -> str:
    """A required string field."""
    return _typed(data, key, where, str, "a string")


def is_id(value: str) -> bool:
    """Whether `value` is a program or zone id: `[a-z0-9_]`, 1 to MAX_ID_LENGTH characters."""
    return _ID.fullmatch(value) is not None


def get_id(data: JsonObject, key: str, where: str) -> str:
    """A required program or zone id (see is_id)."""
    value = get_str(data, key, where)
    if not is_id(value):
        raise MassagerResponseError(f"{where}.{key}: not a valid id: {brief(value)}")
    return value


def get_name(data: JsonObject, key: str, where: str) -> str:
    """A required display name, cleaned and cut to MAX_NAME_LENGTH characters (see clean_text).

    A long or odd name is data, not an error: it is only shown. It can come out empty (a name of
    only control characters); callers fall back to the id then.
    """
    return clean_text(get_str(data, key, where), MAX_NAME_LENGTH)


def get_int(data: JsonObject, key: str, where: str) -> int:
    """A required integer field (JSON true/false are not integers here)."""
    return _typed(data, key, where, int, "an integer")


def get_bool(data: JsonObject, key: str, where: str) -> bool:
    """A required boolean field."""
    return _typed(data, key, where, bool, "true or false")


def get_list(data: JsonObject, key: str, where: str) -> list[Any]:
    """A required list field."""
    return _typed(data, key, where, list, "a list")


def get_bounded_list(data: JsonObject, key: str, where: str, maximum: int) -> list[Any]:
    """A required list field of at most `maximum` items (such as MAX_CHOICES programs)."""
    value = get_list(data, key, where)
    if len(value) > maximum:
        raise MassagerResponseError(
            f"{where}.{key}: {len(value)} items, more than the {maximum} allowed"
        )
    return value


def get_time(data: JsonObject, key: str, where: str) -> datetime | None:
    """An optional ISO 8601 time (null allowed) from 1970 to 2100; returned in UTC."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MassagerResponseError(f"{where}.{key}: expected a time, got {brief(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise MassagerResponseError(f"{where}.{key}: not an ISO 8601 time: {brief(value)}") from err
    moment: datetime | None
    try:
        # Converting can overflow: "9999-12-31T23:59:59-23:59" is in range only until it is UTC.
        moment = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST_TIME <= moment < LATEST_TIME:
        raise MassagerResponseError(f"{where}.{key}: {brief(value)} is not between 1970 and 2100")
    return moment
