"""Token checks on the protocol port: the limit on wrong tokens, constant time, the challenge."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import aiohttp
import pytest

from emulators.reference import EmulatorServer, VirtualMassager

NOW = 5_000.0


class Monotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def device(monotonic: Monotonic) -> Generator[VirtualMassager]:
    """Replaces the shared fixture here, so the `emulator` fixture serves this device too."""
    device = VirtualMassager(serial="SM-AUTH", name="Back massager", monotonic=monotonic)
    yield device
    device.shutdown()


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get_state(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str | None
) -> tuple[int, Any, aiohttp.ClientResponse]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with http.get(f"{emulator.url}/api/v1/state", headers=headers) as response:
        return response.status, await response.json(), response


async def challenge(
    http: aiohttp.ClientSession, emulator: EmulatorServer, body: Any
) -> tuple[int, Any]:
    async with http.post(f"{emulator.url}/api/v1/challenge", json=body) as response:
        return response.status, await response.json()


async def identity(http: aiohttp.ClientSession, emulator: EmulatorServer) -> tuple[int, Any]:
    async with http.get(f"{emulator.url}/api/v1/pair") as response:
        return response.status, await response.json()


def hint(token: str) -> str:
    """docs/protocol.md: the first 16 hex characters of SHA-256(token)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def expected_proof(token: str, nonce: str, serial: str) -> str:
    """docs/protocol.md: hex(HMAC-SHA256(key=token, msg=nonce + ":" + serial))."""
    return hmac.new(token.encode(), f"{nonce}:{serial}".encode(), hashlib.sha256).hexdigest()


# -- the limit on wrong tokens ----------------------------------------------------------------


async def test_ten_wrong_tokens_lock_the_address_out_for_the_window(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str, monotonic: Monotonic
) -> None:
    for _ in range(10):
        status, body, _ = await get_state(http, emulator, "a-wrong-guess")
        assert (status, body["error"]["code"]) == (401, "unauthorized")
    # Before: 401 for ever, ten guesses or a million. Now refused without being checked: the
    # right token gets 429 as well, or the lockout would still answer the guess.
    status, body, response = await get_state(http, emulator, token)
    assert (status, body["error"]["code"]) == (429, "too_many_attempts")
    assert response.headers["Retry-After"] == "60"
    monotonic.now += 30
    status, _, response = await get_state(http, emulator, "another-guess")
    assert (status, response.headers["Retry-After"]) == (429, "30")  # not counted: no extension
    # Another address is not locked out (all test traffic comes from 127.0.0.1).
    assert emulator.device.authorize(token, "192.0.2.7") == token
    monotonic.now += 30
    status, _, _ = await get_state(http, emulator, token)
    assert status == 200


async def test_the_window_slides(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str, monotonic: Monotonic
) -> None:
    for _ in range(9):
        await get_state(http, emulator, "a-wrong-guess")
        monotonic.now += 7  # nine failures spread over 63 s: the first has left the window
    status, _, _ = await get_state(http, emulator, "a-wrong-guess")
    assert status == 401
    status, _, _ = await get_state(http, emulator, token)
    assert status == 200


async def test_requests_without_a_token_are_not_guesses(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    for _ in range(20):
        status, _, _ = await get_state(http, emulator, None)
        assert status == 401
    status, _, _ = await get_state(http, emulator, token)
    assert status == 200


@pytest.fixture
def compare_digest_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every hmac.compare_digest call (the emulator's modules reach it through `hmac`)."""
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


async def test_tokens_are_compared_in_constant_time_against_every_token(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    compare_digest_calls: list[tuple[bytes, bytes]],
) -> None:
    # Timing itself is too noisy to assert in a test; what makes it constant is asserted instead:
    # every stored token is compared with compare_digest, whichever matches, and also when none
    # does. Before, `token in tokens` compared byte by byte and called compare_digest never.
    device = emulator.device
    device.open_pairing()
    tokens = [device.pair() for _ in range(3)]
    for presented in [*tokens, tokens[0][:-1] + "0", "short"]:
        compare_digest_calls.clear()
        await get_state(http, emulator, presented)
        assert sorted(stored for stored, _ in compare_digest_calls) == sorted(
            token.encode() for token in tokens
        )
        assert {given for _, given in compare_digest_calls} == {presented.encode()}


async def test_odd_characters_in_a_token_are_a_wrong_token(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    # compare_digest raises on a non-ASCII str; the device must answer 401, never 500.
    async with http.get(
        f"{emulator.url}/api/v1/state",
        headers={"Authorization": "Bearer caf\u00e9".encode().decode("latin-1")},
    ) as response:
        assert response.status == 401


# -- the challenge (protocol v1.1) ------------------------------------------------------------


async def test_challenge_proves_the_token_without_sending_it(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    device = emulator.device
    device.open_pairing()
    other = device.pair()
    status, answer = await identity(http, emulator)
    assert (status, answer["protocol"], answer["challenge"]) == (200, 1, True)
    for paired in (token, other):
        nonce = secrets.token_hex(32)
        # No Authorization header: the proof is the authentication.
        status, answer = await challenge(
            http, emulator, {"nonce": nonce, "token_hint": hint(paired)}
        )
        assert status == 200
        assert answer == {"proof": expected_proof(paired, nonce, "SM-AUTH"), "serial": "SM-AUTH"}
        assert paired not in str(answer)


async def test_challenge_for_an_unknown_token(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    nonce = secrets.token_hex(16)
    status, answer = await challenge(
        http, emulator, {"nonce": nonce, "token_hint": hint("not-" + token)}
    )
    assert (status, answer["error"]["code"]) == (401, "invalid_token")
    emulator.device.revoke_tokens()
    status, answer = await challenge(http, emulator, {"nonce": nonce, "token_hint": hint(token)})
    assert (status, answer["error"]["code"]) == (401, "invalid_token")


async def test_failed_challenges_count_like_wrong_tokens(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str, monotonic: Monotonic
) -> None:
    body = {"nonce": "ab" * 16, "token_hint": "0123456789abcdef"}
    for _ in range(10):
        status, _ = await challenge(http, emulator, body)
        assert status == 401
    right = {**body, "token_hint": hint(token)}
    status, answer = await challenge(http, emulator, right)
    assert (status, answer["error"]["code"]) == (429, "too_many_attempts")
    status, _, _ = await get_state(http, emulator, token)  # one counter per address
    assert status == 429
    monotonic.now += 60
    status, _ = await challenge(http, emulator, right)
    assert status == 200


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ([1, 2], "invalid_json", None),
        ({}, "invalid_challenge", "nonce"),
        ({"nonce": "ab" * 8}, "invalid_challenge", "token_hint"),
        ({"nonce": "a" * 15, "token_hint": "0" * 16}, "invalid_challenge", "nonce"),
        ({"nonce": "a" * 65, "token_hint": "0" * 16}, "invalid_challenge", "nonce"),
        ({"nonce": "AB" * 8, "token_hint": "0" * 16}, "invalid_challenge", "nonce"),
        ({"nonce": "xy" * 8, "token_hint": "0" * 16}, "invalid_challenge", "nonce"),
        ({"nonce": 1234567890123456, "token_hint": "0" * 16}, "invalid_challenge", "nonce"),
        ({"nonce": "ab" * 8, "token_hint": "0" * 15}, "invalid_challenge", "token_hint"),
        ({"nonce": "ab" * 8, "token_hint": "0" * 17}, "invalid_challenge", "token_hint"),
        ({"nonce": "ab" * 8, "token_hint": None}, "invalid_challenge", "token_hint"),
    ],
)
async def test_malformed_challenge(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    token: str,
    body: Any,
    code: str,
    field: str | None,
) -> None:
    status, answer = await challenge(http, emulator, body)
    assert (status, answer["error"]["code"], answer["error"].get("field")) == (400, code, field)


async def test_malformed_challenges_are_not_guesses(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    for _ in range(20):
        status, _ = await challenge(http, emulator, {"nonce": "short"})
        assert status == 400
    async with http.post(f"{emulator.url}/api/v1/challenge", data="{not json") as response:
        assert response.status == 400
    status, _ = await challenge(http, emulator, {"nonce": "ab" * 8, "token_hint": hint(token)})
    assert status == 200
