"""Our Tuya frames and session keys against tinytuya's, an implementation nobody here wrote.

tinytuya packs the device's frames (with its return code) and unpacks ours; its own client code
derives the session key from the same nonces. Any drift in framing, CRC/HMAC, ECB/GCM or the
negotiation fails these tests.
"""

from __future__ import annotations

import hmac
import json
import os
from hashlib import sha256

import pytest
import tinytuya
from tinytuya.core import header as tuya_header
from tinytuya.core.crypto_helper import AESCipher
from tinytuya.core.message_helper import TuyaMessage, pack_message, unpack_message

from pysmartmassager.exceptions import MassagerAuthenticationError, MassagerResponseError
from pysmartmassager.tuya.protocol import (
    HEAD_SIZE,
    MAX_FRAME_BYTES,
    Command,
    FrameCodec,
    SessionKeyNegotiation,
    TuyaKeyError,
    TuyaProtocolError,
    Version,
    dumps,
    parse_dps,
)

KEY = b"0123456789abcdef"
SESSION_KEY = b"fedcba9876543210"
VERSIONS = list(Version)


def device_frame(version: Version, key: bytes, command: int, document: dict[str, object]) -> bytes:
    """A frame as a device sends it, packed by tinytuya (return code 0 included)."""
    payload = json.dumps(document).encode()
    header = version.value.encode() + bytes(12)
    with_header = command not in tuya_header.NO_PROTOCOL_HEADER_CMDS
    if version is Version.V35:
        plain = (header if with_header else b"") + payload
        message = TuyaMessage(7, command, 0, plain, 0, True, tuya_header.PREFIX_6699_VALUE, True)
        return pack_message(message, hmac_key=key)
    cipher = AESCipher(key)
    if version is Version.V34:
        body = cipher.encrypt((header if with_header else b"") + payload, False)
    else:
        body = (header if with_header else b"") + cipher.encrypt(payload, False)
    body = b"\x00\x00\x00\x00" + body  # the return code, in clear on 55AA frames
    message = TuyaMessage(7, command, None, body, 0, True, tuya_header.PREFIX_55AA_VALUE, False)
    return pack_message(message, hmac_key=key if version is Version.V34 else None)


def decode_ours(codec: FrameCodec, data: bytes):  # type: ignore[no-untyped-def]
    assert len(data) == FrameCodec.frame_length(data[:HEAD_SIZE])
    return codec.decode(data)


@pytest.mark.parametrize("version", VERSIONS)
def test_we_decode_what_tinytuya_packs(version: Version) -> None:
    key = KEY if version is Version.V33 else SESSION_KEY
    codec = FrameCodec(version, KEY)
    codec.use_session_key(key)
    data = device_frame(version, key, Command.STATUS, {"dps": {"1": True, "5": "level_2"}, "t": 1})
    frame = decode_ours(codec, data)
    assert (frame.command, frame.retcode) == (Command.STATUS, 0)
    assert parse_dps(frame.payload) == {"1": True, "5": "level_2"}


@pytest.mark.parametrize("version", VERSIONS)
def test_tinytuya_decodes_what_we_send(version: Version) -> None:
    key = KEY if version is Version.V33 else SESSION_KEY
    codec = FrameCodec(version, KEY)
    codec.use_session_key(key)
    body = {"protocol": 5, "t": 1, "data": {"dps": {"1": True}}}
    data = codec.encode(42, Command.CONTROL_NEW, dumps(body))
    hmac_key = None if version is Version.V33 else key
    message = unpack_message(data, hmac_key=hmac_key, no_retcode=True)
    assert (message.seqno, message.cmd, message.crc_good) == (42, Command.CONTROL_NEW, True)
    # tinytuya's own client decodes the payload: header, then decryption.
    device = tinytuya.Device("x" * 20, "127.0.0.1", key.decode(), version=float(version))
    device.local_key = key
    if version is Version.V35:
        payload = message.payload[15:] if message.payload.startswith(b"3.5") else message.payload
        assert json.loads(payload) == body
    else:
        decoded = device._decode_payload(message.payload)
        # (tinytuya adds a copy of data.dps at the top level for its callers)
        assert {name: value for name, value in decoded.items() if name in body} == body


@pytest.mark.parametrize("version", [Version.V34, Version.V35])
def test_session_key_matches_tinytuya(version: Version) -> None:
    ours = SessionKeyNegotiation(version, KEY)
    remote_nonce = os.urandom(16)
    answer = remote_nonce + hmac.new(KEY, ours.start(), sha256).digest()
    finish, session_key = ours.finish(answer)
    # tinytuya's client, given the same nonces, must derive the same key and the same proof.
    device = tinytuya.Device("x" * 20, "127.0.0.1", KEY.decode(), version=float(version))
    device.local_nonce = ours.start()
    device.local_key = KEY
    payload = AESCipher(KEY).encrypt(answer, False) if version is Version.V34 else answer
    step3 = device._negotiate_session_key_generate_step_3(
        TuyaMessage(1, Command.SESS_KEY_NEG_RESP, 0, payload, 0, True)
    )
    assert step3.payload == finish
    device._negotiate_session_key_generate_finalize()
    assert device.local_key == session_key


def test_negotiation_refuses_a_device_without_the_key() -> None:
    ours = SessionKeyNegotiation(Version.V35, KEY)
    forged = os.urandom(16) + hmac.new(b"another key 1234", ours.start(), sha256).digest()
    with pytest.raises(MassagerAuthenticationError):
        ours.finish(forged)
    with pytest.raises(TuyaProtocolError):
        ours.finish(b"short")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_frame_under_another_key_is_a_key_error(version: Version) -> None:
    codec = FrameCodec(version, KEY)
    data = device_frame(version, b"another key 1234", Command.STATUS, {"dps": {"1": True}})
    with pytest.raises((TuyaKeyError, TuyaProtocolError)):
        decode_ours(codec, data)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_corruption_is_a_typed_error(version: Version) -> None:
    codec = FrameCodec(version, KEY)
    data = device_frame(version, KEY, Command.STATUS, {"dps": {"1": True}})
    for position in range(len(data)):
        broken = bytearray(data)
        broken[position] ^= 0x41
        try:
            length = FrameCodec.frame_length(bytes(broken[:HEAD_SIZE]))
            if length != len(broken):
                continue  # a length change is caught by the bounded read, not here
            codec.decode(bytes(broken))
        except MassagerResponseError, MassagerAuthenticationError:
            continue
        # A flipped bit that still decodes can only be in an unchecked field (reserved bytes,
        # the sequence number or the return code outside the 3.4 HMAC).
        assert position < 16 or (version is Version.V33 and 16 <= position < 20)


def test_frame_length_is_bounded() -> None:
    head = bytearray(device_frame(Version.V33, KEY, 8, {"dps": {}})[:HEAD_SIZE])
    head[12:16] = (MAX_FRAME_BYTES * 4).to_bytes(4, "big")
    with pytest.raises(TuyaProtocolError):
        FrameCodec.frame_length(bytes(head))
    with pytest.raises(TuyaProtocolError):
        FrameCodec.frame_length(b"GET / HTTP/1.1\r\nHost")


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1]", b'{"dps": [1]}', b"\xff\xfe", b"[" * 100_000, b'{"dps": {"1": 1}'],
)
def test_bad_payloads_are_protocol_errors(payload: bytes) -> None:
    with pytest.raises(TuyaProtocolError):
        parse_dps(payload)


def test_dps_in_both_shapes() -> None:
    assert parse_dps(b'{"dps": {"1": true}}') == {"1": True}
    assert parse_dps(b'{"protocol": 4, "data": {"dps": {"2": 5}}}') == {"2": 5}
    assert parse_dps(b"") == {}


def test_a_cut_short_answer_quotes_no_payload_bytes() -> None:
    # A 3.3 status answer cut short: its first bytes are the device id.
    payload = b'{"devId":"bf0123456789abcdefgh","dps":{"1":tr'
    with pytest.raises(TuyaProtocolError) as err:
        parse_dps(payload)
    assert "bf0123" not in str(err.value)
    assert "devId" not in str(err.value)
    assert str(len(payload)) in str(err.value)
