"""The miio local protocol's packets: header, checksum, encryption. Pure functions, no I/O.

Every packet is a 32-byte header and an encrypted JSON payload:

    0x2131 | length (2) | unknown, 0 (4) | device id (4) | stamp (4) | checksum (16) | payload

The checksum is MD5 over the header's first 16 bytes, the 16-byte device token and the payload.
The payload is AES-128-CBC with PKCS#7 padding, key = MD5(token), iv = MD5(key + token).
A "hello" is a bare header of 0xFF bytes (unknown, device id and stamp all 0xFF); the device
answers with its id and its stamp (seconds since it started), which later requests must carry.
This follows python-miio's `miio/protocol.py` and `miioprotocol.py`; the tests check our packets
against python-miio's codec, an implementation nobody here wrote.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pysmartmassager.exceptions import MassagerAuthenticationError, MassagerResponseError

MAGIC = 0x2131
HEADER = struct.Struct(">HHIII16s")  # magic, length, unknown, device id, stamp, checksum
HEADER_SIZE = HEADER.size  # 32
HELLO = bytes.fromhex("21310020") + b"\xff" * 28
TOKEN_BYTES = 16
# A massager's answer is a few hundred bytes; a datagram claiming more is corrupt or hostile.
MAX_PACKET_BYTES = 16 * 1024
_TOKEN = re.compile(r"[0-9a-fA-F]{32}")


class MiotProtocolError(MassagerResponseError):
    """A packet that is not a miio packet, or a payload that is not the JSON it must be."""


class MiotTokenError(MassagerAuthenticationError):
    """The device's answer does not check out under our token: the token is wrong."""


@dataclass(frozen=True, slots=True)
class Packet:
    """A decoded packet: who sent it, its stamp and (for anything but a hello) its payload."""

    device_id: int
    stamp: int
    payload: dict[str, Any] | None


def parse_token(token: str) -> bytes:
    """The 16 bytes of a token given as 32 hex characters; ValueError otherwise."""
    token = token.strip()
    if not _TOKEN.fullmatch(token):
        raise ValueError("a miio token is 32 hexadecimal characters")
    return bytes.fromhex(token)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(data: str | bytes | bytearray) -> Any:
    """JSON as the standard has it: NaN and Infinity, which Python's parser takes, are refused.

    ValueError (or RecursionError for a nesting bomb) on anything that is not JSON.
    """
    return json.loads(data, parse_constant=_no_constant)


def _md5(data: bytes) -> bytes:
    # MD5 is what the protocol specifies, not a choice made here.
    return hashlib.md5(data, usedforsecurity=False).digest()


def _cipher(token: bytes) -> Cipher[modes.CBC]:
    key = _md5(token)
    return Cipher(algorithms.AES(key), modes.CBC(_md5(key + token)))


def encrypt(plaintext: bytes, token: bytes) -> bytes:
    """AES-128-CBC of `plaintext` under the token's key and iv, PKCS#7 padded."""
    padder = padding.PKCS7(128).padder()
    encryptor = _cipher(token).encryptor()
    padded = padder.update(plaintext) + padder.finalize()
    return encryptor.update(padded) + encryptor.finalize()


def decrypt(ciphertext: bytes, token: bytes) -> bytes:
    """The plaintext; MiotProtocolError when it is not a whole, correctly padded message."""
    if not ciphertext or len(ciphertext) % 16:
        raise MiotProtocolError("the payload is not whole AES blocks")
    decryptor = _cipher(token).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as err:
        raise MiotProtocolError("the payload's padding is broken") from err


def encode(token: bytes, device_id: int, stamp: int, payload: dict[str, Any]) -> bytes:
    """A request packet carrying `payload` (JSON, NUL-terminated as python-miio sends it)."""
    body = encrypt(json.dumps(payload, separators=(",", ":")).encode() + b"\x00", token)
    head = struct.pack(
        ">HHIII", MAGIC, HEADER_SIZE + len(body), 0, device_id & 0xFFFFFFFF, stamp & 0xFFFFFFFF
    )
    return head + _md5(head + token + body) + body


def decode(data: bytes, token: bytes) -> Packet:
    """A packet from a device; MiotProtocolError if malformed, MiotTokenError if not ours."""
    if len(data) < HEADER_SIZE:
        raise MiotProtocolError(f"a packet of {len(data)} bytes is shorter than its header")
    if len(data) > MAX_PACKET_BYTES:
        raise MiotProtocolError(f"a packet of {len(data)} bytes is over the limit")
    magic, length, _, device_id, stamp, checksum = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise MiotProtocolError("not a miio packet")
    if length != len(data):
        raise MiotProtocolError(f"the header says {length} bytes, the packet has {len(data)}")
    if length == HEADER_SIZE:
        return Packet(device_id, stamp, None)  # a hello answer: no payload, no checksum to check
    body = data[HEADER_SIZE:]
    if not hmac.compare_digest(checksum, _md5(data[:16] + token + body)):
        raise MiotTokenError("the answer's checksum does not match the token")
    text = decrypt(body, token).rstrip(b"\x00")
    try:
        payload = strict_json(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:  # nesting bombs too
        raise MiotProtocolError("the payload is not JSON") from err
    if not isinstance(payload, dict):
        raise MiotProtocolError("the payload is not a JSON object")
    return Packet(device_id, stamp, payload)
