"""Typed reads from decoded JSON; anything off-protocol raises MassagerResponseError."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .exceptions import MassagerResponseError

type JsonObject = dict[str, Any]


def as_object(value: object, where: str) -> JsonObject:
    """`value` as a JSON object, or a typed error naming `where`."""
    if not isinstance(value, dict):
        raise MassagerResponseError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def get_str(data: JsonObject, key: str, where: str) -> str:
    """A required string field."""
    value = data.get(key)
    if not isinstance(value, str):
        raise MassagerResponseError(f"{where}.{key}: expected a string, got {value!r}")
    return value


def get_int(data: JsonObject, key: str, where: str) -> int:
    """A required integer field (JSON true/false are not integers here)."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MassagerResponseError(f"{where}.{key}: expected an integer, got {value!r}")
    return value


def get_bool(data: JsonObject, key: str, where: str) -> bool:
    """A required boolean field."""
    value = data.get(key)
    if not isinstance(value, bool):
        raise MassagerResponseError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def get_list(data: JsonObject, key: str, where: str) -> list[Any]:
    """A required list field."""
    value = data.get(key)
    if not isinstance(value, list):
        raise MassagerResponseError(f"{where}.{key}: expected a list, got {value!r}")
    return value


def get_time(data: JsonObject, key: str, where: str) -> datetime | None:
    """An optional ISO 8601 UTC time (null allowed); always returned timezone-aware."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MassagerResponseError(f"{where}.{key}: expected a time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise MassagerResponseError(f"{where}.{key}: not an ISO 8601 time: {value!r}") from err
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
