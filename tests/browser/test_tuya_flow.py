"""Adding Tuya massagers through Home Assistant's real frontend, as a new user would.

Same machinery as test_entities_flow.py, plus two Tuya emulators as processes on loopback (Tuya's
local protocol 3.4): one added by pasting tinytuya's devices.json (with a key that is out of
date, corrected on the same form), one typed by hand (the host pasted from a browser's address
bar, the datapoint ids typed into their boxes). What the user sees is asserted on the page: the
labels, the values kept after an error, the error's words. The result is read from Home
Assistant's REST API. The datapoint form is saved as flow-tuya-datapoints.png in
$SMART_MASSAGER_SCREENSHOTS (docs/screenshots has the README's copy), else in tmp_path.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from emulators.tuya import TuyaEmulatorServer
from emulators.tuya.device import Product, TuyaMassager

from .chromium import CHROMIUM, desktop_page, eventually
from .live_home_assistant import ROOT, LiveHomeAssistant, free_port, request
from .test_entities_flow import WAIT_MS, add_smart_massager

PASTED = {"device_id": "bfbrowserpaste000001", "local_key": "Pa5ted-Key#16chr"}
BY_HAND = {"device_id": "bfbrowserhand0000001", "local_key": "Typed-Key#16char"}
WRONG_KEY = "Old-Key-16-chars"  # the file's key, from before the chair was paired again
TUYA_MENU = "Tuya Wi-Fi massager (local, no cloud)"


pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.timeout(240),
]


class TuyaProcess:
    """One Tuya emulator as a process; its devices.json entry as tinytuya's wizard writes it."""

    def __init__(self, device_id: str, local_key: str, log: Any) -> None:
        self.port = free_port()
        self.device_id, self.local_key = device_id, local_key
        # The same facts the process serves, for the file (the object is never started).
        described = TuyaEmulatorServer(
            TuyaMassager(Product.load("massage_chair")),
            device_id=device_id,
            local_key=local_key,
            version="3.4",
            port=self.port,
        )
        self.entry: dict[str, Any] = described.device_entry()
        self.process = subprocess.Popen(  # our own emulator, fixed arguments
            [
                sys.executable,
                "-m",
                "emulators.tuya",
                "--version",
                "3.4",
                "--port",
                str(self.port),
                "--device-id",
                device_id,
                "--local-key",
                local_key,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def chairs(tmp_path: Path) -> Generator[tuple[TuyaProcess, TuyaProcess]]:
    with (tmp_path / "tuya.log").open("ab") as log:
        pasted = TuyaProcess(**PASTED, log=log)
        by_hand = TuyaProcess(**BY_HAND, log=log)
        try:
            yield pasted, by_hand
        finally:
            pasted.stop()
            by_hand.stop()


def test_add_tuya_massagers_by_paste_and_by_hand(  # noqa: PLR0915  # one walk, step by step
    live: LiveHomeAssistant, chairs: tuple[TuyaProcess, TuyaProcess], screenshots: Path
) -> None:
    from playwright.sync_api import Expect, sync_playwright  # noqa: PLC0415

    expect = Expect()
    expect.set_options(timeout=WAIT_MS)
    pasted, by_hand = chairs

    def states() -> dict[str, dict[str, Any]]:
        found: list[dict[str, Any]] = request(f"{live.url}/api/states", token=live.token)
        return {state["entity_id"]: state for state in found}

    with sync_playwright() as playwright, desktop_page(playwright, WAIT_MS) as page:
        flow = page.locator("dialog-data-entry-flow")

        # -- Pasted: the file's key is out of date ----------------------------------------
        add_smart_massager(page, live.url)
        flow.get_by_text(TUYA_MENU).click()
        expect(flow.get_by_text("Paste tinytuya's devices.json (recommended)")).to_be_visible()
        expect(flow.get_by_text("Enter the device by hand", exact=True)).to_be_visible()
        flow.get_by_text("Paste tinytuya's devices.json (recommended)").click()
        plug = {"name": "Desk plug", "id": "bf" + "1" * 18, "key": "x" * 16}
        stale = {**pasted.entry, "key": WRONG_KEY}
        flow.get_by_role("textbox", name="devices.json").fill(json.dumps([plug, stale]))
        flow.get_by_role("button", name="Submit").click()

        # One massager in the file (the plug is no massager): its address from the file.
        expect(flow.get_by_text("Add Massage chair")).to_be_visible()
        host = flow.get_by_role("textbox", name="Host")
        expect(host).to_have_value("127.0.0.1")
        typed_host = f"http://127.0.0.1:{pasted.port}/"  # as the address bar shows it
        host.fill(typed_host)
        flow.get_by_role("button", name="Submit").click()
        expect(
            flow.get_by_text("The massager accepts connections but not this local key")
        ).to_be_visible()
        # What was typed stays (not the file's address again); the key is asked for here.
        expect(host).to_have_value(typed_host)
        key = flow.get_by_role("textbox", name="Local key")
        expect(key).to_have_value("")
        key.fill(pasted.local_key)
        flow.get_by_role("button", name="Submit").click()
        expect(flow.get_by_role("textbox", name="Device name")).to_have_value("Massage chair")
        flow.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
        expect(flow).to_be_hidden()

        # -- By hand: every field typed, the datapoint ids into boxes ---------------------
        add_smart_massager(page, live.url, logged_in=True)
        flow.get_by_text(TUYA_MENU).click()
        flow.get_by_text("Enter the device by hand", exact=True).click()
        expect(flow.get_by_text("Add a Tuya massager by hand")).to_be_visible()
        flow.get_by_role("textbox", name="Name").fill("Cushion")
        flow.get_by_role("textbox", name="Host").fill(f" http://127.0.0.1:{by_hand.port} ")
        flow.get_by_role("textbox", name="Device id").fill(by_hand.device_id)
        flow.get_by_role("textbox", name="Local key*").fill(by_hand.local_key)
        kind = flow.locator("ha-selector-select").filter(has_text="Kind of massager")
        kind.click()
        page.get_by_role("option", name="Massage chair, cushion or pad").or_(
            page.get_by_role("menuitem", name="Massage chair, cushion or pad")
        ).first.click()
        flow.get_by_role("button", name="Submit").click()

        expect(flow.get_by_text("Datapoint ids")).to_be_visible()
        ids = {dp["code"]: dp_id for dp_id, dp in by_hand.entry["mapping"].items()}
        for label, code in (
            ("Massage on/off", "switch"),
            ("Automatic programs", "auto_mode"),
            ("Manual techniques", "manual_mode"),
            ("Intensity", "massage_speed"),
            ("Air-cell zone", "aircell_location"),
            ("Heat", "heat"),
            ("Session length", "time_set"),
        ):
            box = flow.get_by_role("spinbutton", name=label)  # a box, not a slider
            box.fill(ids[code])
            expect(box).to_have_value(ids[code])
        expect(flow.get_by_role("slider")).to_have_count(0)
        page.screenshot(path=str(screenshots / "flow-tuya-datapoints.png"))
        flow.get_by_role("button", name="Submit").click()
        expect(flow.get_by_role("textbox", name="Device name")).to_have_value("Cushion")
        flow.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
        expect(flow).to_be_hidden()

    # Both are massagers in Home Assistant, their programs and zones by the device's ids.
    eventually(lambda: "fan.massage_chair" in states(), "fan.massage_chair exists")
    eventually(lambda: "fan.cushion" in states(), "fan.cushion exists")
    zones = states()["select.cushion_zone"]["attributes"]["options"]
    assert "leg_hip" in zones
    entries: list[dict[str, Any]] = request(
        f"{live.url}/api/config/config_entries/entry", token=live.token
    )
    titles = {entry["title"] for entry in entries if entry["domain"] == "smart_massager"}
    assert {"Massage chair", "Cushion"} <= titles
