"""The admin API serves local tools, never web pages: loopback port, token, JSON, Host, Origin."""

from __future__ import annotations

import hmac
from collections.abc import AsyncGenerator, Callable
from typing import Any

import aiohttp
import pytest

from emulators.reference import EmulatorServer, Status, VirtualMassager

# What any web page could make a browser send, without asking, before: a "simple" POST.
ATTACK_BODY = '{"action": "start", "intensity": 10, "heat": true}'
ATTACK_HEADERS = {"Content-Type": "text/plain", "Origin": "http://evil.example"}


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def admin_headers(emulator: EmulatorServer, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator.admin_token}", **extra}


async def overview(
    http: aiohttp.ClientSession, emulator: EmulatorServer, headers: dict[str, str]
) -> tuple[int, Any]:
    async with http.get(f"{emulator.admin_url}/emulator", headers=headers) as response:
        return response.status, await response.json()


async def test_a_web_page_cannot_start_a_session(
    http: aiohttp.ClientSession, emulator: EmulatorServer
) -> None:
    # Before: 200, a heated session at intensity 10. The device port has no admin routes now...
    async with http.post(
        f"{emulator.url}/emulator/press", data=ATTACK_BODY, headers=ATTACK_HEADERS
    ) as response:
        assert response.status == 401
    # ...and the admin port refuses the same request (it even lacks the token).
    async with http.post(
        f"{emulator.admin_url}/emulator/press", data=ATTACK_BODY, headers=ATTACK_HEADERS
    ) as response:
        assert response.status == 403
    assert (emulator.device.status, emulator.device.heat) == (Status.IDLE, False)


async def test_the_device_port_serves_no_admin_route(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    for method, path in (("GET", "/emulator"), ("POST", "/emulator/press")):
        async with http.request(
            method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {token}"}, json={}
        ) as response:
            assert response.status == 404, path
            assert (await response.json())["error"]["code"] == "not_found"


@pytest.mark.usefixtures("socket_enabled")
async def test_admin_listens_on_loopback_whatever_the_device_does() -> None:
    server = EmulatorServer(
        VirtualMassager(serial="SM-LAN", name="Back massager"),
        host="0.0.0.0",  # noqa: S104  # a demo that lets the LAN reach the massager
    )
    await server.start()
    try:
        assert server._admin_runner is not None
        assert {address[0] for address in server._admin_runner.addresses} == {"127.0.0.1"}
        assert server.admin_url.startswith("http://127.0.0.1:")
        assert server.admin_url != server.url
    finally:
        await server.stop()


async def test_admin_tokens_are_random(emulator: EmulatorServer, device: VirtualMassager) -> None:
    other = EmulatorServer(device)
    assert len(emulator.admin_token) >= 32
    assert other.admin_token != emulator.admin_token


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", "Bearer", "Basic abc", "bearer {token}", "Bearer {token}x"],
)
async def test_admin_needs_the_token(
    http: aiohttp.ClientSession, emulator: EmulatorServer, authorization: str | None
) -> None:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.format(token=emulator.admin_token)
    status, answer = await overview(http, emulator, headers)
    assert (status, answer["error"]["code"]) == (401, "unauthorized")
    async with http.post(
        f"{emulator.admin_url}/emulator/press", json={"action": "start"}, headers=headers
    ) as response:
        assert response.status == 401
    assert emulator.device.status is Status.IDLE
    status, _ = await overview(http, emulator, admin_headers(emulator))
    assert status == 200


async def test_admin_token_is_compared_in_constant_time(
    http: aiohttp.ClientSession, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    await overview(http, emulator, {"Authorization": "Bearer wrong"})
    assert calls == [(b"wrong", emulator.admin_token.encode())]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_admin_posts_must_be_json(
    http: aiohttp.ClientSession, emulator: EmulatorServer, content_type: str | None
) -> None:
    headers = admin_headers(emulator)
    if content_type is not None:
        headers["Content-Type"] = content_type
    async with http.post(
        f"{emulator.admin_url}/emulator/press", data=ATTACK_BODY.encode(), headers=headers
    ) as response:
        assert response.status == 415
        assert (await response.json())["error"]["code"] == "unsupported_media_type"
    assert emulator.device.status is Status.IDLE
    headers["Content-Type"] = "application/json; charset=utf-8"
    async with http.post(
        f"{emulator.admin_url}/emulator/press", data=ATTACK_BODY, headers=headers
    ) as response:
        assert response.status == 200
    assert (emulator.device.status, emulator.device.intensity) == (Status.RUNNING, 10)


async def test_admin_refuses_other_host_names(
    http: aiohttp.ClientSession, emulator: EmulatorServer
) -> None:
    """DNS rebinding: evil.example re-resolved to 127.0.0.1 still sends Host: evil.example."""
    port = emulator.admin_url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", "192.168.1.20"):
        status, answer = await overview(http, emulator, admin_headers(emulator, Host=host))
        assert (status, answer["error"]["code"]) == (403, "host_not_allowed"), host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", "localhost"):
        status, _ = await overview(http, emulator, admin_headers(emulator, Host=host))
        assert status == 200, host


async def test_admin_refuses_other_origins(
    http: aiohttp.ClientSession, emulator: EmulatorServer
) -> None:
    port = emulator.admin_url.rsplit(":", 1)[1]
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{int(port) + 1}", ""):
        status, answer = await overview(http, emulator, admin_headers(emulator, Origin=origin))
        assert (status, answer["error"]["code"]) == (403, "origin_not_allowed"), origin
        async with http.post(
            f"{emulator.admin_url}/emulator/press",
            json={"action": "start"},
            headers=admin_headers(emulator, Origin=origin),
        ) as response:
            assert response.status == 403
    assert emulator.device.status is Status.IDLE
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        status, _ = await overview(http, emulator, admin_headers(emulator, Origin=origin))
        assert status == 200, origin
