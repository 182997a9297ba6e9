"""The device side of Tuya's local protocol 3.3/3.4/3.5, built on tinytuya's own primitives.

Framing, CRC/HMAC, AES-ECB/GCM and the constants are tinytuya's (`pack_message`,
`unpack_message`, `AESCipher`, `header`, `command_types`): this module only decides what a
DEVICE puts in them, which is the mirror image of tinytuya's client (XenonDevice.py).

What a device sends, per version (tinytuya's `_receive` always strips a 4-byte return code):

- 3.3: 55AA frame, CRC32. Payload = retcode + AES-ECB(local key, JSON); STATUS pushes put
  "3.3" + 12 zero bytes before the ciphertext. An empty acknowledgement is the retcode alone.
- 3.4: 55AA frame, HMAC-SHA256 (session key) instead of the CRC. Payload = retcode +
  AES-ECB(session key, ["3.4" + 12 zeros] + JSON): the version header is inside the encryption.
- 3.5: 6699 frame, AES-GCM (session key, 12-byte IV, the header after the prefix as AAD,
  16-byte tag); the retcode and the version header are inside the encryption.

3.4 and 3.5 negotiate a session key first, with the local key: the client's nonce (START, 3),
the device's nonce + HMAC(local key, client nonce) (RESP, 4), HMAC(local key, device nonce)
(FINISH, 5). Session key = AES-ECB(local key, client nonce XOR device nonce) for 3.4; for 3.5
the same XOR encrypted with AES-GCM, IV = client nonce[:12], ciphertext bytes 0..16.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast

# tinytuya ships no type information: these names are Any to mypy, so the typed wrappers
# below are where this module's types come from.
from tinytuya.core import command_types as CT  # type: ignore[import-untyped]  # noqa: N812
from tinytuya.core import header as H  # noqa: N812
from tinytuya.core.crypto_helper import AESCipher  # type: ignore[import-untyped]
from tinytuya.core.exceptions import DecodeError  # type: ignore[import-untyped]
from tinytuya.core.message_helper import (  # type: ignore[import-untyped]
    TuyaHeader,
    TuyaMessage,
    pack_message,
    unpack_message,
)

if TYPE_CHECKING:
    from collections.abc import Callable

type Version = Literal["3.3", "3.4", "3.5"]
VERSIONS: Final[tuple[Version, ...]] = ("3.3", "3.4", "3.5")

# Commands, by tinytuya's names.
SESS_KEY_NEG_START: Final[int] = CT.SESS_KEY_NEG_START
SESS_KEY_NEG_RESP: Final[int] = CT.SESS_KEY_NEG_RESP
SESS_KEY_NEG_FINISH: Final[int] = CT.SESS_KEY_NEG_FINISH
CONTROL: Final[int] = CT.CONTROL
STATUS: Final[int] = CT.STATUS
HEART_BEAT: Final[int] = CT.HEART_BEAT
DP_QUERY: Final[int] = CT.DP_QUERY
CONTROL_NEW: Final[int] = CT.CONTROL_NEW
DP_QUERY_NEW: Final[int] = CT.DP_QUERY_NEW
UPDATEDPS: Final[int] = CT.UPDATEDPS
UDP_NEW: Final[int] = CT.UDP_NEW
BOARDCAST_LPV34: Final[int] = CT.BOARDCAST_LPV34

PREFIX_55AA: Final[bytes] = H.PREFIX_55AA_BIN
PREFIX_6699: Final[bytes] = H.PREFIX_6699_BIN
SUFFIX_6699: Final[bytes] = H.SUFFIX_6699_BIN
PREFIX_SIZE: Final = 4
# A frame claiming a longer payload is refused before it is read: real devices have a few KiB
# of buffer, and a corrupt or hostile length must not make the emulator allocate without bound.
MAX_PAYLOAD: Final = 64 * 1024
NONCE_SIZE: Final = 16
HMAC_SIZE: Final = 32
GCM_IV_SIZE: Final = 12
VERSION_PADDING: Final[bytes] = H.PROTOCOL_3x_HEADER  # the 12 zero bytes after "3.x"
VERSION_HEADER_SIZE: Final = 3 + len(VERSION_PADDING)
# tinytuya's UDP key: md5("yGAdlopoPVldABfn"), as tuya-convert found it in the firmware.
UDP_KEY: Final = hashlib.md5(b"yGAdlopoPVldABfn").digest()  # noqa: S324  # Tuya's choice


class WireError(Exception):
    """A frame the device refuses (integrity, decryption, size): it closes the connection."""


@dataclass(frozen=True, slots=True)
class Request:
    """A client's frame, checked and decrypted (the version header removed)."""

    seqno: int
    cmd: int
    payload: bytes

    def json(self) -> dict[str, Any]:
        """The payload as a JSON object (WireError if it is none: garbage after decryption)."""
        try:
            value = json.loads(self.payload.decode("utf-8")) if self.payload else {}
        except (UnicodeDecodeError, ValueError) as err:
            raise WireError("payload is not JSON: wrong local key?") from err
        if not isinstance(value, dict):
            raise WireError("payload is not a JSON object")
        return cast("dict[str, Any]", value)


def header_size(prefix: bytes) -> int:
    """Bytes in the header that starts with `prefix` (WireError for an unknown prefix)."""
    if prefix == PREFIX_55AA:
        return struct.calcsize(H.MESSAGE_HEADER_FMT_55AA)
    if prefix == PREFIX_6699:
        return struct.calcsize(H.MESSAGE_HEADER_FMT_6699)
    raise WireError(f"unknown frame prefix {prefix.hex()}")


def read_header(data: bytes) -> Any:  # tinytuya's TuyaHeader namedtuple
    """The TuyaHeader (tinytuya's) of a complete header, with the emulator's own size limit.

    Not tinytuya's parse_header: its 1440-byte cap is a client's sanity check, and a device
    refusing frames must do so by its own rule (MAX_PAYLOAD) before reading the body.
    """
    if data[:PREFIX_SIZE] == PREFIX_6699:
        _prefix, _reserved, seqno, cmd, length = struct.unpack(H.MESSAGE_HEADER_FMT_6699, data)
        total = len(data) + length + len(H.SUFFIX_6699_BIN)
        prefix = H.PREFIX_6699_VALUE
    elif data[:PREFIX_SIZE] == PREFIX_55AA:
        _prefix, seqno, cmd, length = struct.unpack(H.MESSAGE_HEADER_FMT_55AA, data)
        total = len(data) + length
        prefix = H.PREFIX_55AA_VALUE
    else:
        raise WireError(f"unknown frame prefix {data[:PREFIX_SIZE].hex()}")
    if length > MAX_PAYLOAD:
        raise WireError(f"frame claims {length} bytes, more than {MAX_PAYLOAD}")
    return TuyaHeader(prefix, seqno, cmd, length, total)


def _ecb_encrypt(key: bytes, plain: bytes, *, pad: bool = True) -> bytes:
    return cast("bytes", AESCipher(key).encrypt(plain, use_base64=False, pad=pad))


def _ecb_decrypt(key: bytes, data: bytes) -> bytes:
    try:
        return cast(
            "bytes",
            AESCipher(key).decrypt(data, use_base64=False, decode_text=False, verify_padding=True),
        )
    except ValueError as err:
        raise WireError(f"cannot decrypt: {err}") from err


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


class Session:
    """One connection's protocol state: version, keys, negotiation and sequence numbers.

    Until a 3.4/3.5 client finishes the negotiation, `key` is the local key (the negotiation's
    own frames use it); then it is the session key. 3.3 uses the local key throughout.
    """

    def __init__(
        self,
        version: Version,
        local_key: bytes,
        *,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if len(local_key) != NONCE_SIZE:
            raise ValueError("the local key must be 16 bytes")
        self.version: Version = version
        self.local_key = local_key
        self.key = local_key
        self.established = version == "3.3"  # 3.4/3.5: only after the negotiation
        self._random = random_bytes
        self._client_nonce: bytes | None = None
        self._device_nonce: bytes | None = None
        self._seqno = 0  # the device's own counter (pushes; every 3.5 frame)
        self._version_header = version.encode("ascii") + VERSION_PADDING

    @property
    def version_header(self) -> bytes:
        """The version and 12 zero bytes ("3.x..."): what STATUS and CONTROL payloads start with."""
        return self._version_header

    def next_seqno(self) -> int:
        """The device's next sequence number."""
        self._seqno += 1
        return self._seqno

    # -- client to device ----------------------------------------------------------------------

    def open(self, frame: bytes, header: Any) -> Request:  # TuyaHeader
        """Check and decrypt a client's complete frame (WireError: drop the connection)."""
        is_6699 = header.prefix == H.PREFIX_6699_VALUE
        if is_6699 != (self.version == "3.5"):
            raise WireError("frame format does not match the protocol version")
        hmac_key = self.key if self.version != "3.3" else None
        try:
            # Clients send no return code: no_retcode=True.
            message = unpack_message(frame, hmac_key=hmac_key, header=header, no_retcode=True)
        except (DecodeError, struct.error, ValueError) as err:
            raise WireError(f"malformed frame: {err}") from err
        if not message.crc_good:
            raise WireError("CRC, HMAC or GCM tag does not match: wrong key or corrupt frame")
        payload = cast("bytes", message.payload)
        if self.version == "3.3":
            # CONTROL carries "3.3" + 12 zeros before the ciphertext; queries carry none.
            if payload.startswith(self._version_header):
                payload = payload[VERSION_HEADER_SIZE:]
            payload = _ecb_decrypt(self.key, payload) if payload else b""
        elif self.version == "3.4":
            payload = _ecb_decrypt(self.key, payload) if payload else b""
            if payload.startswith(self._version_header):
                payload = payload[VERSION_HEADER_SIZE:]
        elif payload.startswith(self._version_header):  # 3.5: already decrypted by GCM
            payload = payload[VERSION_HEADER_SIZE:]
        return Request(int(message.seqno), int(message.cmd), payload)

    # -- device to client ----------------------------------------------------------------------

    def reply(
        self, request: Request, cmd: int, payload: bytes = b"", *, version_header: bool = False
    ) -> bytes:
        """A frame answering `request`.

        3.3/3.4 devices answer with the request's sequence number (tinytuya matches the return
        code by it); 3.5 devices with their own counter, which tinytuya expects of 3.5.
        """
        seqno = self.next_seqno() if self.version == "3.5" else request.seqno
        return self.seal(cmd, payload, seqno=seqno, version_header=version_header)

    def push(self, cmd: int, payload: bytes, *, version_header: bool = True) -> bytes:
        """An unsolicited frame (STATUS), numbered by the device's own counter."""
        return self.seal(cmd, payload, seqno=self.next_seqno(), version_header=version_header)

    def seal(
        self,
        cmd: int,
        payload: bytes,
        *,
        seqno: int,
        version_header: bool = False,
        retcode: int = 0,
    ) -> bytes:
        """A complete device frame: return code, version header, encryption, CRC/HMAC/tag."""
        plain = (self._version_header + payload) if version_header and payload else payload
        if self.version == "3.5":
            iv = self._random(GCM_IV_SIZE)  # a fresh nonce per frame, as GCM needs
            message = TuyaMessage(seqno, cmd, retcode, plain, 0, True, H.PREFIX_6699_VALUE, iv)
            return cast("bytes", pack_message(message, hmac_key=self.key))
        retcode_bytes = struct.pack(H.MESSAGE_RETCODE_FMT, retcode)
        if self.version == "3.3":
            # 3.3: the version header stays outside the encryption.
            body = _ecb_encrypt(self.key, payload) if payload else b""
            if version_header and payload:
                body = self._version_header + body
        else:
            body = _ecb_encrypt(self.key, plain) if plain else b""
        message = TuyaMessage(seqno, cmd, 0, retcode_bytes + body, 0, True, H.PREFIX_55AA_VALUE)
        hmac_key = self.key if self.version == "3.4" else None
        return cast("bytes", pack_message(message, hmac_key=hmac_key))

    def garbage(self) -> bytes:
        """A well-delimited frame whose body is random and whose CRC/HMAC/tag is wrong."""
        seqno = self.next_seqno()
        junk = self._random(32)
        if self.version == "3.5":
            header = struct.pack(
                H.MESSAGE_HEADER_FMT_6699, H.PREFIX_6699_VALUE, 0, seqno, STATUS, 12 + 32 + 16
            )
            return header + junk[:12] + junk + junk[:16] + SUFFIX_6699
        end = H.MESSAGE_END_FMT_HMAC if self.version == "3.4" else H.MESSAGE_END_FMT_55AA
        length = 4 + len(junk) + struct.calcsize(end)
        header = struct.pack(H.MESSAGE_HEADER_FMT_55AA, H.PREFIX_55AA_VALUE, seqno, STATUS, length)
        check = junk if self.version == "3.4" else 0xDEADBEEF
        return header + struct.pack(">I", 0) + junk + struct.pack(end, check, H.SUFFIX_VALUE)

    # -- session key negotiation (3.4, 3.5) ------------------------------------------------------

    def negotiate_start(self, request: Request) -> bytes:
        """Answer SESS_KEY_NEG_START: the device nonce and HMAC(local key, client nonce)."""
        if self.version == "3.3":
            raise WireError("3.3 devices do not negotiate session keys")
        if len(request.payload) != NONCE_SIZE:
            raise WireError("the client nonce must be 16 bytes")
        # A new negotiation starts over from the local key, as tinytuya's client does.
        self.key = self.local_key
        self.established = False
        self._client_nonce = request.payload
        self._device_nonce = self._random(NONCE_SIZE)
        answer = self._device_nonce + _hmac(self.local_key, self._client_nonce)
        return self.reply(request, SESS_KEY_NEG_RESP, answer)

    def negotiate_finish(self, request: Request) -> None:
        """Check SESS_KEY_NEG_FINISH (HMAC of the device nonce) and switch to the session key."""
        if self._client_nonce is None or self._device_nonce is None:
            raise WireError("SESS_KEY_NEG_FINISH without SESS_KEY_NEG_START")
        expected = _hmac(self.local_key, self._device_nonce)
        if not hmac.compare_digest(request.payload[:HMAC_SIZE], expected):
            raise WireError("session key negotiation: the client's HMAC does not match")
        mixed = bytes(a ^ b for a, b in zip(self._client_nonce, self._device_nonce, strict=True))
        if self.version == "3.4":
            self.key = _ecb_encrypt(self.local_key, mixed, pad=False)
        else:
            sealed = cast(
                "bytes",
                AESCipher(self.local_key).encrypt(
                    mixed, use_base64=False, pad=False, iv=self._client_nonce[:GCM_IV_SIZE]
                ),
            )
            # AESCipher returns IV + ciphertext + tag: the key is the 16 ciphertext bytes.
            self.key = sealed[GCM_IV_SIZE : GCM_IV_SIZE + NONCE_SIZE]
        self.established = True


def announcement(version: Version, info: dict[str, Any], seqno: int = 0) -> bytes:
    """A UDP discovery broadcast, as tinytuya's scanner decodes it (`decrypt_udp`).

    3.3/3.4: 55AA frame, return code 0, AES-ECB with the UDP key (cmd 0x13 and 0x23, as real
    devices use). 3.5: 6699 frame, AES-GCM with the UDP key, no return code.
    """
    body = json.dumps(info, separators=(",", ":")).encode("utf-8")
    if version == "3.5":
        iv = os.urandom(GCM_IV_SIZE)
        message = TuyaMessage(seqno, UDP_NEW, None, body, 0, True, H.PREFIX_6699_VALUE, iv)
        return cast("bytes", pack_message(message, hmac_key=UDP_KEY))
    cmd = BOARDCAST_LPV34 if version == "3.4" else UDP_NEW
    payload = struct.pack(H.MESSAGE_RETCODE_FMT, 0) + _ecb_encrypt(UDP_KEY, body)
    message = TuyaMessage(seqno, cmd, 0, payload, 0, True, H.PREFIX_55AA_VALUE)
    return cast("bytes", pack_message(message))
