"""Config flow against the emulator: every step, every error recovering to success."""

from __future__ import annotations

import socket
from dataclasses import replace
from ipaddress import ip_address

import pytest
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from conftest import SERIAL
from custom_components.smart_massager.const import (
    CONF_DEFAULT_INTENSITY,
    CONF_DEFAULT_MINUTES,
    CONF_INSTALL_SENTENCES,
    CONF_TOKEN,
    CONF_TRANSPORT,
    DOMAIN,
)
from custom_components.smart_massager.host_input import HostInput, InvalidHostError, parse_host
from emulators.reference import Catalogue, EmulatorServer, VirtualMassager


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_address_flow(hass: HomeAssistant) -> ConfigFlowResult:
    """Add integration, then "a massager on the network" in the menu."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["device", "entities", "tuya", "miot", "address"]
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "address"}
    )


def zeroconf_info(emulator: EmulatorServer, serial: str | None = SERIAL) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address(emulator.host),
        ip_addresses=[ip_address(emulator.host)],
        hostname="back-massager.local.",
        name="Back massager._smart-massager._tcp.local.",
        port=emulator.port,
        type="_smart-massager._tcp.local.",
        properties={"serial": serial} if serial else {},
    )


async def test_user_flow_pairs_and_creates_entry(
    hass: HomeAssistant, emulator: EmulatorServer
) -> None:
    result = await start_address_flow(hass)
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "address")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "pair")

    # Not in pairing mode yet: a recoverable error on the same step.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "pairing_not_enabled"}
    assert not emulator.device.tokens

    emulator.device.open_pairing()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Back massager"
    assert result["result"].unique_id == SERIAL
    assert result["data"][CONF_HOST] == emulator.host
    assert result["data"][CONF_PORT] == emulator.port
    assert result["data"][CONF_TOKEN] in emulator.device.tokens
    await hass.async_block_till_done()


@pytest.mark.parametrize("fault", ["closed_port", "malformed_json"])
async def test_user_flow_errors_recover(
    hass: HomeAssistant, emulator: EmulatorServer, fault: str
) -> None:
    result = await start_address_flow(hass)
    port = emulator.port
    if fault == "closed_port":
        port, expected = closed_port(), "cannot_connect"
    else:
        emulator.faults.malformed_json, expected = True, "unknown"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: port}
    )
    assert result["errors"] == {"base": expected}

    emulator.faults.malformed_json = False
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    assert result["step_id"] == "pair"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("http_500", "unknown"), ("power_off", "cannot_connect"), ("revoke", "invalid_auth")],
)
async def test_pair_step_errors_recover(
    hass: HomeAssistant, emulator: EmulatorServer, fault: str, expected: str
) -> None:
    result = await start_address_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    emulator.device.pairing_always_open = True
    if fault == "http_500":
        emulator.faults.http_500 = True
    elif fault == "power_off":
        await emulator.stop()
    else:
        # The device hands out a token but refuses it at once (a misbehaving firmware).
        original = emulator.device.pair

        def pair_then_forget() -> str:
            token = original()
            emulator.device.tokens.discard(token)
            return token

        emulator.device.pair = pair_then_forget  # type: ignore[method-assign]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": expected}

    emulator.faults.http_500 = False
    if fault == "power_off":
        await emulator.start()
        emulator.device.pairing_always_open = True
    if fault == "revoke":
        del emulator.device.pair  # back to the class's method
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_already_configured(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await start_address_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


async def test_zeroconf_confirm_then_pair(hass: HomeAssistant, emulator: EmulatorServer) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(emulator)
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "zeroconf_confirm")
    assert result["description_placeholders"] == {"name": "Back massager", "host": "127.0.0.1"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "pair"
    emulator.device.open_pairing()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SERIAL
    await hass.async_block_till_done()


async def test_zeroconf_without_serial_or_unreachable(
    hass: HomeAssistant, emulator: EmulatorServer
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(emulator, serial=None)
    )
    assert result["reason"] == "no_serial"
    await emulator.stop()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(emulator)
    )
    assert result["reason"] == "cannot_connect"


async def test_zeroconf_rediscovery_updates_address(
    hass: HomeAssistant, emulator: EmulatorServer, token: str
) -> None:
    # The entry still points at the massager's old address; it now answers on another port.
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        data={CONF_HOST: "127.0.0.1", CONF_PORT: closed_port(), CONF_TOKEN: token},
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(emulator)
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")
    assert entry.data[CONF_PORT] == emulator.port
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    await hass.async_block_till_done()


async def test_spoofed_announcement_gets_no_token(
    hass: HomeAssistant, emulator: EmulatorServer, token: str
) -> None:
    # An impostor announces the paired massager's serial at its own address.
    impostor = EmulatorServer(VirtualMassager(serial=SERIAL, name="Back massager"))
    await impostor.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            unique_id=SERIAL,
            data={CONF_HOST: "127.0.0.1", CONF_PORT: emulator.port, CONF_TOKEN: token},
        )
        entry.add_to_hass(hass)
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(impostor)
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "unconfirmed_address")
        assert entry.data[CONF_PORT] == emulator.port  # not re-pointed
        # The impostor got the challenge only: no request that carries the token.
        assert impostor.requests == 1
    finally:
        await impostor.stop()
        impostor.device.shutdown()


async def test_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    entry = init_integration
    old_token = entry.data[CONF_TOKEN]
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "pairing_not_enabled"}
    emulator.device.open_pairing()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert entry.data[CONF_TOKEN] != old_token
    assert entry.data[CONF_TOKEN] in emulator.device.tokens
    await hass.async_block_till_done()


async def test_reauth_refuses_another_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, socket_enabled: None
) -> None:
    other = EmulatorServer(VirtualMassager(serial="SM-OTHER", name="Chair"))
    await other.start()
    try:
        hass.config_entries.async_update_entry(
            init_integration, data={**init_integration.data, CONF_PORT: other.port}
        )
        result = await init_integration.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        assert result["reason"] == "wrong_device"
    finally:
        await other.stop()


async def test_reconfigure_same_and_wrong_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: closed_port()}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    other = EmulatorServer(VirtualMassager(serial="SM-OTHER", name="Chair"))
    await other.start()
    try:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: other.host, CONF_PORT: other.port}
        )
        assert result["reason"] == "wrong_device"
        assert entry.data[CONF_PORT] == emulator.port
    finally:
        await other.stop()

    # The same massager on a new port: the entry follows it and reloads.
    port = emulator.port
    await emulator.stop()
    emulator.port = 0
    await emulator.start()
    assert emulator.port != port
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == emulator.port
    await hass.async_block_till_done()


async def test_a_massager_of_entities_is_reconfigured_in_its_options(hass: HomeAssistant) -> None:
    # It has no address: the registry gives it no reconfigure step (before the registry, the
    # reference device's host form was shown for it).
    entry = MockConfigEntry(
        domain=DOMAIN, title="Cushion", data={CONF_TRANSPORT: "entities", "power": "switch.x"}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_in_options")


async def test_reauth_of_an_unknown_transport_is_refused(hass: HomeAssistant) -> None:
    # An entry a newer version wrote (a downgrade): no step of this version can renew it.
    entry = MockConfigEntry(domain=DOMAIN, title="Bed", data={CONF_TRANSPORT: "bluetooth"})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_not_supported")


async def test_options_flow(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    schema = result["data_schema"].schema
    minutes = next(key for key in schema if key == CONF_DEFAULT_MINUTES)
    assert schema[minutes].config["max"] == 30  # the device's cap, read from its capabilities
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_MINUTES: 20.0, CONF_DEFAULT_INTENSITY: 7.0, CONF_INSTALL_SENTENCES: False},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_DEFAULT_MINUTES: 20,
        CONF_DEFAULT_INTENSITY: 7,
        CONF_INSTALL_SENTENCES: False,
    }
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.20", HostInput("192.168.1.20")),
        ("127.0.0.1 ", HostInput("127.0.0.1")),
        ("  massager.local\t", HostInput("massager.local")),
        ("http://192.168.1.20", HostInput("192.168.1.20")),
        ("https://192.168.1.20:9000/api/v1?x=1#top", HostInput("192.168.1.20", 9000)),
        ("192.168.1.20/api", HostInput("192.168.1.20")),
        ("host:8765", HostInput("host", 8765)),
        ("[::1]", HostInput("::1")),
        ("[::1]:8765", HostInput("::1", 8765)),
        ("::1", HostInput("::1")),
        ("fe80::1%eth0", HostInput("fe80::1%eth0")),
        ("back-massager.local.", HostInput("back-massager.local.")),
        ("Back-Massager.LOCAL", HostInput("back-massager.local")),
        ("bäck.local", HostInput("bäck.local")),
        ("living_room_massager", HostInput("living_room_massager")),
    ],
)
def test_parse_host_normalises(text: str, expected: HostInput) -> None:
    assert parse_host(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "http://",
        "a b",
        "massager local",
        "-massager",
        "a..b",
        "x" * 64 + ".local",
        "a" * 250 + ".b.c",
        "192.168.1.300",  # a mistyped IPv4 address, not a name
        "[massager]",
        "[::1",
        "host:0",
        "host:70000",
        "host:port",
        "http://user:secret@192.168.1.20",
        "a,b",
        "a\\b",
        "xn--",  # not valid IDNA
        "\u2603" * 70,  # a name too long even before IDNA encoding
    ],
)
def test_parse_host_refuses(text: str) -> None:
    with pytest.raises(InvalidHostError):
        parse_host(text)


@pytest.mark.parametrize(
    "typed",
    ["http://{host}", "{host} ", "http://{host}:{port}/api/v1", "{host}:{port}"],
)
async def test_user_flow_normalises_careless_host(
    hass: HomeAssistant, emulator: EmulatorServer, typed: str
) -> None:
    result = await start_address_flow(hass)
    # The port field holds the device's port, unless the host carries one: then it is left at
    # a wrong value, and the typed one must win.
    port = closed_port() if "{port}" in typed else emulator.port
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: typed.format(host=emulator.host, port=emulator.port), CONF_PORT: port},
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "pair")
    emulator.device.open_pairing()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["data"][CONF_HOST], result["data"][CONF_PORT]) == (emulator.host, emulator.port)
    await hass.async_block_till_done()


@pytest.mark.parametrize("typed", ["massager local", "http://", "host:99999", "[massager]"])
async def test_user_flow_invalid_host_is_a_field_error(
    hass: HomeAssistant, emulator: EmulatorServer, typed: str
) -> None:
    result = await start_address_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: typed, CONF_PORT: emulator.port}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "address")
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert emulator.requests == 0  # nothing was sent anywhere

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: emulator.host, CONF_PORT: emulator.port}
    )
    assert result["step_id"] == "pair"


async def test_reconfigure_normalises_and_refuses_host(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "massager local", CONF_PORT: emulator.port}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: f" http://{emulator.host}:{emulator.port}/ ", CONF_PORT: closed_port()},
    )
    assert result["reason"] == "reconfigure_successful"
    assert (entry.data[CONF_HOST], entry.data[CONF_PORT]) == (emulator.host, emulator.port)
    await hass.async_block_till_done()


async def test_reauth_errors_recover(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: EmulatorServer
) -> None:
    entry = init_integration
    result = await entry.start_reauth_flow(hass)
    await emulator.stop()  # unreachable while identifying
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "cannot_connect"}
    await emulator.start()
    emulator.device.pairing_always_open = True
    emulator.faults.http_500 = True  # identifying answers garbage
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "unknown"}
    emulator.faults.http_500 = False
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()


async def test_options_flow_uses_the_device_step(
    hass: HomeAssistant, config_entry: MockConfigEntry, emulator: EmulatorServer
) -> None:
    emulator.device.catalogue = Catalogue(intensity_min=1, intensity_max=9, intensity_step=2)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    schema = result["data_schema"].schema
    intensity = next(key for key in schema if key == CONF_DEFAULT_INTENSITY)
    assert schema[intensity].config["step"] == 2
    assert intensity.default() == 5  # the middle level, on a step

    # Half a minute and a level between steps: each a field error, nothing stored.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_MINUTES: 15.5, CONF_DEFAULT_INTENSITY: 4, CONF_INSTALL_SENTENCES: True},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        CONF_DEFAULT_MINUTES: "not_whole_number",
        CONF_DEFAULT_INTENSITY: "not_a_level",
    }
    assert config_entry.options == {}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_MINUTES: 15.0, CONF_DEFAULT_INTENSITY: 7.0, CONF_INSTALL_SENTENCES: True},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options == {
        CONF_DEFAULT_MINUTES: 15,
        CONF_DEFAULT_INTENSITY: 7,
        CONF_INSTALL_SENTENCES: True,
    }
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_options_flow_before_the_entry_loads(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    # Not set up: no capabilities to read yet, so the reference ranges apply.
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    schema = result["data_schema"].schema
    limits = {
        str(key): (schema[key].config["min"], schema[key].config["max"])
        for key in schema
        if key in (CONF_DEFAULT_MINUTES, CONF_DEFAULT_INTENSITY)
    }
    assert limits == {CONF_DEFAULT_MINUTES: (1, 30), CONF_DEFAULT_INTENSITY: (1, 10)}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_MINUTES: 30, CONF_DEFAULT_INTENSITY: 1, CONF_INSTALL_SENTENCES: False},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options[CONF_DEFAULT_MINUTES] == 30


async def test_options_flow_without_intensity_levels(
    hass: HomeAssistant, init_integration: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A massager with no levels at all (a massager on a smart plug): no default intensity to ask.
    runtime = init_integration.runtime_data
    caps = replace(runtime.info.capabilities, intensity=None)
    monkeypatch.setattr(runtime.coordinator, "info", replace(runtime.info, capabilities=caps))
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert [str(key) for key in result["data_schema"].schema] == [
        CONF_DEFAULT_MINUTES,
        CONF_INSTALL_SENTENCES,
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_MINUTES: 20, CONF_INSTALL_SENTENCES: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_DEFAULT_MINUTES: 20, CONF_INSTALL_SENTENCES: True}
    await hass.async_block_till_done()
