"""Adding a massager built from existing entities, through Home Assistant's real frontend.

Same machinery as test_card.py: Home Assistant and the emulator as processes from a temporary
copy of config/, plus an input_boolean standing in for a smart plug. The user logs in, opens
Settings > Devices & services > Add integration, searches "Smart Massager", chooses "Build from
existing entities", names the massager and picks the plug in the entity picker, then submits. The
result is read from Home Assistant's REST API: the new fan exists and switches the plug. The filled
form is saved as flow-from-entities.png in $SMART_MASSAGER_SCREENSHOTS (docs/screenshots has the
README's copy), else in tmp_path.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .chromium import CHROMIUM, desktop_page, eventually
from .live_home_assistant import PASSWORD, USERNAME, LiveHomeAssistant, request

# The "smart plug" the massager is built from (any on/off entity will do).
PLUG = "input_boolean.massage_plug"
PLUG_CONFIGURATION = "input_boolean:\n  massage_plug:\n    name: Massage plug\n"
WAIT_MS = 30_000  # generous per element: the first page load compiles the frontend's modules

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(180),
]


@pytest.fixture
def live(tmp_path: Path, socket_enabled: None) -> Generator[LiveHomeAssistant]:
    """Home Assistant with the plug and the emulator, torn down even when the test fails."""
    home = LiveHomeAssistant(tmp_path, extra_configuration=PLUG_CONFIGURATION)
    try:
        home.start()
        yield home
    finally:
        home.stop()


def add_smart_massager(page: Any, url: str, *, logged_in: bool = False) -> None:
    """Log in through the UI, then Settings > Devices & services > Add integration > search."""
    if logged_in:
        page.goto(f"{url}/config/integrations/dashboard")
    else:
        page.goto(url)
        page.get_by_role("textbox", name="Username").fill(USERNAME)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Settings", exact=True).first.click()
        page.get_by_text("Devices & services", exact=True).first.click()
    page.wait_for_url("**/config/integrations/dashboard**")
    page.get_by_role("button", name="Add integration").click()
    brands = page.locator("dialog-add-integration")
    brands.get_by_placeholder("Search for a brand name").fill("Smart Massager")
    brands.get_by_text("Smart Massager", exact=True).click()


def test_add_a_massager_built_from_entities(  # one walk, step by step
    live: LiveHomeAssistant, screenshots: Path
) -> None:
    from playwright.sync_api import Expect, sync_playwright  # noqa: PLC0415

    expect = Expect()  # its own instance: set_options on the shared `expect` would leak
    expect.set_options(timeout=WAIT_MS)

    def state(entity_id: str) -> str | None:
        states: list[dict[str, Any]] = request(f"{live.url}/api/states", token=live.token)
        return next((s["state"] for s in states if s["entity_id"] == entity_id), None)

    assert state(PLUG) == "off"
    with sync_playwright() as playwright, desktop_page(playwright, WAIT_MS) as page:
        add_smart_massager(page, live.url)

        # The menu: both ways in, with their translated labels; take the entities one.
        flow = page.locator("dialog-data-entry-flow")
        expect(flow.get_by_text("How does Home Assistant reach your massager?")).to_be_visible()
        expect(
            flow.get_by_text("A massager on the network speaking the Smart Massager protocol")
        ).to_be_visible()
        flow.get_by_text(
            "Build from existing entities (a smart plug, a switch, buttons, ...)"
        ).click()

        # The entities form: its title, labels and defaults.
        expect(flow.get_by_text("Build a massager from entities")).to_be_visible()
        for label, default in (
            ("Levels of the buttons", "5"),
            ("Running above", "5"),
            ("Shortest session", "1"),
            ("Longest session", "30"),
            ("Default session", "15"),
        ):
            expect(flow.get_by_role("spinbutton", name=label)).to_have_value(default)
        for label in (
            "Power",
            "Program",
            "Intensity",
            "Stronger button",
            "Gentler button",
            "Heat",
            "Running sensor",
        ):
            expect(flow.get_by_text(label, exact=True)).to_be_visible()

        # Name it, and pick the plug in Power's entity picker (the first of the form).
        name = flow.get_by_role("textbox", name="Name")
        name.fill("Neck massager")
        power = flow.locator("ha-entity-picker").first
        power.click()
        picker = page.locator("ha-picker-combo-box")
        picker.get_by_placeholder("Search").fill("Massage plug")
        picker.locator("ha-combo-box-item").filter(has_text="Massage plug").first.click()
        expect(power.get_by_text("Massage plug")).to_be_visible()
        expect(picker).to_be_hidden()
        expect(name).to_have_value("Neck massager")
        page.screenshot(path=str(screenshots / "flow-from-entities.png"))

        # Lengths a user can get wrong: each said in words, on its field, and nothing made.
        longest = flow.get_by_role("spinbutton", name="Longest session")
        shortest = flow.get_by_role("spinbutton", name="Shortest session")
        longest.fill("90")
        flow.get_by_role("button", name="Submit").click()
        expect(flow.get_by_text("A session can last at most 30 minutes")).to_be_visible()
        longest.fill("30")
        shortest.fill("40")
        flow.get_by_role("button", name="Submit").click()
        expect(
            flow.get_by_text("The shortest session cannot be longer than the longest.")
        ).to_be_visible()
        expect(flow.get_by_text("A session can last at most 30 minutes")).to_be_hidden()
        expect(name).to_have_value("Neck massager")  # the rest as typed
        shortest.fill("1")

        # Submit: the success step names the new device; finish it.
        flow.get_by_role("button", name="Submit").click()
        device_name = flow.get_by_role("textbox", name="Device name")
        expect(device_name).to_have_value("Neck massager")
        flow.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
        expect(flow.get_by_role("textbox", name="Device name")).to_be_hidden()

    # The massager exists in Home Assistant, and switching it on switches the plug.
    eventually(lambda: state("fan.neck_massager") == "off", "fan.neck_massager exists, off")
    request(
        f"{live.url}/api/services/fan/turn_on",
        data={"entity_id": "fan.neck_massager"},
        token=live.token,
    )
    eventually(lambda: state(PLUG) == "on", "the plug switched on by the massager")
    eventually(lambda: state("fan.neck_massager") == "on", "fan.neck_massager on")
