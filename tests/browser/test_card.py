"""The massage card in a real browser: Debian's Chromium driven by Playwright, real processes.

Home Assistant and the emulator run as processes from a temporary copy of config/ (as
scripts/develop runs them); the user logs in through the UI, uses the card on the Massage
dashboard, and adds it to a new dashboard from the card picker with the visual editor. Every
result is read from the emulator's own API. Skipped only where Chromium is not installed (.ci/run
installs it). Screenshots go to $SMART_MASSAGER_SCREENSHOTS (the README's come from there), else
tmp_path.

One part is not real: the week chart's earlier days. The recorder compiles long-term statistics
only when an hour is over, which a test cannot wait for; the earlier days are written through the
recorder's own import API (recorder/import_statistics) in the hourly shape it compiles. That the
recorder compiles the massage time sensor by itself is tested in tests/integration/test_usage.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .chromium import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, call_ws, eventually
from .live_home_assistant import PASSWORD, USERNAME, LiveHomeAssistant

CARD = "smart-massager-card"
MASSAGE_TIME = "sensor.back_massager_massage_time"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(300),
]


def earlier_days(page: Any) -> None:
    """12 minutes three days ago and 20 yesterday, as the recorder's hourly rows."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = [
        (now - timedelta(days=10), 0),  # where the sum starts
        (now - timedelta(days=3), 12),
        (now - timedelta(days=1), 32),
    ]
    call_ws(
        page,
        {
            "type": "recorder/import_statistics",
            "metadata": {
                "has_sum": True,
                "mean_type": 0,
                "name": None,
                "source": "recorder",
                "statistic_id": MASSAGE_TIME,
                "unit_class": "duration",
                "unit_of_measurement": "min",
            },
            "stats": [
                {"start": start.isoformat(), "state": total, "sum": total} for start, total in rows
            ],
        },
    )

    def imported() -> bool:
        found = call_ws(
            page,
            {
                "type": "recorder/statistics_during_period",
                "start_time": (now - timedelta(days=11)).isoformat(),
                "statistic_ids": [MASSAGE_TIME],
                "period": "hour",
            },
        )
        return len(found.get(MASSAGE_TIME, [])) == len(rows)

    eventually(imported, "the recorder has the imported rows")


def test_the_card_controls_the_massager(  # noqa: PLR0915  # one walk, step by step
    live: LiveHomeAssistant, screenshots: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    def device(key: str) -> Any:
        return live.emulator_state()[key]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            loaded: list[str] = []
            page.on("request", lambda request: loaded.append(request.url))

            # Log in through the UI (the user was created through the onboarding API).
            page.goto(live.url)
            page.get_by_role("textbox", name="Username").fill(USERNAME)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_function("document.querySelector('home-assistant')?.hass?.connected")
            earlier_days(page)

            # Open the dashboard from the sidebar, as a person would.
            page.get_by_text("Massage", exact=True).first.click(timeout=30_000)
            page.wait_for_url("**/massage-dashboard/**")
            card = page.locator(CARD)
            expect(card.get_by_role("heading", name="Back massager")).to_be_visible()
            # Loaded from the integration's own, versioned URL (a resource it added itself).
            assert any("/smart_massager/smart-massager-card.js?v=" in url for url in loaded)

            # The week: the earlier days from the recorder, today from the sensor.
            week = card.locator(".week")
            expect(week.locator(".bar").nth(5)).to_contain_text("20 min")
            expect(week.locator(".bar").nth(3)).to_contain_text("12 min")
            expect(card.locator("[data-total=week]")).to_have_text("32 min")
            expect(card.locator("[data-total=today]")).to_have_text("0 min")

            # Tap the shoulders on the body: the zone changes on the device.
            card.locator("[data-area=shoulders]").click()
            eventually(lambda: device("zone") == "shoulders", "zone shoulders on the device")
            expect(card.get_by_role("button", name="Shoulders")).to_have_attribute(
                "aria-pressed", "true"
            )
            shoulders = card.locator("[data-area=shoulders]")
            expect(shoulders).to_have_class("area reachable tappable lit")
            # By keyboard: the zone buttons are the same choice; focus stays where it was
            # across the card's redraw with the device's new state.
            lower_back = card.get_by_role("button", name="Lower back")
            lower_back.focus()
            page.keyboard.press("Enter")
            eventually(lambda: device("zone") == "lower_back", "zone lower back on the device")
            expect(lower_back).to_have_attribute("aria-pressed", "true")
            expect(lower_back).to_be_focused()

            # A program chip starts the program.
            card.get_by_role("button", name="Shiatsu").click()
            eventually(lambda: device("status") == "running", "session running on the device")
            assert device("program") == "shiatsu"
            expect(card.get_by_role("button", name="Pause")).to_be_visible()
            expect(card.locator(".top .status")).to_have_text("Running")

            # The ring counts down from the device's end time, in the browser.
            time_left = card.locator(".ring .time")
            expect(time_left).to_have_text(re.compile(r"^1[45]:\d\d$"))
            first = time_left.inner_text()
            page.wait_for_timeout(2100)
            assert time_left.inner_text() != first, "the countdown did not move"

            # The intensity slider and the heat.
            slider = card.get_by_role("slider", name="Intensity")
            slider.fill("8")
            eventually(lambda: device("intensity") == 8, "intensity 8 on the device")
            card.get_by_role("button", name="Heat").click()
            eventually(lambda: device("heat") is True, "heat on on the device")

            # Screenshots: desktop and phone, light and dark (the theme follows the system's).
            heat = card.get_by_role("button", name="Heat")
            expect(heat).to_have_attribute("aria-pressed", "true")
            page.wait_for_timeout(300)
            page.screenshot(path=str(screenshots / "card-desktop.png"))
            page.emulate_media(color_scheme="dark")
            page.wait_for_timeout(500)
            page.screenshot(path=str(screenshots / "card-desktop-dark.png"))
            page.emulate_media(color_scheme="light")
            phone = browser.new_context(
                viewport=PHONE, is_mobile=True, storage_state=context.storage_state()
            )
            phone_page = phone.new_page()
            phone_page.goto(f"{live.url}/massage-dashboard/massage")
            expect(phone_page.locator(CARD).get_by_role("button", name="Pause")).to_be_visible()
            phone_page.wait_for_timeout(500)
            phone_page.screenshot(path=str(screenshots / "card-phone.png"), full_page=True)
            phone_page.emulate_media(color_scheme="dark")
            phone_page.wait_for_timeout(500)
            phone_page.screenshot(path=str(screenshots / "card-phone-dark.png"), full_page=True)
            phone.close()

            # Pause, resume, then stop: each confirmed by the device.
            card.get_by_role("button", name="Pause").click()
            eventually(lambda: device("status") == "paused", "session paused on the device")
            expect(card.locator(".top .status")).to_have_text("Paused")
            card.get_by_role("button", name="Resume").click()
            eventually(lambda: device("status") == "running", "session resumed on the device")
            card.get_by_role("button", name="Stop").click()
            eventually(lambda: device("status") == "idle", "session stopped on the device")
            assert device("heat") is False
            expect(card.get_by_role("button", name="Start")).to_be_visible()
        finally:
            browser.close()


def test_the_card_from_the_picker_with_the_visual_editor(live: LiveHomeAssistant) -> None:
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(viewport=DESKTOP).new_page()
            page.goto(live.url)
            page.get_by_role("textbox", name="Username").fill(USERNAME)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_function("document.querySelector('home-assistant')?.hass?.connected")
            # A new, empty dashboard of the user's own (storage mode), opened for editing.
            call_ws(
                page,
                {"type": "lovelace/dashboards/create", "url_path": "my-room", "title": "My room"},
            )
            call_ws(
                page,
                {
                    "type": "lovelace/config/save",
                    "url_path": "my-room",
                    "config": {"views": [{"title": "Room", "cards": []}]},
                },
            )
            page.goto(f"{live.url}/my-room/0?edit=1")
            page.get_by_role("button", name="Add card").click()
            page.get_by_role("tab", name="By card").click()
            page.get_by_placeholder("Search cards").fill("Smart Massager")
            page.locator("hui-card-picker .card").filter(has_text="Smart Massager").first.click()

            # The visual editor: the first massager is picked and the preview is live. Clear
            # it, and pick it again in the device picker; then hide the routines.
            editor = page.locator("smart-massager-card-editor")
            expect(editor.get_by_text("Back massager")).to_be_visible()
            preview = page.locator(f"hui-dialog-edit-card {CARD}")
            expect(preview.get_by_role("heading", name="Back massager")).to_be_visible()
            # The picker's clear button has no name of its own (Home Assistant's ha-icon-button).
            editor.locator("ha-device-picker ha-icon-button.clear").click()
            expect(preview).to_contain_text("Choose a massager in the card's editor.")
            editor.locator("ha-device-picker").click()
            page.get_by_role("dialog", name="Massager").get_by_text("Back massager").first.click()
            expect(preview.get_by_role("heading", name="Routines")).to_be_visible()
            editor.get_by_text("Routines", exact=True).first.click()
            expect(preview.get_by_role("heading", name="Routines")).to_have_count(0)
            page.get_by_role("button", name="Save").click()

            def cards() -> list[dict[str, Any]]:
                saved = call_ws(page, {"type": "lovelace/config", "url_path": "my-room"})
                return list(saved["views"][0].get("cards", []))

            eventually(lambda: len(cards()) == 1, "the card saved in the dashboard")
            saved_cards = cards()
            assert saved_cards[0]["type"] == f"custom:{CARD}"
            assert saved_cards[0]["show_routines"] is False
            device_id = saved_cards[0]["device_id"]
            devices = call_ws(page, {"type": "config/device_registry/list"})
            assert [d["name"] for d in devices if d["id"] == device_id] == ["Back massager"]
            on_dashboard = page.locator(f"hui-masonry-view {CARD}")
            expect(on_dashboard.get_by_role("heading", name="Back massager")).to_be_visible()
        finally:
            browser.close()
