"""The miio packet codec, judged by python-miio's own codec (an implementation nobody here wrote).

Our packets must parse with python-miio's `Message` under the same token, and packets python-miio
builds must decode with ours. Every corruption of a packet is a typed error, never a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from miio.protocol import Message, Utils

from pysmartmassager import MassagerAuthenticationError, MassagerError
from pysmartmassager.miot import MiotProtocolError, MiotTokenError, parse_token
from pysmartmassager.miot.connection import _items, _result
from pysmartmassager.miot.protocol import HELLO, MAX_PACKET_BYTES, decode, encode, encrypt

TOKEN = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER = bytes.fromhex("ffeeddccbbaa99887766554433221100")
DEVICE_ID = 0x0A1B2C3D


def miio_packet(payload: dict[str, object], token: bytes = TOKEN, stamp: int = 1234) -> bytes:
    """A packet as python-miio builds it (a device's answer looks the same)."""
    header = {
        "length": 0,
        "unknown": 0,
        "device_id": DEVICE_ID.to_bytes(4, "big"),
        "ts": dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None),
    }
    return Message.build(
        {"data": {"value": payload}, "header": {"value": header}, "checksum": 0}, token=token
    )


def test_python_miio_reads_our_request() -> None:
    request = {
        "id": 7,
        "method": "get_properties",
        "params": [{"did": "2-1", "siid": 2, "piid": 1}],
    }
    parsed = Message.parse(encode(TOKEN, DEVICE_ID, 4321, request), token=TOKEN)
    assert parsed.data.value == request
    header = parsed.header.value
    assert header.device_id == DEVICE_ID.to_bytes(4, "big")
    assert header.length == len(encode(TOKEN, DEVICE_ID, 4321, request))
    assert header.ts == dt.datetime(1970, 1, 1, 1, 12, 1)  # noqa: DTZ001  # python-miio's naive UTC


def test_we_read_python_miio_packets() -> None:
    answer = {"id": 7, "result": [{"did": "2-1", "siid": 2, "piid": 1, "code": 0, "value": True}]}
    packet = decode(miio_packet(answer), TOKEN)
    assert packet.payload == answer
    assert packet.device_id == DEVICE_ID
    assert packet.stamp == 1234


def test_encryption_matches_python_miio() -> None:
    plaintext = b'{"id":1,"method":"miIO.info","params":[]}\x00'
    assert encrypt(plaintext, TOKEN) == Utils.encrypt(plaintext, TOKEN)


def test_hello_is_python_miios_hello() -> None:
    # python-miio's discover() sends this literal (miioprotocol.py, "helobytes").
    assert bytes.fromhex("21310020" + "ff" * 28) == HELLO
    answer = decode(
        HELLO[:8] + DEVICE_ID.to_bytes(4, "big") + (99).to_bytes(4, "big") + b"\xff" * 16, TOKEN
    )
    assert (answer.device_id, answer.stamp, answer.payload) == (DEVICE_ID, 99, None)


def test_a_packet_under_another_token_is_a_token_error() -> None:
    with pytest.raises(MiotTokenError) as caught:
        decode(miio_packet({"id": 1, "result": []}, token=OTHER), TOKEN)
    assert isinstance(caught.value, MassagerAuthenticationError)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "shorter than its header"),
        (b"\x21\x31" + b"\x00" * 10, "shorter than its header"),
        (b"\x00\x00" + HELLO[2:], "not a miio packet"),
        (HELLO + b"x", "the header says"),
        (
            b"\x21\x31" + (MAX_PACKET_BYTES + 1).to_bytes(2, "big") + b"\0" * MAX_PACKET_BYTES,
            "over the limit",
        ),
    ],
)
def test_malformed_packets_are_typed_errors(data: bytes, reason: str) -> None:
    with pytest.raises(MiotProtocolError, match=reason):
        decode(data, TOKEN)


@pytest.mark.parametrize(
    "plaintext",
    [b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 5000 + b"]" * 5000],
    ids=["text", "a list", "not utf-8", "nesting bomb"],
)
def test_payloads_that_are_not_json_objects_are_typed_errors(plaintext: bytes) -> None:
    body = encrypt(plaintext, TOKEN)
    head = HELLO[:2] + (32 + len(body)).to_bytes(2, "big") + b"\0" * 4
    head += DEVICE_ID.to_bytes(4, "big") + (5).to_bytes(4, "big")
    checksum = Utils.md5(head + TOKEN + body)
    with pytest.raises(MiotProtocolError):
        decode(head + checksum + body, TOKEN)


def test_every_corrupted_byte_is_a_typed_error() -> None:
    packet = miio_packet({"id": 3, "result": ["ok"]})
    for index in range(len(packet)):
        corrupt = bytearray(packet)
        corrupt[index] ^= 0x5A
        try:
            decoded = decode(bytes(corrupt), TOKEN)
        except MassagerError:
            continue
        # Only the unchecked header fields (unknown, device id, stamp) may change and still pass.
        assert 4 <= index < 16, index
        assert decoded.payload == {"id": 3, "result": ["ok"]}


@given(st.binary(max_size=600))
def test_random_datagrams_never_escape_as_other_errors(data: bytes) -> None:
    with contextlib.suppress(MassagerError):
        decode(data, TOKEN)


def test_tokens_must_be_32_hex_characters() -> None:
    assert parse_token(" " + TOKEN.hex() + " ") == TOKEN
    for bad in ("abc", TOKEN.hex() + "00", "zz" * 16, "00 11 22 33 44 55 66 77 88 99 aa"):
        with pytest.raises(ValueError, match=r"."):
            parse_token(bad)


def test_a_request_is_json_with_the_nul_python_miio_sends() -> None:
    request = {"id": 1, "method": "miIO.info", "params": []}
    packet = encode(TOKEN, DEVICE_ID, 1, request)
    plaintext = Utils.decrypt(packet[32:], TOKEN)
    assert plaintext.endswith(b"\x00")
    assert json.loads(plaintext[:-1]) == request


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["id", "result", "error", "x"]), json_values))
def test_any_answer_payload_is_a_result_or_a_typed_error(payload: dict[str, object]) -> None:
    with contextlib.suppress(MassagerError):
        result = _result(payload)
        with contextlib.suppress(MassagerError):
            _items(result, [(2, 1), (2, 2)])


@pytest.mark.parametrize(
    "item",
    [
        {"siid": [2], "piid": 1},
        {"siid": 2, "piid": {"a": 1}},
        {"siid": True, "piid": 1},
        {"siid": 2, "piid": 1, "code": "0"},
    ],
)
def test_property_answers_with_odd_ids_are_typed_errors(item: dict[str, object]) -> None:
    with pytest.raises(MiotProtocolError):
        _items([item], [(2, 1)])


def test_nan_and_infinity_are_not_json() -> None:
    body = encrypt(b'{"id": 1, "result": [NaN, Infinity]}', TOKEN)
    head = HELLO[:2] + (32 + len(body)).to_bytes(2, "big") + b"\0" * 4
    head += DEVICE_ID.to_bytes(4, "big") + (5).to_bytes(4, "big")
    with pytest.raises(MiotProtocolError):
        decode(head + Utils.md5(head + TOKEN + body) + body, TOKEN)
