"""Adding massage from a bed device, through Home Assistant's real frontend in Chromium.

Same machinery as test_entities_flow.py, plus a stand-in for Adjustable Bed (tests/browser/
adjustable_bed: a Reverie-shaped base's massage entities with that integration's keys). The user
chooses "From a device", picks the bed in the device picker and gets the entities form filled
in: the stop button, the mode button and the three zones' numbers, no power entity (a Reverie
has no massage toggle). The proposal is saved as flow-from-device.png and
flow-from-device-zones.png in $SMART_MASSAGER_SCREENSHOTS (docs/screenshots has the README's
copy), else in tmp_path. After submitting, the massager's zone intensity entities exist and a
session sets the bed's levels; the massage card shows a slider per zone and the parts of the body
the running zones massage, and its head slider sets the bed's own head number (card-bed.png).
"""

from __future__ import annotations

import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .chromium import CHROMIUM, card_dashboard, desktop_page, eventually
from .live_home_assistant import LiveHomeAssistant, request
from .test_entities_flow import WAIT_MS, add_smart_massager

BED = Path(__file__).parent / "adjustable_bed"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(180),
]


@pytest.fixture
def live(tmp_path: Path, socket_enabled: None) -> Generator[LiveHomeAssistant]:
    """Home Assistant with the bed stand-in and the emulator, torn down even on failure."""
    home = LiveHomeAssistant(
        tmp_path, extra_configuration="adjustable_bed:\n", extra_components=(BED,)
    )
    try:
        home.start()
        yield home
    finally:
        home.stop()


def test_add_massage_from_a_bed_device(live: LiveHomeAssistant, screenshots: Path) -> None:
    from playwright.sync_api import Expect, sync_playwright  # noqa: PLC0415

    expect = Expect()
    expect.set_options(timeout=WAIT_MS)

    def states() -> dict[str, dict[str, Any]]:
        listed: list[dict[str, Any]] = request(f"{live.url}/api/states", token=live.token)
        return {state["entity_id"]: state for state in listed}

    eventually(lambda: "number.bedroom_bed_massage_head_intensity" in states(), "the bed is up")
    with sync_playwright() as playwright, desktop_page(playwright, WAIT_MS) as page:
        add_smart_massager(page, live.url)

        flow = page.locator("dialog-data-entry-flow")
        flow.get_by_text(re.compile(r"^From a device Home Assistant already has")).click()
        picker = flow.locator("ha-device-picker")
        picker.click()
        combo = page.locator("ha-picker-combo-box")
        combo.get_by_placeholder("Search").fill("Bedroom bed")
        combo.locator("ha-combo-box-item").filter(has_text="Bedroom bed").first.click()
        flow.get_by_role("button", name="Submit").click()

        # The proposal: the form filled in from the bed's keys, zones in their section.
        expect(flow.get_by_text("Build a massager from entities")).to_be_visible()
        expect(flow.get_by_role("textbox", name="Name")).to_have_value("Bedroom bed")
        # Each picker shows the entity it proposes (exact: the help texts name them too).
        expect(flow.get_by_text("Massage all off", exact=True)).to_be_visible()
        expect(flow.get_by_text("Massage mode step", exact=True)).to_be_visible()
        zones = flow.get_by_text("Zones with their own intensity (head, foot, wave)")
        zones.click()  # the section opens
        for zone in ("head", "foot", "wave"):
            expect(flow.get_by_text(f"Massage {zone} intensity", exact=True)).to_be_visible()
        # Two views of the one form: its top (name, stop, mode) and the zones' section.
        flow.get_by_role("textbox", name="Name").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "flow-from-device.png"))
        flow.get_by_text("Massage wave intensity", exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "flow-from-device-zones.png"))

        flow.get_by_role("button", name="Submit").click()
        expect(flow.get_by_role("textbox", name="Device name")).to_have_value("Bedroom bed")
        flow.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
        expect(flow.get_by_role("textbox", name="Device name")).to_be_hidden()

        eventually(lambda: "number.bedroom_bed_foot_intensity" in states(), "the zone entities")
        request(
            f"{live.url}/api/services/smart_massager/start_session",
            data={"entity_id": "fan.bedroom_bed", "zone": "foot", "intensity": 4},
            token=live.token,
        )
        eventually(
            lambda: states()["number.bedroom_bed_foot_intensity"]["state"] == "4",
            "the foot at 4 on the massager",
        )
        eventually(
            lambda: states()["number.bedroom_bed_massage_foot_intensity"]["state"] == "4.0",
            "the bed's own foot number at 4",
        )
        assert states()["fan.bedroom_bed"]["state"] == "on"

        # The massage card for the bed: a slider per zone, the legs lit by the foot's level;
        # the head's slider sets the bed's own head number.
        card_dashboard(
            page, live.url, {"type": "custom:smart-massager-card", "entity": "fan.bedroom_bed"}
        )
        card = page.locator("smart-massager-card")
        for zone in ("Head", "Foot", "Wave"):
            expect(card.get_by_role("slider", name=f"{zone} intensity")).to_be_visible()
        expect(card.get_by_role("slider", name="Foot intensity")).to_have_value("4")
        expect(card.locator("[data-area=legs]")).to_have_class("area reachable lit")
        card.get_by_role("slider", name="Head intensity").fill("3")
        eventually(
            lambda: states()["number.bedroom_bed_massage_head_intensity"]["state"] == "3.0",
            "the bed's own head number at 3",
        )
        expect(card.locator("[data-area=upper_back]")).to_have_class("area reachable lit")
        expect(page.locator("#ha-launch-screen")).to_have_count(0)  # the page's own splash
        page.screenshot(path=str(screenshots / "card-bed.png"))
        card.get_by_role("button", name="Stop").click()
        eventually(lambda: states()["fan.bedroom_bed"]["state"] == "off", "the bed's massage off")
