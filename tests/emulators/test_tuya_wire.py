"""The Tuya emulator's frames, opened with tinytuya's primitives (what its client does not check).

tinytuya's client accepts STATUS payloads with or without the version header; real devices
send it, inside the encryption from 3.4 on, outside it on 3.3. These tests pin that down, and
the emulator's side of the refusals (wrong key, wrong format, oversized frames).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

import pytest
from tinytuya.core import command_types as commands
from tinytuya.core import header as tuya_header
from tinytuya.core.crypto_helper import AESCipher
from tinytuya.core.message_helper import TuyaMessage, pack_message, parse_header, unpack_message

from emulators.tuya import Session, WireError
from emulators.tuya.wire import Request, read_header

LOCAL_KEY = b"k3y!Emul@tor#16c"
STATUS_JSON = b'{"dps":{"1":true},"t":1}'


def established(version: str) -> tuple[Session, bytes]:
    """A session after a negotiation done as tinytuya's client does it; and its key."""
    session = Session(version, LOCAL_KEY)  # type: ignore[arg-type]
    if version == "3.3":
        return session, LOCAL_KEY
    client_nonce = os.urandom(16)
    answer = session.negotiate_start(Request(1, commands.SESS_KEY_NEG_START, client_nonce))
    message = unpack_message(answer, hmac_key=LOCAL_KEY, header=parse_header(answer))
    payload = message.payload
    if version == "3.4":
        payload = AESCipher(LOCAL_KEY).decrypt(payload, False, decode_text=False)
    device_nonce = payload[:16]
    assert payload[16:48] == hmac.new(LOCAL_KEY, client_nonce, hashlib.sha256).digest()
    finish = hmac.new(LOCAL_KEY, device_nonce, hashlib.sha256).digest()
    session.negotiate_finish(Request(2, commands.SESS_KEY_NEG_FINISH, finish))
    mixed = bytes(a ^ b for a, b in zip(client_nonce, device_nonce, strict=True))
    cipher = AESCipher(LOCAL_KEY)
    if version == "3.4":
        key = cipher.encrypt(mixed, False, pad=False)
    else:
        key = cipher.encrypt(mixed, use_base64=False, pad=False, iv=client_nonce[:12])[12:28]
    assert session.key == key
    assert session.established
    return session, key


@pytest.mark.parametrize("version", ["3.3", "3.4", "3.5"])
def test_status_push_carries_retcode_and_version_header(version: str) -> None:
    session, key = established(version)

    frame = session.push(commands.STATUS, STATUS_JSON)

    hmac_key = key if version != "3.3" else None
    message = unpack_message(frame, hmac_key=hmac_key, header=parse_header(frame))
    assert message.crc_good
    assert message.retcode == 0
    header = version.encode() + bytes(12)
    if version == "3.3":
        assert message.payload[:15] == header  # outside the encryption
        plain = AESCipher(key).decrypt(message.payload[15:], False, decode_text=False)
    elif version == "3.4":
        plain = AESCipher(key).decrypt(message.payload, False, decode_text=False)
        assert plain[:15] == header  # inside the encryption
        plain = plain[15:]
    else:
        assert message.prefix == tuya_header.PREFIX_6699_VALUE
        assert message.payload[:15] == header
        plain = message.payload[15:]
    assert plain == STATUS_JSON


@pytest.mark.parametrize("version", ["3.3", "3.4", "3.5"])
def test_pushes_number_frames_with_the_device_counter(version: str) -> None:
    session, _key = established(version)

    seqnos = [parse_header(session.push(commands.STATUS, STATUS_JSON)).seqno for _ in range(3)]

    assert seqnos == [seqnos[0], seqnos[0] + 1, seqnos[0] + 2]


@pytest.mark.parametrize("version", ["3.3", "3.4", "3.5"])
def test_a_frame_with_the_wrong_key_is_refused(version: str) -> None:
    session, _key = established(version)
    wrong = b"0123456789abcdef"
    body = b'{"dps":{"1":true}}'
    if version == "3.5":
        message = TuyaMessage(
            7, commands.CONTROL_NEW, None, body, 0, True, tuya_header.PREFIX_6699_VALUE, None
        )
        frame = pack_message(message, hmac_key=wrong)
    else:
        encrypted = AESCipher(wrong).encrypt(body, False)
        message = TuyaMessage(
            7, commands.CONTROL, 0, encrypted, 0, True, tuya_header.PREFIX_55AA_VALUE
        )
        frame = pack_message(message, hmac_key=wrong if version == "3.4" else None)

    with pytest.raises(WireError):
        session.open(frame, read_header(frame[: 18 if version == "3.5" else 16])).json()


def test_a_finish_with_a_wrong_hmac_is_refused() -> None:
    session = Session("3.4", LOCAL_KEY)
    session.negotiate_start(Request(1, commands.SESS_KEY_NEG_START, os.urandom(16)))

    with pytest.raises(WireError, match="HMAC"):
        session.negotiate_finish(Request(2, commands.SESS_KEY_NEG_FINISH, bytes(32)))
    assert not session.established


def test_a_55aa_frame_on_a_35_session_is_refused() -> None:
    session, _key = established("3.5")
    frame = pack_message(
        TuyaMessage(1, commands.DP_QUERY, 0, b"{}", 0, True, tuya_header.PREFIX_55AA_VALUE)
    )

    with pytest.raises(WireError, match="format"):
        session.open(frame, read_header(frame[:16]))


def test_oversized_and_unknown_headers_are_refused() -> None:
    with pytest.raises(WireError, match="more than"):
        read_header(
            struct.pack(">4I", tuya_header.PREFIX_55AA_VALUE, 1, commands.CONTROL, 64 * 1024 + 1)
        )
    with pytest.raises(WireError, match="prefix"):
        read_header(b"\x00\x00\x12\x34" + bytes(12))
    # 64 KiB itself is allowed (tinytuya's own parse_header would stop at 1440 bytes).
    assert (
        read_header(struct.pack(">4I", tuya_header.PREFIX_55AA_VALUE, 1, 7, 64 * 1024)).length
        == 65536
    )
