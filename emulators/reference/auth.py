"""Token checks on the device API: constant-time matching, a limit on guesses, the v1.1 challenge.

A real massager's firmware needs the same three pieces; they sit apart from device.py's session
rules so that they can be read (and copied) on their own. docs/protocol.md, "Authentication and
pairing" and "Token challenge", is the specification.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0
# Above this many addresses with recent failures, expired entries are swept (bounded memory).
SWEEP_ABOVE = 256
HINT_CHARS = 16
NONCE_PATTERN = re.compile(r"[0-9a-f]{16,64}")
HINT_PATTERN = re.compile(r"[0-9a-f]{16}")


def to_bytes(text: str) -> bytes:
    """A token as bytes for hmac (compare_digest refuses a str that is not ASCII).

    A header can carry any code point; "surrogatepass" never fails and never maps two strings
    to the same bytes, so a malformed token can neither crash a check nor match by accident.
    """
    return text.encode("utf-8", "surrogatepass")


def match_token(tokens: Iterable[str], presented: str) -> str | None:
    """The stored token equal to `presented`, or None.

    Every stored token is compared, each with hmac.compare_digest, and the loop never stops at a
    match: how long the check takes says nothing about how much of a guess was right, nor which
    token (if any) matched. `presented in tokens` would compare byte by byte and stop early.
    """
    wanted = to_bytes(presented)
    found = None
    for token in tuple(tokens):
        if hmac.compare_digest(to_bytes(token), wanted):
            found = token
    return found


def token_hint(token: str) -> str:
    """The first 16 hex characters of SHA-256(token): names a token without revealing it."""
    return hashlib.sha256(to_bytes(token)).hexdigest()[:HINT_CHARS]


def match_hint(tokens: Iterable[str], hint: str) -> str | None:
    """The stored token whose hint is `hint`, compared like `match_token` (all, constant time)."""
    wanted = to_bytes(hint)
    found = None
    for token in tuple(tokens):
        if hmac.compare_digest(to_bytes(token_hint(token)), wanted):
            found = token
    return found


def challenge_proof(token: str, nonce: str, serial: str) -> str:
    """hex(HMAC-SHA256(key=token, msg=nonce + ":" + serial)), as docs/protocol.md defines it."""
    return hmac.new(to_bytes(token), to_bytes(f"{nonce}:{serial}"), hashlib.sha256).hexdigest()


class FailureLimiter:
    """Failed token checks per peer address; `MAX_FAILURES` within the window lock it out.

    A sliding window on the device's monotonic clock: a peer that failed `MAX_FAILURES` times in
    the last `FAILURE_WINDOW_S` seconds is refused until the oldest of those failures is that old,
    so a guesser gets at most ten tries a minute. Refused attempts are not counted (the lockout
    ends when the window does) and are not checked either: a right token from a locked-out
    address is refused too, otherwise the lockout would still answer the guess.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        limit: int = MAX_FAILURES,
        window_s: float = FAILURE_WINDOW_S,
    ) -> None:
        self._clock = clock
        self._limit = limit
        self._window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, peer: str) -> int:
        """Whole seconds until `peer` may try again; 0 when it is not locked out."""
        failures = self._recent(peer)
        if len(failures) < self._limit:
            return 0
        return max(1, math.ceil(failures[0] + self._window_s - self._clock()))

    def failed(self, peer: str) -> None:
        """Count one failed check from `peer`."""
        failures = self._recent(peer)
        failures.append(self._clock())
        self._failures[peer] = failures
        if len(self._failures) > SWEEP_ABOVE:
            for other in list(self._failures):
                self._recent(other)

    def _recent(self, peer: str) -> deque[float]:
        """`peer`'s failures within the window (older ones dropped); forgets a peer without any."""
        failures = self._failures.get(peer, deque(maxlen=self._limit))
        horizon = self._clock() - self._window_s
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            self._failures.pop(peer, None)
        return failures
