"""The massage card is served by the integration and added to the dashboards by itself.

Real parts: Home Assistant's http, frontend and lovelace components, its resource collection
(storage mode, as a new installation has it) and an HTTP client against its web app.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_massager import card
from custom_components.smart_massager.card import (
    CARD_FILE,
    CARD_PATH,
    async_keep_resource,
    async_register_card,
    card_url,
)
from custom_components.smart_massager.const import DOMAIN
from custom_components.smart_massager.routine_catalogue import BUILTIN_ROUTINES
from emulators.reference import EmulatorServer

from .conftest import wait_for
from .setups import SETUPS, set_up_massager

URL = card_url(CARD_FILE.read_bytes())


async def set_up(hass: HomeAssistant, lovelace: dict[str, Any] | None = None) -> None:
    assert await async_setup_component(hass, "http", {})
    if lovelace is not None:  # before the frontend, which would set it up with its defaults
        assert await async_setup_component(hass, "lovelace", {"lovelace": lovelace})
    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()


def resource_urls(hass: HomeAssistant) -> list[str]:
    return [str(item["url"]) for item in hass.data[LOVELACE_DATA].resources.async_items()]


async def test_served_from_its_versioned_url_and_added_once(
    hass: HomeAssistant, hass_client: Any
) -> None:
    await set_up(hass)
    assert resource_urls(hass) == [URL]
    assert URL.startswith(f"{CARD_PATH}?v=")
    assert len(URL) == len(CARD_PATH) + 15
    client = await hass_client()
    answer = await client.get(URL)
    assert answer.status == 200
    assert await answer.read() == CARD_FILE.read_bytes()
    assert "max-age" in answer.headers.get("Cache-Control", "")  # the version busts it

    # Home Assistant starts again: still one resource.
    await async_register_card_again(hass)
    assert resource_urls(hass) == [URL]


async def async_register_card_again(hass: HomeAssistant) -> None:
    """As at the next start (the static path is registered once per start: not again here)."""
    await async_keep_resource(hass.data[LOVELACE_DATA].resources, URL)


async def test_an_older_version_is_replaced_and_copies_removed(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "frontend", {})
    resources = hass.data[LOVELACE_DATA].resources
    await resources.async_create_item({"res_type": "module", "url": f"{CARD_PATH}?v=old"})
    await resources.async_create_item({"res_type": "js", "url": CARD_PATH})
    await resources.async_create_item({"res_type": "module", "url": "/local/other-card.js"})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert sorted(resource_urls(hass)) == sorted([URL, "/local/other-card.js"])
    ours = [item for item in resources.async_items() if item["url"] == URL]
    assert ours[0]["type"] == "module"


async def test_resources_in_yaml_are_left_alone(hass: HomeAssistant) -> None:
    await set_up(hass, {"mode": "yaml", "resources": [{"url": "/local/x.js", "type": "module"}]})
    assert resource_urls(hass) == ["/local/x.js"]
    assert URL in hass.data[DATA_EXTRA_MODULE_URL].urls


@pytest.mark.parametrize("components", [(), ("http",)])
async def test_nothing_to_do_without_a_frontend(
    hass: HomeAssistant, components: tuple[str, ...]
) -> None:
    for component in components:
        assert await async_setup_component(hass, component, {})
    await async_register_card(hass)  # no web server or no frontend: nothing, and no error
    assert DATA_EXTRA_MODULE_URL not in hass.data
    if hass.http is not None:
        routes = {str(route.resource.canonical) for route in hass.http.app.router.routes()}
        assert CARD_PATH not in routes


async def test_a_card_that_cannot_be_served_keeps_no_massager_from_loading(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(card, "CARD_FILE", CARD_FILE.with_name("missing.js"))
    config_entry.add_to_hass(hass)
    await set_up(hass)
    assert "The massage card is not available on the dashboards" in caplog.text
    assert resource_urls(hass) == []
    assert config_entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(config_entry.entry_id)


CARD_ROLES = re.compile(r'"(\w+)\.(\w+)": "\w+"')
# Entities the card does not show, on purpose (it reads the session's count nowhere).
NOT_ON_THE_CARD = {("sensor", "sessions")}


@pytest.mark.parametrize("kind", SETUPS)
async def test_the_card_knows_every_entity_of_every_set_up(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry, kind: str
) -> None:
    """The card finds a massager's parts by domain and translation key (its ROLES table): every
    entity any transport creates is one of them, so the card controls every kind of massager."""
    roles = set(CARD_ROLES.findall(CARD_FILE.read_text().split("const ROLES = {")[1].split("}")[0]))
    async with set_up_massager(kind, hass, emulator, config_entry) as massager:
        registry = er.async_get(hass)
        entries = er.async_entries_for_config_entry(registry, massager.entry.entry_id)
        assert entries
        found = {(entry.domain, str(entry.translation_key)) for entry in entries}
        assert found - NOT_ON_THE_CARD <= roles, kind
        assert all(entry.device_id for entry in entries)  # found through their device
        assert ("fan", "massage") in found


@pytest.mark.parametrize("kind", SETUPS)
async def test_the_routines_offered_are_the_ones_that_run(
    hass: HomeAssistant, emulator: EmulatorServer, config_entry: MockConfigEntry, kind: str
) -> None:
    """The card offers a routine only where the routine sensor lists it as runnable: each of
    those starts, each other one is refused by the action. The program select names every
    option."""
    REFUSED = {"routine_program_unsupported", "invalid_minutes"}  # noqa: N806
    async with set_up_massager(kind, hass, emulator, config_entry) as massager:
        registry = er.async_get(hass)
        entries = er.async_entries_for_config_entry(registry, massager.entry.entry_id)
        by_key = {(entry.domain, entry.translation_key): entry.entity_id for entry in entries}
        sensor = by_key["sensor", "routine"]
        routine_state = hass.states.get(sensor)
        assert routine_state is not None
        runnable = routine_state.attributes["runnable"]
        for routine in BUILTIN_ROUTINES:
            call = {"entity_id": massager.fan, "routine": routine}
            if routine in runnable:
                await hass.services.async_call(DOMAIN, "run_routine", call, blocking=True)
                await wait_for(hass, lambda: hass.states.get(sensor).state == routine)  # noqa: B023
                await hass.services.async_call(
                    DOMAIN, "stop_routine", {"entity_id": massager.fan}, blocking=True
                )
                await hass.async_block_till_done()
            else:
                # Its programs or its 2-minute steps (a bed's sessions are 5 minutes or more).
                with pytest.raises(ServiceValidationError) as refused:
                    await hass.services.async_call(DOMAIN, "run_routine", call, blocking=True)
                assert refused.value.translation_key in REFUSED, kind
        if ("select", "program") in by_key:
            program = hass.states.get(by_key["select", "program"])
            assert program is not None
            names = program.attributes["option_names"]
            assert list(names) == program.attributes["options"]
            assert all(isinstance(name, str) and name for name in names.values())
    # Built-in steps are fitted to the device's session lengths (a bed's and a chair's start at
    # 5 minutes); a Tuya chair's tuina and pinch stand in for glides and circles. The neck
    # massager's five modes have nothing like palm circles.
    assert runnable == ([] if kind == "tuya_neck" else list(BUILTIN_ROUTINES))
