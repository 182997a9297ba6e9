"""The client library against the emulator over loopback TCP: every call, every error class."""

from __future__ import annotations

import socket

import pytest

from conftest import SERIAL
from emulators.reference import Catalogue, EmulatorServer, VirtualMassager
from pysmartmassager import (
    Choice,
    LevelRange,
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerPairingNotEnabledError,
    MassagerResponseError,
    MassagerTimeoutError,
    SessionSettings,
    Status,
)
from pysmartmassager.reference import SmartMassagerClient


async def test_identify_and_pair(emulator: EmulatorServer) -> None:
    async with SmartMassagerClient(emulator.host, port=emulator.port) as client:
        identity = await client.identify()
        assert (identity.serial, identity.name, identity.pairing_open) == (
            SERIAL,
            "Back massager",
            False,
        )
        with pytest.raises(MassagerAuthenticationError, match="pair"):
            await client.get_state()  # no token yet: refused before any request
        with pytest.raises(MassagerPairingNotEnabledError):
            await client.pair()
        emulator.device.open_pairing()
        token = await client.pair()
        assert client.token == token
        assert (await client.get_state()).status is Status.IDLE
        await client.unpair()
        assert token not in emulator.device.tokens
        with pytest.raises(MassagerAuthenticationError):
            await client.get_state()


async def test_info_parses_capabilities(client: SmartMassagerClient) -> None:
    info = await client.get_info()
    assert (info.serial, info.model, info.manufacturer, info.firmware) == (
        SERIAL,
        "SM-Back One",
        "Smart Massager",
        "1.4.2",
    )
    assert info.capabilities.device_timer  # reference devices end their sessions themselves
    caps = info.capabilities
    assert caps.program_ids[:5] == [
        "warm_up_glide",
        "palm_circles",
        "finger_press",
        "thumb_glide",
        "trigger_point",
    ]
    assert len(caps.programs) == 10
    assert caps.programs[1] == Choice("palm_circles", "Palm circles")
    assert caps.zone_ids == ["shoulders", "upper_back", "lower_back", "full_back"]
    assert caps.intensity == LevelRange(1, 10, 1)
    assert caps.intensity.levels == 10
    assert caps.session_minutes == LevelRange(1, 30, 1)
    assert caps.default_minutes == 15
    assert (caps.heat, caps.pause, caps.pause_timeout_minutes) == (True, True, 10)


async def test_commands_reach_the_device(
    client: SmartMassagerClient, emulator: EmulatorServer
) -> None:
    device = emulator.device
    state = await client.start_session(
        SessionSettings(
            program="palm_circles", zone="lower_back", intensity=7, minutes=10, heat=True
        )
    )
    assert state.status is Status.RUNNING
    assert (device.program, device.zone, device.intensity, device.minutes, device.heat) == (
        "palm_circles",
        "lower_back",
        7,
        10,
        True,
    )
    assert state.remaining_s == 600
    assert state.ends_at is not None

    state = await client.change_settings(SessionSettings(intensity=4))
    assert (state.intensity, device.intensity) == (4, 4)
    assert state.program == "palm_circles"  # omitted fields keep their values

    state = await client.pause()
    assert (state.status, device.status.value) == (Status.PAUSED, "paused")
    state = await client.resume()
    assert state.status is Status.RUNNING
    state = await client.stop()
    assert (state.status, state.heat, device.heat) == (Status.IDLE, False, False)
    assert not state.is_newer_than(await client.get_state())


async def test_invalid_request_carries_code_field_and_allowed(
    client: SmartMassagerClient, emulator: EmulatorServer
) -> None:
    with pytest.raises(MassagerInvalidRequestError) as err:
        await client.start_session(SessionSettings(intensity=15))
    assert (err.value.code, err.value.field) == ("invalid_value", "intensity")
    # The neutral error carries the reason, not the reference protocol's HTTP status.
    assert not hasattr(err.value, "status")
    assert err.value.allowed == {"min": 1, "max": 10, "step": 1}
    with pytest.raises(MassagerInvalidRequestError) as err:
        await client.change_settings(SessionSettings(program="spine_crusher"))
    assert err.value.code == "unknown_program"
    assert isinstance(err.value.allowed, list)
    assert "palm_circles" in err.value.allowed
    with pytest.raises(MassagerInvalidRequestError) as err:
        await client.start_session(SessionSettings(minutes=31))
    assert err.value.code == "minutes_above_cap"
    assert emulator.device.status.value == "idle"


async def test_invalid_state(client: SmartMassagerClient) -> None:
    with pytest.raises(MassagerInvalidStateError) as err:
        await client.resume()
    assert err.value.code == "invalid_state"
    await client.start_session()
    with pytest.raises(MassagerInvalidStateError) as err:
        await client.start_session()
    assert err.value.code == "session_active"
    await client.stop()


async def test_wrong_token(emulator: EmulatorServer) -> None:
    async with SmartMassagerClient(emulator.host, port=emulator.port, token="nope") as client:
        with pytest.raises(MassagerAuthenticationError):
            await client.get_info()


async def test_connection_refused(socket_enabled: None) -> None:
    # A port nobody listens on: bind one, note it, close it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with SmartMassagerClient("127.0.0.1", port=port, token="t") as client:
        with pytest.raises(MassagerConnectionError) as err:
            await client.get_state()
    assert not isinstance(err.value, MassagerTimeoutError)


async def test_timeout(emulator: EmulatorServer, token: str) -> None:
    emulator.faults.delay_s = 1.0
    async with SmartMassagerClient(
        emulator.host, port=emulator.port, token=token, request_timeout=0.2
    ) as client:
        with pytest.raises(MassagerTimeoutError, match=r"within 0\.2 s"):
            await client.get_state()


async def test_http_500_and_malformed_json(
    client: SmartMassagerClient, emulator: EmulatorServer
) -> None:
    emulator.faults.http_500 = True
    with pytest.raises(MassagerResponseError, match="500 internal_error"):
        await client.stop()
    emulator.faults.http_500 = False
    emulator.faults.malformed_json = True
    with pytest.raises(MassagerResponseError, match="not JSON"):
        await client.get_state()
    with pytest.raises(MassagerResponseError, match="not JSON"):
        await client.get_info()
    emulator.faults.malformed_json = False
    assert (await client.get_state()).status is Status.IDLE


async def test_all_errors_share_the_base_class() -> None:
    for error in (
        MassagerAuthenticationError,
        MassagerConnectionError,
        MassagerTimeoutError,
        MassagerPairingNotEnabledError,
        MassagerResponseError,
        MassagerInvalidRequestError,
        MassagerInvalidStateError,
    ):
        assert issubclass(error, MassagerError)


async def test_injected_session_is_not_closed(emulator: EmulatorServer, token: str) -> None:
    import aiohttp  # noqa: PLC0415  # local: only this test needs its own session

    async with aiohttp.ClientSession() as session:
        async with SmartMassagerClient(
            emulator.host, port=emulator.port, token=token, session=session
        ) as client:
            await client.get_state()
        assert not session.closed


async def test_device_without_heat(socket_enabled: None) -> None:
    device = VirtualMassager(
        serial="SM-COOL", name="Cushion", catalogue=Catalogue(heat=False, pause=False)
    )
    server = EmulatorServer(device)
    await server.start()
    try:
        device.open_pairing()
        async with SmartMassagerClient(server.host, port=server.port) as client:
            await client.pair()
            caps = (await client.get_info()).capabilities
            assert (caps.heat, caps.pause, caps.pause_timeout_minutes) == (False, False, None)
            with pytest.raises(MassagerInvalidRequestError) as err:
                await client.start_session(SessionSettings(heat=True))
            assert err.value.code == "not_supported"
    finally:
        await server.stop()


async def test_level_zones_end_to_end(
    emulator: EmulatorServer, client: SmartMassagerClient
) -> None:
    """A device whose zones have levels of their own: listed, reported, set one by one."""
    emulator.device.catalogue = Catalogue(level_zones={"neck": "Neck", "seat": "Seat"})
    caps = (await client.get_info()).capabilities
    assert [(zone.id, zone.name, zone.levels) for zone in caps.level_zones] == [
        ("neck", "Neck", LevelRange(0, 10)),
        ("seat", "Seat", LevelRange(0, 10)),
    ]
    assert (await client.get_state()).zone_levels == {"neck": 0, "seat": 0}
    state = await client.start_session(SessionSettings(zone_levels={"neck": 4}))
    assert state.zone_levels == {"neck": 4, "seat": 0}
    state = await client.change_settings(SessionSettings(zone_levels={"seat": 2}))
    assert state.zone_levels == {"neck": 4, "seat": 2}  # the other zone keeps its level
    for levels, field_allowed in (({"spine": 1}, ["neck", "seat"]), ({"neck": 11}, None)):
        with pytest.raises(MassagerInvalidRequestError) as refused:
            await client.change_settings(SessionSettings(zone_levels=levels))
        assert refused.value.field == "zone_levels"
        if field_allowed is not None:
            assert refused.value.allowed == field_allowed
    assert emulator.device.zone_levels == {"neck": 4, "seat": 2}  # a refusal changes nothing
    await client.stop()


async def test_a_device_without_level_zones_refuses_them(client: SmartMassagerClient) -> None:
    caps = (await client.get_info()).capabilities
    assert caps.level_zones == ()
    assert (await client.get_state()).zone_levels == {}
    with pytest.raises(MassagerInvalidRequestError) as refused:
        await client.change_settings(SessionSettings(zone_levels={"neck": 1}))
    assert (refused.value.code, refused.value.field) == ("not_supported", "zone_levels")
