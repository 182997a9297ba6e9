"""Property-based: whatever a device sends, the library raises only its own typed errors."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.reference import VirtualMassager
from pysmartmassager import MassagerResponseError
from pysmartmassager.reference import StateReader
from pysmartmassager.reference.events import _parse_event
from pysmartmassager.reference.wire import parse_info

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
VALID_STATE = VirtualMassager(serial="SM-P", name="Prop").state_json()
VALID_INFO = VirtualMassager(serial="SM-P", name="Prop").info_json()


def parses_or_typed_error(parse: Any, payload: object) -> None:
    with contextlib.suppress(MassagerResponseError):
        parse(payload)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_arbitrary_json_state_and_info(payload: object) -> None:
    parses_or_typed_error(StateReader().parse, payload)
    parses_or_typed_error(parse_info, payload)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(VALID_STATE)), JSON)
def test_valid_state_with_one_field_replaced(key: str, value: object) -> None:
    parses_or_typed_error(StateReader().parse, {**VALID_STATE, key: value})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(VALID_INFO["capabilities"])), JSON)  # type: ignore[arg-type]
def test_valid_capabilities_with_one_field_replaced(key: str, value: object) -> None:
    info = json.loads(json.dumps(VALID_INFO))
    info["capabilities"][key] = value
    parses_or_typed_error(parse_info, info)


@settings(max_examples=300, deadline=None)
@given(st.text() | st.binary().map(lambda raw: raw.decode("utf-8", "replace")))
def test_arbitrary_event_stream_messages(text: str) -> None:
    parses_or_typed_error(lambda raw: _parse_event(raw, StateReader()), text)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_arbitrary_event_objects(data: object) -> None:
    parses_or_typed_error(
        lambda raw: _parse_event(raw, StateReader()),
        json.dumps({"type": "state", "data": data}),
    )
