"""docs/protocol.md and the emulator cannot drift apart: every documented endpoint is served."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from emulators.reference import EmulatorServer, VirtualMassager

PROTOCOL = Path(__file__).parents[2] / "docs" / "protocol.md"
ROW = re.compile(r"^\| (GET|POST|PATCH|DELETE) \| `(/api/v1/[a-z/]+)` \| (yes|no) \|", re.MULTILINE)
VECTOR = re.compile(r"^(token|serial|nonce|token_hint|proof) +(\S+)$", re.MULTILINE)


def documented_endpoints() -> list[tuple[str, str, bool]]:
    """(method, path, needs token) for every row of the endpoint table."""
    return [
        (method, path, auth == "yes") for method, path, auth in ROW.findall(PROTOCOL.read_text())
    ]


def test_the_table_is_read() -> None:
    # Guards the regular expression: a reworded table must not silently test nothing.
    assert len(documented_endpoints()) == 12


async def test_every_documented_endpoint_exists(emulator: EmulatorServer, token: str) -> None:
    emulator.device.open_pairing()
    async with aiohttp.ClientSession() as http:
        for method, path, needs_token in documented_endpoints():
            url = f"{emulator.url}{path}"
            # Without a token: 401 exactly where the document says a token is needed.
            async with http.request(method, url) as response:
                assert (response.status == 401) == needs_token, (method, path, response.status)
            headers = {"Authorization": f"Bearer {token}"}
            if path == "/api/v1/events":
                async with http.ws_connect(url, headers=headers) as stream:
                    assert (await stream.receive_json())["type"] == "state"
                continue
            if (method, path) == ("DELETE", "/api/v1/pair"):
                continue  # would revoke the token the other rows need; test_emulator covers it
            async with http.request(method, url, headers=headers) as response:
                assert response.status not in (404, 405), (method, path)


@pytest.mark.usefixtures("socket_enabled")
async def test_the_challenge_test_vector_is_what_the_device_answers() -> None:
    # Firmware authors check their HMAC against the document's test vector: it must be right.
    vector = dict(VECTOR.findall(PROTOCOL.read_text()))
    assert set(vector) == {"token", "serial", "nonce", "token_hint", "proof"}
    device = VirtualMassager(serial=vector["serial"], name="Back massager")
    device.tokens.add(vector["token"])
    server = EmulatorServer(device)
    await server.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{server.url}/api/v1/challenge",
                json={"nonce": vector["nonce"], "token_hint": vector["token_hint"]},
            ) as response,
        ):
            assert await response.json() == {"proof": vector["proof"], "serial": vector["serial"]}
    finally:
        await server.stop()
