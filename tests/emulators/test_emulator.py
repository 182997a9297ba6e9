"""The emulator against docs/protocol.md, over raw HTTP (no client library in between)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from emulators.reference import (
    Catalogue,
    EmulatorServer,
    Fleet,
    Status,
    VirtualMassager,
)


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    raw: str | None = None,
) -> tuple[int, Any]:
    """One request; returns status and decoded JSON (None for an empty body)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
    async with http.request(
        method, f"{emulator.url}{path}", headers=headers, json=body, data=raw
    ) as response:
        text = await response.text()
        return response.status, (await response.json() if text else None)


async def admin(
    http: aiohttp.ClientSession, emulator: EmulatorServer, path: str, body: Any = None
) -> tuple[int, Any]:
    """One admin call as a local tool makes it: the admin port, the admin token, JSON."""
    async with http.post(
        f"{emulator.admin_url}/emulator/{path}",
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
        json=body if body is not None else {},
    ) as response:
        return response.status, await response.json()


async def test_pairing_only_in_pairing_mode(
    http: aiohttp.ClientSession, emulator: EmulatorServer
) -> None:
    status, body = await call(http, emulator, "POST", "/api/v1/pair")
    assert (status, body["error"]["code"]) == (403, "pairing_not_enabled")
    assert not emulator.device.tokens

    emulator.device.open_pairing(timedelta(seconds=120))
    status, identity = await call(http, emulator, "GET", "/api/v1/pair")
    assert identity["pairing_open"] is True
    status, body = await call(http, emulator, "POST", "/api/v1/pair")
    assert status == 200
    token = body["token"]
    assert token in emulator.device.tokens

    # The window closes by itself.
    emulator.device.clock_offset = timedelta(seconds=121)
    status, body = await call(http, emulator, "POST", "/api/v1/pair")
    assert status == 403

    # The token works; DELETE revokes exactly the caller's token.
    status, _ = await call(http, emulator, "GET", "/api/v1/info", token=token)
    assert status == 200
    status, _ = await call(http, emulator, "DELETE", "/api/v1/pair", token=token)
    assert status == 204
    status, body = await call(http, emulator, "GET", "/api/v1/info", token=token)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", "Bearer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/info"),
        ("GET", "/api/v1/state"),
        ("POST", "/api/v1/session/start"),
        ("PATCH", "/api/v1/settings"),
        ("POST", "/api/v1/session/stop"),
        ("GET", "/api/v1/events"),
    ],
)
async def test_token_required(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    token: str,
    header: str | None,
    method: str,
    path: str,
) -> None:
    headers = {"Authorization": header} if header else {}
    async with http.request(method, f"{emulator.url}{path}", headers=headers) as response:
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "unauthorized"
    assert emulator.device.status is Status.IDLE
    assert emulator.device.seq == 0


INVALID_SETTINGS = [
    ({"intensity": 0}, 422, "invalid_value", "intensity"),
    ({"intensity": 11}, 422, "invalid_value", "intensity"),
    ({"intensity": True}, 422, "invalid_value", "intensity"),
    ({"intensity": "5"}, 422, "invalid_value", "intensity"),
    ({"intensity": 5.5}, 422, "invalid_value", "intensity"),
    ({"program": "spine_crusher"}, 422, "unknown_program", "program"),
    ({"program": 3}, 422, "unknown_program", "program"),
    ({"zone": "spine"}, 422, "unknown_zone", "zone"),
    ({"minutes": 31}, 422, "minutes_above_cap", "minutes"),
    ({"minutes": 0}, 422, "invalid_value", "minutes"),
    ({"minutes": "ten"}, 422, "invalid_value", "minutes"),
    ({"heat": "yes"}, 422, "invalid_value", "heat"),
    ({"speed": 3}, 422, "unknown_field", "speed"),
    # One bad field spoils the whole request: the good ones are not applied either.
    ({"program": "shiatsu", "intensity": 99}, 422, "invalid_value", "intensity"),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), INVALID_SETTINGS)
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v1/session/start"), ("PATCH", "/api/v1/settings")]
)
async def test_invalid_settings_change_nothing(
    http: aiohttp.ClientSession,
    emulator: EmulatorServer,
    token: str,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
    method: str,
    path: str,
) -> None:
    before = emulator.device.state_json()
    got_status, answer = await call(http, emulator, method, path, token=token, body=body)
    assert got_status == status
    assert answer["error"]["code"] == code
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]
    after = emulator.device.state_json()
    assert {**after, "now": None} == {**before, "now": None}


async def test_errors_name_the_allowed_values(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    _, answer = await call(
        http, emulator, "PATCH", "/api/v1/settings", token=token, body={"zone": "spine"}
    )
    assert answer["error"]["allowed"] == ["shoulders", "upper_back", "lower_back", "full_back"]
    _, answer = await call(
        http, emulator, "PATCH", "/api/v1/settings", token=token, body={"minutes": 45}
    )
    assert answer["error"]["allowed"] == {"min": 1, "max": 30, "step": 1}


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null"])
async def test_malformed_body(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str, raw: str
) -> None:
    status, answer = await call(
        http, emulator, "POST", "/api/v1/session/start", token=token, raw=raw
    )
    assert (status, answer["error"]["code"]) == (400, "invalid_json")
    assert emulator.device.status is Status.IDLE


async def test_unknown_path(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    status, answer = await call(http, emulator, "GET", "/api/v1/nothing", token=token)
    assert (status, answer["error"]["code"]) == (404, "not_found")


async def test_session_lifecycle(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    device = emulator.device
    start = {
        "program": "palm_circles",
        "zone": "lower_back",
        "intensity": 7,
        "minutes": 10,
        "heat": True,
    }
    status, state = await call(
        http, emulator, "POST", "/api/v1/session/start", token=token, body=start
    )
    assert status == 200
    assert state["status"] == "running"
    assert {key: state[key] for key in start} == start
    assert state["remaining_s"] == 600
    assert state["ends_at"] is not None
    # The device's own timer is armed for the session's end.
    assert device.timer_delay == pytest.approx(600, abs=2)

    # Starting again is refused: never a silent restart or extension.
    status, answer = await call(http, emulator, "POST", "/api/v1/session/start", token=token)
    assert (status, answer["error"]["code"]) == (409, "session_active")
    status, answer = await call(
        http, emulator, "PATCH", "/api/v1/settings", token=token, body={"minutes": 20}
    )
    assert (status, answer["error"]["code"]) == (409, "session_active")
    assert device.minutes == 10

    # Mid-session changes apply at once.
    status, state = await call(
        http,
        emulator,
        "PATCH",
        "/api/v1/settings",
        token=token,
        body={"intensity": 3, "zone": "shoulders"},
    )
    assert (state["intensity"], state["zone"], state["status"]) == (3, "shoulders", "running")

    # Pause freezes the remaining time; resume restarts the countdown from there.
    device.clock_offset = timedelta(seconds=100)
    status, state = await call(http, emulator, "POST", "/api/v1/session/pause", token=token)
    assert state["status"] == "paused"
    assert state["remaining_s"] == 500
    assert state["ends_at"] is None
    assert state["pause_expires_at"] is not None
    device.clock_offset = timedelta(seconds=400)
    status, state = await call(http, emulator, "GET", "/api/v1/state", token=token)
    assert state["remaining_s"] == 500
    status, answer = await call(http, emulator, "POST", "/api/v1/session/pause", token=token)
    assert (status, answer["error"]["code"]) == (409, "invalid_state")
    status, state = await call(http, emulator, "POST", "/api/v1/session/resume", token=token)
    assert state["status"] == "running"
    assert state["remaining_s"] == 500
    assert device.timer_delay == pytest.approx(500, abs=2)

    status, state = await call(http, emulator, "POST", "/api/v1/session/stop", token=token)
    assert (state["status"], state["heat"], state["remaining_s"]) == ("idle", False, 0)
    assert device.timer_delay is None
    # Stop without a session is not an error.
    status, _ = await call(http, emulator, "POST", "/api/v1/session/stop", token=token)
    assert status == 200
    status, answer = await call(http, emulator, "POST", "/api/v1/session/resume", token=token)
    assert (status, answer["error"]["code"]) == (409, "invalid_state")


async def test_session_ends_by_itself_and_heat_goes_off(device: VirtualMassager) -> None:
    device.start({"minutes": 1, "heat": True})
    assert device.status is Status.RUNNING
    # Early: the deadline check re-arms instead of ending the session.
    device.clock_offset = timedelta(seconds=30)
    device.check_deadlines()
    assert device.status is Status.RUNNING
    assert device.timer_delay == pytest.approx(30, abs=1)
    device.clock_offset = timedelta(seconds=61)
    device.check_deadlines()
    assert device.status is Status.FINISHED
    assert device.heat is False
    assert device.state_json()["remaining_s"] == 0
    # A finished device starts again normally, without heat unless asked.
    device.start({})
    assert (device.status, device.heat) == (Status.RUNNING, False)
    device.shutdown()


async def test_paused_session_times_out(device: VirtualMassager) -> None:
    device.start({"minutes": 5, "heat": True})
    device.pause()
    assert device.timer_delay == pytest.approx(600, abs=1)
    device.clock_offset = timedelta(minutes=10, seconds=1)
    device.check_deadlines()
    assert (device.status, device.heat) == (Status.IDLE, False)


async def test_catalogue_without_heat_or_pause() -> None:
    device = VirtualMassager(
        serial="SM-X", name="Cushion", catalogue=Catalogue(heat=False, pause=False)
    )
    with pytest.raises(Exception, match="no heat") as err:
        device.start({"heat": True})
    assert getattr(err.value, "code", None) == "not_supported"
    device.start({"heat": False})
    with pytest.raises(Exception, match="cannot pause"):
        device.pause()
    assert "pause_timeout_minutes" not in device.info_json()["capabilities"]  # type: ignore[operator]
    device.shutdown()


async def test_press_and_faults(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    device = emulator.device
    status, _ = await admin(http, emulator, "press", {"action": "start", "intensity": 2})
    assert status == 200
    assert (device.status, device.intensity) == (Status.RUNNING, 2)
    status, _ = await admin(http, emulator, "press", {"intensity": 42})
    assert status == 422
    assert device.intensity == 2

    status, overview = await admin(http, emulator, "faults", {"http_500": True})
    assert overview["faults"]["http_500"] is True
    status, answer = await call(http, emulator, "POST", "/api/v1/session/stop", token=token)
    assert (status, answer["error"]["code"]) == (500, "internal_error")
    assert device.status is Status.RUNNING

    await admin(http, emulator, "faults", {"http_500": False, "malformed_json": True})
    async with http.get(
        f"{emulator.url}/api/v1/state", headers={"Authorization": f"Bearer {token}"}
    ) as r:
        with pytest.raises(ValueError):  # noqa: PT011  # json's own error type
            await r.json(content_type=None)

    await admin(http, emulator, "faults", {"malformed_json": False})
    _, overview = await admin(http, emulator, "error", {"code": "overheat"})
    state = overview["state"]
    assert (state["status"], state["heat"], state["error"]["code"]) == ("error", False, "overheat")

    boot = device.boot_id
    await admin(http, emulator, "reboot")
    assert (device.status, device.seq) == (Status.IDLE, 1)
    assert device.boot_id != boot

    await admin(http, emulator, "revoke-tokens")
    status, _ = await call(http, emulator, "GET", "/api/v1/state", token=token)
    assert status == 401


async def test_power_cycle_keeps_the_port(
    http: aiohttp.ClientSession, emulator: EmulatorServer, token: str
) -> None:
    port = emulator.port
    emulator.device.start({"minutes": 5})
    await emulator.power_cycle(0)
    assert emulator.port == port
    # The session did not survive the power cut.
    status, state = await call(http, emulator, "GET", "/api/v1/state", token=token)
    assert (status, state["status"]) == (200, "idle")


@pytest.mark.usefixtures("socket_enabled")
async def test_fleet_numbers_devices() -> None:
    fleet = Fleet(count=3, pairing_open=True)
    servers = await fleet.start()
    try:
        assert [server.device.name for server in servers] == [
            "Back massager",
            "Back massager 2",
            "Back massager 3",
        ]
        assert len({server.port for server in servers}) == 3
        assert len({server.device.serial for server in servers}) == 3
        assert all(server.device.pairing_open for server in servers)
        # One admin API per massager, all on loopback, all with the fleet's one token.
        assert len({server.admin_url for server in servers}) == 3
        assert all(server.admin_url.startswith("http://127.0.0.1:") for server in servers)
        assert {server.admin_token for server in servers} == {fleet.admin_token}
    finally:
        await fleet.stop()
