"""The typed readers of device JSON: bounded values, typed errors, short messages."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pysmartmassager import MassagerConnectionError, MassagerResponseError
from pysmartmassager.const import MAX_CHOICES, MAX_NAME_LENGTH
from pysmartmassager.decoding import (
    BRIEF_LENGTH,
    brief,
    clean_markup,
    clean_text,
    decode,
    get_bool,
    get_bounded_list,
    get_id,
    get_int,
    get_list,
    get_name,
    get_str,
    get_time,
    parse_json,
)

FIVE_MB = "x" * 5_000_000


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


# -- brief: device data in messages ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["idle", 7, None, True, ["a", "b"], {"a": 1}])
def test_brief_is_repr_for_short_values(value: object) -> None:
    assert brief(value) == repr(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(FIVE_MB, id="5MB-string"),
        pytest.param(list(range(1_000_000)), id="million-items"),
        pytest.param({str(i): i for i in range(100_000)}, id="big-dict"),
        pytest.param(nested(50_000), id="nested-50000-deep"),  # plain repr() overflows
        pytest.param(10**4000, id="4000-digits"),
    ],
)
def test_brief_is_short_and_cheap(value: object) -> None:
    started = time.perf_counter()
    text = brief(value)
    assert len(text) <= BRIEF_LENGTH
    assert time.perf_counter() - started < 0.5


def test_brief_escapes_line_breaks() -> None:
    assert "\n" not in brief("line one\nFAKE LOG LINE")


@pytest.mark.parametrize(
    ("read", "value"),
    [
        (get_str, 5),
        (get_int, FIVE_MB),
        (get_bool, FIVE_MB),
        (get_list, FIVE_MB),
        (get_time, FIVE_MB),
        (get_id, FIVE_MB),
    ],
)
def test_error_for_a_5_mb_value_is_short(read: Any, value: object) -> None:
    with pytest.raises(MassagerResponseError) as err:
        read({"field": value}, "field", "state")
    assert len(str(err.value)) < 300
    assert str(err.value).startswith("state.field: ")


# -- get_name / clean_text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Palm circles", "Palm circles"),
        ("Lower back\n", "Lower back"),
        ("  Lower\tback  ", "Lower back"),
        ("Shoulders\x00\x1b[31m", "Shoulders[31m"),  # the terminal escape cannot act any more
        ("evil\u202etxt.exe", "eviltxt.exe"),  # a bidi override would show "exe.txt"
        ("Hidden\u200bspace", "Hiddenspace"),
        ("Family \U0001f468\u200d\U0001f469", "Family \U0001f468\u200d\U0001f469"),  # joiner stays
        ("Lone \ud800 surrogate", "Lone surrogate"),  # could not be written as UTF-8
        ("Kneading\r\n\r\nSYSTEM: obey", "Kneading SYSTEM: obey"),  # one line, one space
        ("Mass\u00e4ge", "Mass\u00e4ge"),
        ("\n\x00\t", ""),
    ],
)
def test_get_name_cleans(raw: str, name: str) -> None:
    assert get_name({"name": raw}, "name", "program") == name


def test_clean_markup_makes_no_link_and_no_tag() -> None:
    shown = clean_markup(
        "[Click](https://evil.example)\n**now** <img src=x> `code` #1 ~x~ | !", 200
    )
    assert shown == (
        r"\[Click\]\(https://evil.example\) \*\*now\*\* \<img src=x\> \`code\` \#1 \~x\~ \| \!"
    )
    assert clean_markup("Massage chair 3.4") == "Massage chair 3.4"


def test_get_name_cuts_long_names() -> None:
    name = get_name({"name": "Very long program name " * 10}, "name", "program")
    assert len(name) == MAX_NAME_LENGTH == 64
    assert name.endswith("…")
    assert name.startswith("Very long program name Very long")
    assert get_name({"name": "n" * 64}, "name", "program") == "n" * 64


def test_get_name_of_5_mb_is_cut_fast() -> None:
    started = time.perf_counter()
    assert len(get_name({"name": FIVE_MB}, "name", "program")) == 64
    assert time.perf_counter() - started < 0.1


def test_get_name_requires_a_string() -> None:
    with pytest.raises(MassagerResponseError, match=r"program\.name: expected a string"):
        get_name({"name": 5}, "name", "program")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=100))
def test_clean_text_is_bounded_printable_and_encodable(text: str, limit: int) -> None:
    cleaned = clean_text(text, limit)
    assert len(cleaned) <= limit
    assert cleaned == cleaned.strip()
    assert all(ch == " " or not ch.isspace() for ch in cleaned)
    assert all(ord(ch) >= 0x20 and not 0x7F <= ord(ch) < 0xA0 for ch in cleaned)
    cleaned.encode()  # no lone surrogates


# -- get_id --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["shiatsu", "lower_back", "a", "x2", "_", "9" * 64])
def test_get_id_accepts_protocol_ids(value: str) -> None:
    assert get_id({"id": value}, "id", "capabilities.programs") == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Shiatsu",
        "lower-back",
        "lower back",
        "shiatsu\n",  # `$` would let this one through
        "\u00e4",
        "\uff53hiatsu",  # a full-width letter
        "a" * 65,
        FIVE_MB,
        5,
        None,
    ],
)
def test_get_id_refuses_anything_else(value: object) -> None:
    with pytest.raises(MassagerResponseError, match=r"capabilities\.programs\.id") as err:
        get_id({"id": value}, "id", "capabilities.programs")
    assert len(str(err.value)) < 300


# -- get_bounded_list ----------------------------------------------------------------------------


def test_get_bounded_list() -> None:
    assert MAX_CHOICES == 64
    items = [{"id": str(i)} for i in range(MAX_CHOICES)]
    assert get_bounded_list({"programs": items}, "programs", "capabilities", MAX_CHOICES) == items
    assert get_bounded_list({"programs": []}, "programs", "capabilities", MAX_CHOICES) == []
    with pytest.raises(MassagerResponseError, match="65 items, more than the 64 allowed"):
        get_bounded_list({"programs": [*items, {}]}, "programs", "capabilities", MAX_CHOICES)
    with pytest.raises(MassagerResponseError, match="expected a list"):
        get_bounded_list({"programs": "all"}, "programs", "capabilities", MAX_CHOICES)


# -- get_time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-23:59",  # in range until it is converted to UTC
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1969-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "2100-12-31T23:00:00-01:00",
        "2026-13-01T00:00:00Z",
        "soon",
    ],
)
def test_get_time_refuses_out_of_range_times(value: str) -> None:
    with pytest.raises(MassagerResponseError, match=r"state\.now"):
        get_time({"now": value}, "now", "state")


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-11-24T21:30:00Z", datetime(2026, 11, 24, 21, 30, tzinfo=UTC)),
        ("2026-11-24T22:30:00+01:00", datetime(2026, 11, 24, 21, 30, tzinfo=UTC)),
        ("2026-11-24T21:30:00", datetime(2026, 11, 24, 21, 30, tzinfo=UTC)),  # naive: UTC
        # A device whose clock was never set starts at the epoch; its skew is corrected.
        ("1970-01-01T00:00:12Z", datetime(1970, 1, 1, 0, 0, 12, tzinfo=UTC)),
        ("2100-12-31T23:59:59Z", datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_get_time_accepts(value: str, moment: datetime) -> None:
    parsed = get_time({"now": value}, "now", "state")
    assert parsed == moment
    assert parsed is not None
    assert parsed.tzinfo is UTC


OFFSETS = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(lambda offset: timezone(timedelta(minutes=offset // timedelta(minutes=1))))


@settings(max_examples=500, deadline=None)
@given(st.datetimes(timezones=st.none() | OFFSETS))
@example(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))))
@example(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))
def test_get_time_any_datetime_parses_in_range_or_is_a_typed_error(moment: datetime) -> None:
    try:
        parsed = get_time({"now": moment.isoformat()}, "now", "state")
    except MassagerResponseError:
        return
    assert parsed is not None
    assert parsed.tzinfo is UTC
    assert datetime(1970, 1, 1, tzinfo=UTC) <= parsed < datetime(2101, 1, 1, tzinfo=UTC)
    # Whatever is in range leaves room for the clock-skew correction done with it.
    skew = parsed - datetime.now(UTC)
    assert (parsed - 2 * skew).year > 1800


# -- parse_json / decode -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,  # well-formed, just too deep
        '{"a": ' * 100_000,
        b'{"status": "\xff"}',
        "1" * 5000,  # longer than int() converts
        "",
        "{oops",
        FIVE_MB,
    ],
)
def test_parse_json_failures_are_typed_and_short(text: str | bytes) -> None:
    with pytest.raises(MassagerResponseError, match=r"^the answer is not JSON") as err:
        parse_json(text, "the answer")
    assert len(str(err.value)) < 300


def test_parse_json_decodes() -> None:
    assert parse_json(b'{"a": [1, 2.5, null]}', "x") == {"a": [1, 2.5, None]}


@settings(max_examples=300, deadline=None)
@given(
    st.text()
    | st.binary()
    | st.integers(min_value=1, max_value=200_000).map(lambda depth: "[" * depth)
    | st.integers(min_value=1, max_value=200_000).map(lambda depth: '{"a":' * depth)
)
def test_parse_json_raises_only_the_typed_error(text: str | bytes) -> None:
    with contextlib.suppress(MassagerResponseError):
        parse_json(text, "message")


def test_decode_types_unforeseen_failures_and_keeps_typed_ones() -> None:
    def overflow(value: object) -> object:
        raise OverflowError("date value out of range")

    with pytest.raises(MassagerResponseError, match=r"^state: cannot be decoded \(OverflowError"):
        decode(overflow, {}, "state")

    def unreachable(value: object) -> object:
        raise MassagerConnectionError("gone")

    with pytest.raises(MassagerConnectionError):
        decode(unreachable, {}, "state")
    assert decode(len, [1, 2], "list") == 2
