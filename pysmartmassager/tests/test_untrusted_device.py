"""A faulty or malicious device on 127.0.0.1: the library stays bounded and raises only its errors.

Each test serves one misbehaviour from a tiny aiohttp app (the reference emulator cannot
misbehave this way) and checks what the client makes of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from emulators.reference import VirtualMassager
from pysmartmassager import (
    MassagerAuthenticationError,
    MassagerInvalidRequestError,
    MassagerResponseError,
    SessionSettings,
    SessionState,
)
from pysmartmassager.reference import EventStream, SmartMassagerClient
from pysmartmassager.reference.const import MAX_EVENT_BYTES, MAX_RESPONSE_BYTES

VALID_STATE: dict[str, Any] = VirtualMassager(serial="SM-EVIL", name="Evil").state_json()
BIG = 5 * 1024 * 1024  # the 5 MB value


def state_body(**changes: object) -> str:
    return json.dumps({**VALID_STATE, **changes})


def event(**changes: object) -> str:
    return json.dumps({"type": "state", "data": {**VALID_STATE, **changes}})


class FakeDevice:
    """An aiohttp app on 127.0.0.1 with the routes a test gives; bytes its handlers wrote."""

    def __init__(self) -> None:
        self.sent = 0
        self._runners: list[web.AppRunner] = []
        self._clients: list[SmartMassagerClient] = []

    async def start(self, *routes: web.RouteDef) -> SmartMassagerClient:
        app = web.Application()
        app.add_routes(routes)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runners.append(runner)
        client = SmartMassagerClient(
            "127.0.0.1", port=runner.addresses[0][1], token="t", request_timeout=3.0
        )
        self._clients.append(client)
        return client

    async def stream(self, request: web.Request, chunk: bytes, *, length: int | None) -> None:
        """Write `chunk` until the client hangs up (forever, if it never does)."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if length is not None:
            response.content_length = length
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            while True:
                await response.write(chunk)
                self.sent += len(chunk)

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
        for runner in self._runners:
            await runner.cleanup()


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncGenerator[FakeDevice]:
    device = FakeDevice()
    yield device
    await device.close()


# -- 1. size limits and redirects ---------------------------------------------------------------


async def test_endless_body_is_refused_after_the_cap(fake: FakeDevice) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        await fake.stream(request, b" " * 65536, length=None)  # chunked, no Content-Length
        return web.StreamResponse()

    client = await fake.start(web.get("/api/v1/state", endless))
    started = time.monotonic()
    with pytest.raises(MassagerResponseError, match="more than 1048576 bytes"):
        await client.get_state()
    elapsed = time.monotonic() - started
    # The client stopped reading at the cap; what else the device wrote sat in socket buffers.
    assert elapsed < 2.0


async def test_huge_content_length_is_refused_before_reading(fake: FakeDevice) -> None:
    async def announced(request: web.Request) -> web.StreamResponse:
        await fake.stream(request, b" " * 1024, length=5 * 1024**3)
        return web.StreamResponse()

    client = await fake.start(web.get("/api/v1/state", announced))
    started = time.monotonic()
    with pytest.raises(MassagerResponseError, match="announced 5368709120 bytes"):
        await client.get_state()
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("chunked", [True, False])
async def test_body_at_the_cap_parses_one_byte_more_is_refused(
    fake: FakeDevice, chunked: bool
) -> None:
    exact = state_body().encode().ljust(MAX_RESPONSE_BYTES)  # JSON allows trailing whitespace

    async def answer(request: web.Request) -> web.StreamResponse:
        body = exact if request.path.endswith("/state") else exact + b" "
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if not chunked:
            response.content_length = len(body)
        await response.prepare(request)
        await response.write(body)
        await response.write_eof()
        return response

    client = await fake.start(web.get("/api/v1/state", answer), web.get("/api/v1/info", answer))
    assert (await client.get_state()).intensity == VALID_STATE["intensity"]
    with pytest.raises(MassagerResponseError, match="1048576"):
        await client.get_info()


async def test_compressed_body_is_limited_after_decompression(fake: FakeDevice) -> None:
    # 20 MB of valid JSON (a state and whitespace) in about 20 KB of gzip.
    bomb = gzip.compress(state_body().encode().ljust(20 * 1024 * 1024))

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
        )

    client = await fake.start(web.get("/api/v1/state", answer))
    with pytest.raises(MassagerResponseError, match="more than 1048576 bytes"):
        await client.get_state()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirect_is_not_followed(fake: FakeDevice, status: int) -> None:
    followed: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": "/api/v1/elsewhere"})

    async def elsewhere(request: web.Request) -> web.Response:
        followed.append(request.headers.get("Authorization", ""))
        return web.Response(text=state_body(), content_type="application/json")

    client = await fake.start(
        web.get("/api/v1/state", moved), web.get("/api/v1/elsewhere", elsewhere)
    )
    with pytest.raises(MassagerResponseError, match=f"answered {status}"):
        await client.get_state()
    assert followed == []


# -- 2. every parse failure is MassagerResponseError ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"[" * 100_000, "application/json", id="nested-100000-deep"),
        pytest.param(b'{"status": "\xff"}', "application/json", id="invalid-utf8"),
        pytest.param(b"1" * 5000, "application/json", id="5000-digit-number"),
        pytest.param(
            state_body(now="9999-12-31T23:59:59-23:59").encode(), "application/json", id="year-9999"
        ),
        pytest.param(
            state_body(started_at="0001-01-01T00:00:00+01:00").encode(),
            "application/json",
            id="year-1",
        ),
    ],
)
async def test_unparseable_answer_is_a_response_error(
    fake: FakeDevice, body: bytes, content_type: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    client = await fake.start(web.get("/api/v1/state", answer))
    with pytest.raises(MassagerResponseError) as err:
        await client.get_state()
    assert len(str(err.value)) < 300


# -- 4. error messages stay short -----------------------------------------------------------------


async def test_huge_device_error_gives_a_short_message(fake: FakeDevice) -> None:
    huge = "x" * (MAX_RESPONSE_BYTES // 2 - 1000)

    async def refused(request: web.Request) -> web.Response:
        error = {"code": "invalid_value", "message": huge, "field": huge}
        return web.json_response({"error": error}, status=422)

    async def failed(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": huge, "message": "boom\n" * 1000}}, status=500)

    client = await fake.start(
        web.patch("/api/v1/settings", refused), web.post("/api/v1/session/stop", failed)
    )
    with pytest.raises(MassagerInvalidRequestError) as refusal:
        await client.change_settings(SessionSettings(intensity=1))
    assert len(str(refusal.value)) < 300
    assert refusal.value.field is not None
    assert len(refusal.value.field) <= 64
    with pytest.raises(MassagerResponseError) as failure:
        await client.stop()
    assert len(str(failure.value)) < 300
    assert "\n" not in str(failure.value)


async def test_huge_field_value_gives_a_short_message(fake: FakeDevice) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=state_body(intensity="9" * 900_000), content_type="text/plain")

    client = await fake.start(web.get("/api/v1/state", answer))
    with pytest.raises(MassagerResponseError, match=r"state\.intensity") as err:
        await client.get_state()
    assert len(str(err.value)) < 300


async def test_pairing_token_that_would_inject_headers_is_refused(fake: FakeDevice) -> None:
    async def pair(request: web.Request) -> web.Response:
        return web.json_response({"token": "abc\r\nX-Injected: 1"})

    client = await fake.start(web.post("/api/v1/pair", pair))
    client.token = None
    with pytest.raises(MassagerResponseError, match="token"):
        await client.pair()
    assert client.token is None


# -- 3. the event stream survives bad messages ----------------------------------------------------


type Frame = str | bytes


@dataclass
class Script:
    """What the fake device sends on each WebSocket connection; the last entry repeats."""

    connections: list[list[Frame]]
    opened: int = 0

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        frames = self.connections[min(self.opened, len(self.connections) - 1)]
        self.opened += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        for frame in frames:
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_str(frame)
        async for _ in ws:  # stay open until the client hangs up
            pass
        return ws


@dataclass
class Recorder:
    states: list[SessionState] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    fail_first: bool = False

    def on_state(self, state: SessionState) -> None:
        self.states.append(state)
        self.changed.set()
        if self.fail_first and len(self.states) == 1:
            raise RuntimeError("a bug in the host's callback")

    async def wait_for(self, intensity: int, timeout: float = 5.0) -> None:
        """Until a state with this intensity (each test's marker) arrives."""
        async with asyncio.timeout(timeout):
            while not any(state.intensity == intensity for state in self.states):
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def run_stream(
    fake: FakeDevice,
) -> AsyncGenerator[
    Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]]
]:
    tasks: list[asyncio.Task[None]] = []

    async def start(script: Script, recorder: Recorder) -> tuple[EventStream, asyncio.Task[None]]:
        client = await fake.start(web.get("/api/v1/events", script.handler))
        stream = client.subscribe(recorder.on_state)
        stream.backoff_initial = 0.01
        stream.backoff_max = 0.02
        tasks.append(asyncio.create_task(stream.run()))
        return stream, tasks[-1]

    yield start
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, MassagerAuthenticationError):
            await task


BAD_EVENTS = {
    "not-json": "{oops",
    "nested-100000-deep": "[" * 100_000,
    "wrong-shape": json.dumps({"type": "state", "data": []}),
    "data-not-a-state": json.dumps({"type": "state", "data": {"status": "idle"}}),
    "year-9999": event(now="9999-12-31T23:59:59-23:59", intensity=1),
    "year-1": event(started_at="0001-01-01T00:00:00+01:00", intensity=1),
    "binary": event(intensity=1).encode(),
    "over-the-cap": event(intensity=1) + " " * (MAX_EVENT_BYTES + 1),
}


@pytest.mark.parametrize("bad", list(BAD_EVENTS.values()), ids=list(BAD_EVENTS))
async def test_bad_event_reconnects_and_good_states_follow(
    run_stream: Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]],
    caplog: pytest.LogCaptureFixture,
    bad: Frame,
) -> None:
    recorder = Recorder()
    script = Script([[bad], [event(intensity=7)]])
    with caplog.at_level(logging.DEBUG, logger="pysmartmassager"):
        stream, task = await run_stream(script, recorder)
        await recorder.wait_for(7)
    assert not task.done()
    assert [state.intensity for state in recorder.states] == [7]  # nothing from the bad one
    assert script.opened == 2
    assert isinstance(stream.last_error, MassagerResponseError)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert all(len(record.getMessage()) < 400 for record in caplog.records)


async def test_one_warning_for_a_device_that_keeps_sending_garbage(
    run_stream: Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    bad = list(BAD_EVENTS.values())
    script = Script(
        [*[[frame] for frame in bad], [event(intensity=7), "{oops"], [event(intensity=8)]]
    )
    with caplog.at_level(logging.DEBUG, logger="pysmartmassager"):
        _, task = await run_stream(script, recorder)
        await recorder.wait_for(8)
    assert not task.done()
    assert script.opened == len(bad) + 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    # The first bad connection warns; the same trouble again is DEBUG until a good state
    # arrives (intensity 7), after which the next bad message warns again.
    assert len(warnings) == 2


async def test_unknown_event_type_is_skipped_and_logged_briefly(
    run_stream: Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    script = Script([[json.dumps({"type": "t" * 900_000}), event(intensity=7)]])
    with caplog.at_level(logging.DEBUG, logger="pysmartmassager"):
        _, task = await run_stream(script, recorder)
        await recorder.wait_for(7)
    assert not task.done()
    assert script.opened == 1  # a type this client does not know is no reason to reconnect
    assert all(len(record.getMessage()) < 400 for record in caplog.records)


async def test_failing_callback_does_not_end_the_stream(
    run_stream: Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(fail_first=True)
    _, task = await run_stream(Script([[event(intensity=7), event(intensity=8)]]), recorder)
    await recorder.wait_for(8)
    assert not task.done()
    assert "state callback" in caplog.text


async def test_unforeseen_failure_does_not_end_the_stream(
    run_stream: Callable[[Script, Recorder], Awaitable[tuple[EventStream, asyncio.Task[None]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pysmartmassager.reference import events  # noqa: PLC0415  # the module whose parser is broken here

    real = events._parse_event
    calls: list[str] = []

    def broken_once(text: str, *rest: Any) -> SessionState | None:
        calls.append(text)
        if len(calls) == 1:
            raise ZeroDivisionError("a bug nobody foresaw")
        return real(text, *rest)

    monkeypatch.setattr(events, "_parse_event", broken_once)
    recorder = Recorder()
    stream, task = await run_stream(Script([[event(intensity=7)]]), recorder)
    await recorder.wait_for(7)
    assert not task.done()
    assert stream.connections == 2
