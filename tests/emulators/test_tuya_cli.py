"""The Tuya emulator's command line: arguments, identity and the devices.json entry it prints."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
import tinytuya

from emulators.tuya.__main__ import build_server, parse_args, serve

pytestmark = pytest.mark.usefixtures("socket_enabled")


def test_random_identity_when_none_is_given() -> None:
    server = build_server(parse_args(["--version", "3.4", "--product", "cushion"]))

    assert 20 <= len(server.device_id) <= 22
    assert len(server.local_key) == 16
    assert server.local_key.isascii()
    assert server.version == "3.4"
    assert server.port == 6668
    assert server.device.product.name == "Massage cushion"


@pytest.mark.parametrize(
    "argv",
    [
        ["--version", "3.1"],
        ["--product", "sofa"],
        ["--device-id", "short"],
        ["--local-key", "fifteen-chars!!"],
    ],
)
def test_bad_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


async def test_prints_an_entry_tinytuya_can_use(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse_args(
        [
            "--version",
            "3.5",
            "--port",
            "0",
            "--device-id",
            "ebcli0123456789abcdef0",
            "--local-key",
            "cli-key-16-chars",
        ]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(args, stop))
    output = ""
    for _ in range(100):
        await asyncio.sleep(0.02)
        output += capsys.readouterr().out
        if "Ctrl-C" in output:
            break
    entry = json.loads(output[output.index("{") : output.rindex("}") + 1])
    try:
        assert "Device id: ebcli0123456789abcdef0" in output
        assert "Local key: cli-key-16-chars" in output
        assert entry["version"] == "3.5"
        assert entry["mapping"]["1"] == {"code": "switch", "type": "Boolean", "values": {}}
        found = re.search(r" on 127\.0\.0\.1:(\d+)", output)
        assert found is not None
        port = int(found.group(1))
        client = tinytuya.Device(
            entry["id"],
            address=entry["ip"],
            local_key=entry["key"],
            version=float(entry["version"]),
            port=port,
            connection_timeout=1,
            connection_retry_limit=1,
        )
        try:
            assert "dps" in await asyncio.to_thread(client.status)
        finally:
            client.close()
    finally:
        stop.set()
        await task
