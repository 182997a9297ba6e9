"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against real processes.

Home Assistant and the emulator run as processes from a temporary copy of config/ (as
scripts/develop runs them); the user logs in through the UI and uses the dashboard; every result
is read from the emulator's own API. Skipped only where Chromium is not installed (.ci/run installs
it). Screenshots go to $SMART_MASSAGER_SCREENSHOTS (the README's come from there), else tmp_path.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .live_home_assistant import PASSWORD, USERNAME, LiveHomeAssistant

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless as root without reaching out to the network (this machine has none but loopback).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
DESKTOP_SHOT = {"width": 1280, "height": 1180}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(300),
]


@contextmanager
def desktop_page(playwright: Any, timeout_ms: float) -> Iterator[Any]:
    """A desktop-sized page in Debian's Chromium, its browser closed even when the test fails."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        page = browser.new_context(viewport=DESKTOP).new_page()
        page.set_default_timeout(timeout_ms)
        yield page
    finally:
        browser.close()


def eventually(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Poll `condition` (the browser and the device are other processes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def live(tmp_path: Path, socket_enabled: None) -> Generator[LiveHomeAssistant]:
    """Home Assistant and the emulator, torn down even when the test fails."""
    home = LiveHomeAssistant(tmp_path)
    try:
        home.start()
        yield home
    finally:
        home.stop()


def test_dashboard_controls_the_massager(  # noqa: PLR0915  # one walk, step by step
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

            # Log in through the UI (the user was created through the onboarding API).
            page.goto(live.url)
            page.get_by_role("textbox", name="Username").fill(USERNAME)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            # Open the dashboard from the sidebar, as a person would.
            page.get_by_text("Massage", exact=True).first.click(timeout=30_000)
            page.wait_for_url("**/massage-dashboard/**")
            massage = page.locator("hui-tile-card").filter(has_text="Massage").first
            expect(massage).to_be_visible()

            # Choose a program in the Massage card's dropdown.
            massage.locator("ha-control-select-menu").first.click()
            page.get_by_role("option", name="Shiatsu").or_(
                page.get_by_role("menuitem", name="Shiatsu")
            ).first.click()
            eventually(lambda: device("program") == "shiatsu", "program shiatsu on the device")

            # Turn the massage on with the card's icon, then set the intensity slider to 70 %.
            massage.locator("ha-tile-icon").first.click()
            eventually(lambda: device("status") == "running", "session running on the device")
            slider = massage.locator("ha-control-slider").first
            # The device runs before the page knows it: the slider takes clicks only once the
            # card shows the fan on (clicked earlier, it ignored the click now and then).
            expect(slider).to_be_enabled()
            expect(slider).not_to_have_attribute("aria-disabled", "true")
            box = slider.bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + box["width"] * 0.65, box["y"] + box["height"] / 2)
            eventually(lambda: device("intensity") == 7, "intensity 7 on the device")
            state = live.emulator_state()
            assert (state["status"], state["program"], state["intensity"]) == (
                "running",
                "shiatsu",
                7,
            )

            # The time left shows, from the device's end time.
            expect(page.locator("hui-tile-card").filter(has_text="Ends").first).to_contain_text(
                "In 15 minutes"
            )
            expect(
                page.locator("hui-tile-card").filter(has_text="Time left").first
            ).to_contain_text("15")
            expect(massage).to_contain_text("70%")
            # Tall enough for the whole dashboard, and back at its top: the frontend scrolls an
            # inner element, which a full-page shot of a scrolled page clips (its header moved).
            page.set_viewport_size(DESKTOP_SHOT)
            page.mouse.wheel(0, -5000)
            expect(page.get_by_text("Lower-back recovery")).to_be_in_viewport()
            page.wait_for_timeout(500)  # the resize's relayout (the cards' columns) to settle
            page.screenshot(path=str(screenshots / "dashboard-desktop.png"))

            # The same dashboard on a phone-sized screen (same login).
            phone = browser.new_context(
                viewport=PHONE, is_mobile=True, storage_state=context.storage_state()
            )
            phone_page = phone.new_page()
            phone_page.goto(f"{live.url}/massage-dashboard/massage")
            expect(
                phone_page.locator("hui-tile-card").filter(has_text="Massage").first
            ).to_be_visible()
            expect(
                phone_page.locator("hui-tile-card").filter(has_text="Ends").first
            ).to_contain_text("In ")
            phone_page.screenshot(path=str(screenshots / "dashboard-phone.png"), full_page=True)
            phone.close()

            # Pause from the Pause card, then stop with the Massage card's icon.
            page.locator("hui-tile-card").filter(has_text="Pause").first.click()
            eventually(lambda: device("status") == "paused", "session paused on the device")
            expect(page.locator("hui-tile-card").filter(has_text="Status").first).to_contain_text(
                "Paused"
            )
            massage.locator("ha-tile-icon").first.click()
            eventually(lambda: device("status") == "idle", "session stopped on the device")
            assert device("heat") is False
        finally:
            browser.close()
