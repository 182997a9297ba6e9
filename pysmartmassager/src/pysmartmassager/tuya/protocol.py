"""Tuya's local protocol, versions 3.3, 3.4 and 3.5: frames, checksums, encryption, session keys.

Pure functions and small classes, no I/O: `connection.py` drives them over TCP. Written from the
protocol as devices speak it; the tests check every version against tinytuya, an implementation
nobody here wrote.

- 3.3: frames start 0x000055AA, end with a CRC32 and 0x0000AA55; payloads are AES-128-ECB with the
  device's local key; commands other than queries carry a clear "3.3" + 12 zero bytes header.
- 3.4: the same frames with an HMAC-SHA256 instead of the CRC, keyed, like the ECB encryption,
  with a session key negotiated per connection; the version header is inside the encryption.
- 3.5: frames start 0x00006699 and are AES-128-GCM (12-byte nonce, the header as associated
  data, 16-byte tag) with the negotiated session key.
Frames from a device carry a 4-byte return code before the payload (inside the encryption on 3.5).
"""

from __future__ import annotations

import hmac
import json
import os
import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pysmartmassager.exceptions import MassagerAuthenticationError, MassagerResponseError

PREFIX_55AA = 0x000055AA
SUFFIX_55AA = 0x0000AA55
PREFIX_6699 = 0x00006699
SUFFIX_6699 = 0x00009966
HEADER_55AA = struct.Struct(">4I")  # prefix, sequence number, command, length
HEADER_6699 = struct.Struct(">IHIII")  # prefix, reserved, sequence number, command, length
# Enough to size any frame: the 6699 header is 18 bytes, and no 55AA frame is shorter than 28.
HEAD_SIZE = HEADER_6699.size
RETCODE = struct.Struct(">I")
GCM_NONCE = 12
GCM_TAG = 16
KEY_SIZE = 16  # AES-128: local keys and session keys
NONCE_SIZE = 16
HMAC_SIZE = 32
MIN_FRAME_BYTES = 28  # a 55AA header, a CRC and an end marker around an empty payload

# A massager's status is a few hundred bytes; anything claiming more is a corrupt or hostile stream.
MAX_FRAME_BYTES = 16 * 1024


class Version(StrEnum):
    """A protocol version this library speaks."""

    V33 = "3.3"
    V34 = "3.4"
    V35 = "3.5"


class Command(IntEnum):
    """Frame commands used here (Tuya's own numbering)."""

    SESS_KEY_NEG_START = 0x03
    SESS_KEY_NEG_RESP = 0x04
    SESS_KEY_NEG_FINISH = 0x05
    CONTROL = 0x07
    STATUS = 0x08
    HEART_BEAT = 0x09
    DP_QUERY = 0x0A
    CONTROL_NEW = 0x0D
    DP_QUERY_NEW = 0x10


# Commands sent without the "3.x" + 12 zero bytes version header.
_NO_VERSION_HEADER = frozenset(
    {
        Command.DP_QUERY,
        Command.DP_QUERY_NEW,
        Command.HEART_BEAT,
        Command.SESS_KEY_NEG_START,
        Command.SESS_KEY_NEG_RESP,
        Command.SESS_KEY_NEG_FINISH,
        0x12,  # UPDATEDPS
        0x40,  # LAN_EXT_STREAM
    }
)


class TuyaProtocolError(MassagerResponseError):
    """A frame that breaks the protocol: bad prefix, length, checksum, padding or JSON."""


class TuyaKeyError(MassagerAuthenticationError):
    """The local key does not fit the device (a checksum or decryption made with another key)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame: its payload decrypted, version header and return code removed."""

    sequence: int
    command: int
    payload: bytes
    retcode: int | None = None


def ecb_encrypt(key: bytes, data: bytes) -> bytes:
    """AES-128-ECB with PKCS#7 padding, as Tuya uses it (ECB is the protocol's, not a choice)."""
    pad = 16 - len(data) % 16
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305  # Tuya's own
    return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


def ecb_decrypt(key: bytes, data: bytes) -> bytes:
    """The inverse of `ecb_encrypt`; TuyaKeyError when the padding shows another key was used."""
    if not data or len(data) % 16:
        raise TuyaKeyError("the payload is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= KEY_SIZE or plain[-pad:] != bytes([pad]) * pad:
        # A wrong key decrypts to noise, whose last byte is almost never valid padding.
        raise TuyaKeyError("the payload does not decrypt with this local key")
    return plain[:-pad]


def encode_6699(key: bytes, sequence: int, command: int, plain: bytes) -> bytes:
    """A 6699 frame: AES-GCM sealed, the header as associated data."""
    nonce = os.urandom(GCM_NONCE)  # unique per message: GCM must never reuse a nonce
    length = GCM_NONCE + len(plain) + GCM_TAG
    head = HEADER_6699.pack(PREFIX_6699, 0, sequence, command, length)
    sealed = AESGCM(key).encrypt(nonce, plain, head[4:])
    return head + nonce + sealed + struct.pack(">I", SUFFIX_6699)


def version_header(version: Version) -> bytes:
    """The "3.x" + 12 zero bytes header of commands other than queries."""
    return version.value.encode() + bytes(12)


def local_key_bytes(local_key: str) -> bytes:
    """A local key as the cipher takes it; TuyaKeyError unless 16 printable ASCII characters.

    Tuya issues local keys of 16 printable ASCII characters. Anything else (a lone surrogate
    pasted from a broken devices.json, a key with a line break) is refused here, once, instead
    of failing later inside an encoder.
    """
    if len(local_key) != KEY_SIZE or not all("!" <= ch <= "~" for ch in local_key):
        raise TuyaKeyError("a Tuya local key is 16 printable ASCII characters")
    return local_key.encode("ascii")


class FrameCodec:
    """Encodes frames for a device and decodes its frames, for one connection.

    The key is the local key until a 3.4/3.5 session key is negotiated (`use_session_key`).
    """

    def __init__(self, version: Version, local_key: bytes) -> None:
        if len(local_key) != KEY_SIZE:
            raise TuyaKeyError("a Tuya local key is 16 characters")
        self.version = version
        self.local_key = local_key
        self.key = local_key

    def use_session_key(self, key: bytes) -> None:
        """Switch to the negotiated session key (3.4 and 3.5)."""
        self.key = key

    # -- sending ---------------------------------------------------------------------------------

    def encode(self, sequence: int, command: int, payload: bytes) -> bytes:
        """A complete frame carrying `payload` (a JSON document or a negotiation message)."""
        header = b"" if command in _NO_VERSION_HEADER else version_header(self.version)
        if self.version is Version.V35:
            return self._encode_6699(sequence, command, header + payload)
        if self.version is Version.V34:
            body = ecb_encrypt(self.key, header + payload)
            return self._encode_55aa(sequence, command, body, use_hmac=True)
        body = header + ecb_encrypt(self.key, payload)
        return self._encode_55aa(sequence, command, body, use_hmac=False)

    def _encode_55aa(self, sequence: int, command: int, body: bytes, *, use_hmac: bool) -> bytes:
        check_size = 32 if use_hmac else 4
        head = HEADER_55AA.pack(PREFIX_55AA, sequence, command, len(body) + check_size + 4)
        data = head + body
        check = (
            hmac.new(self.key, data, sha256).digest()
            if use_hmac
            else struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)
        )
        return data + check + struct.pack(">I", SUFFIX_55AA)

    def _encode_6699(self, sequence: int, command: int, plain: bytes) -> bytes:
        return encode_6699(self.key, sequence, command, plain)

    # -- receiving -------------------------------------------------------------------------------

    @staticmethod
    def frame_length(head: bytes) -> int:
        """The whole frame's length from its first HEAD_SIZE bytes (corrupt streams fail here)."""
        prefix = struct.unpack_from(">I", head)[0]
        if prefix == PREFIX_55AA:
            length = int(HEADER_55AA.unpack_from(head)[3])
            total = HEADER_55AA.size + length
        elif prefix == PREFIX_6699:
            # The length field counts nonce, payload and tag, not the header or the end marker.
            length = int(HEADER_6699.unpack_from(head)[4])
            total = HEADER_6699.size + length + 4
        else:
            raise TuyaProtocolError(f"not a Tuya frame (prefix {prefix:#010x})")
        if not MIN_FRAME_BYTES <= total <= MAX_FRAME_BYTES:
            raise TuyaProtocolError(f"a frame of {total} bytes is out of bounds")
        return total

    def decode(self, data: bytes) -> Frame:
        """A frame from the device (`data` is exactly one frame, as `frame_length` sized it)."""
        prefix = struct.unpack_from(">I", data)[0]
        if prefix == PREFIX_6699:
            return self._decode_6699(data)
        return self._decode_55aa(data)

    def _decode_55aa(self, data: bytes) -> Frame:
        if self.version is Version.V35:
            raise TuyaProtocolError("a 3.5 device sent a 55AA frame")
        _, sequence, command, _ = HEADER_55AA.unpack_from(data)
        use_hmac = self.version is Version.V34
        check_size = 32 if use_hmac else 4
        if len(data) < HEADER_55AA.size + RETCODE.size + check_size + 4:
            raise TuyaProtocolError("a frame too short for its checksum")
        if struct.unpack_from(">I", data, len(data) - 4)[0] != SUFFIX_55AA:
            raise TuyaProtocolError("a frame without its end marker")
        signed, check = data[: -(check_size + 4)], data[-(check_size + 4) : -4]
        if use_hmac:
            if not hmac.compare_digest(hmac.new(self.key, signed, sha256).digest(), check):
                raise TuyaKeyError("a frame signed with another key")
        elif struct.unpack(">I", check)[0] != zlib.crc32(signed) & 0xFFFFFFFF:
            raise TuyaProtocolError("a frame with a wrong CRC")
        retcode = RETCODE.unpack_from(signed, HEADER_55AA.size)[0]
        body = signed[HEADER_55AA.size + RETCODE.size :]
        if self.version is Version.V34:
            plain = ecb_decrypt(self.key, body) if body else b""
            return Frame(sequence, command, self._strip_header(plain), retcode)
        body = self._strip_header(body)
        return Frame(sequence, command, ecb_decrypt(self.key, body) if body else b"", retcode)

    def _decode_6699(self, data: bytes) -> Frame:
        if self.version is not Version.V35:
            raise TuyaProtocolError(f"a {self.version} device sent a 6699 frame")
        _, _, sequence, command, _ = HEADER_6699.unpack_from(data)
        if struct.unpack_from(">I", data, len(data) - 4)[0] != SUFFIX_6699:
            raise TuyaProtocolError("a frame without its end marker")
        head = data[: HEADER_6699.size]
        nonce = data[HEADER_6699.size : HEADER_6699.size + GCM_NONCE]
        sealed = data[HEADER_6699.size + GCM_NONCE : -4]
        try:
            plain = AESGCM(self.key).decrypt(nonce, sealed, head[4:])
        except InvalidTag as err:
            raise TuyaKeyError("a frame sealed with another key") from err
        if len(plain) < RETCODE.size:
            raise TuyaProtocolError("a frame without its return code")
        retcode = RETCODE.unpack_from(plain)[0]
        plain = plain[RETCODE.size :]
        return Frame(sequence, command, self._strip_header(plain), retcode)

    def _strip_header(self, payload: bytes) -> bytes:
        header = version_header(self.version)
        return payload[len(header) :] if payload.startswith(header) else payload


# -- session key negotiation (3.4 and 3.5) ---------------------------------------------------------


class SessionKeyNegotiation:
    """The client's side of the three-message exchange that gives each connection its own key."""

    def __init__(self, version: Version, local_key: bytes) -> None:
        self.version = version
        self.local_key = local_key
        self.local_nonce = os.urandom(NONCE_SIZE)

    def start(self) -> bytes:
        """Payload of SESS_KEY_NEG_START: our nonce."""
        return self.local_nonce

    def finish(self, response: bytes) -> tuple[bytes, bytes]:
        """From the device's SESS_KEY_NEG_RESP: (payload of SESS_KEY_NEG_FINISH, session key).

        The device proves it holds the local key by signing our nonce; a wrong local key fails here.
        """
        if len(response) < NONCE_SIZE + HMAC_SIZE:
            raise TuyaProtocolError("a session key answer too short")
        remote_nonce = response[:NONCE_SIZE]
        proof = response[NONCE_SIZE : NONCE_SIZE + HMAC_SIZE]
        expected = hmac.new(self.local_key, self.local_nonce, sha256).digest()
        if not hmac.compare_digest(proof, expected):
            raise TuyaKeyError("the device does not hold this local key")
        mixed = bytes(a ^ b for a, b in zip(self.local_nonce, remote_nonce, strict=True))
        if self.version is Version.V35:
            sealed = AESGCM(self.local_key).encrypt(self.local_nonce[:GCM_NONCE], mixed, None)
            session_key = sealed[:KEY_SIZE]  # the ciphertext, without the tag
        else:
            encryptor = Cipher(algorithms.AES(self.local_key), modes.ECB()).encryptor()  # noqa: S305
            session_key = encryptor.update(mixed) + encryptor.finalize()
        return hmac.new(self.local_key, remote_nonce, sha256).digest(), session_key


# -- JSON payloads ---------------------------------------------------------------------------------


def dumps(document: dict[str, Any]) -> bytes:
    """Compact JSON: devices refuse payloads with spaces."""
    return json.dumps(document, separators=(",", ":")).encode()


def parse_dps(payload: bytes) -> dict[str, Any]:
    """The datapoints in a status or query answer ({} when the frame carries none).

    3.3 puts them at "dps", 3.4/3.5 at "data.dps". Any malformed content is a protocol error.
    """
    if not payload:
        return {}
    try:
        document = json.loads(payload.decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        # Never quoted: a 3.3 payload carries the device id ("devId"), a secret here.
        raise TuyaProtocolError(f"a payload of {len(payload)} bytes that is not JSON") from err
    if not isinstance(document, dict):
        raise TuyaProtocolError("a payload that is not a JSON object")
    dps = document.get("dps")
    data = document.get("data")
    if dps is None and isinstance(data, dict):
        dps = data.get("dps")
    if dps is None:
        return {}
    if not isinstance(dps, dict) or not all(isinstance(key, str) for key in dps):
        raise TuyaProtocolError("datapoints that are not an object")
    return dps
