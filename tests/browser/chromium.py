"""Debian's Chromium for the browser tests: where it is, how it starts, and a page of it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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
PHONE = {"width": 390, "height": 844}


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


def call_ws(page: Any, message: dict[str, Any]) -> Any:
    """A WebSocket command on the page's own connection (the logged-in user's)."""
    return page.evaluate(
        "message => document.querySelector('home-assistant').hass.callWS(message)", message
    )


def card_dashboard(page: Any, base_url: str, card: dict[str, Any]) -> None:
    """A new dashboard of the user's own (storage mode; its path needs a hyphen), one card."""
    path = "massage-card"
    call_ws(page, {"type": "lovelace/dashboards/create", "url_path": path, "title": "Card"})
    call_ws(
        page,
        {
            "type": "lovelace/config/save",
            "url_path": path,
            "config": {"views": [{"title": "Card", "cards": [card]}]},
        },
    )
    page.goto(f"{base_url}/{path}/0")
