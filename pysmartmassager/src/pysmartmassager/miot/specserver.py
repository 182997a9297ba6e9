"""Xiaomi's public spec server: the instance spec a model published, found by its model string.

`GET /miot-spec-v2/instances?status=released` lists every model with its spec URN and version;
`GET /miot-spec-v2/instance?type=<urn>` is that spec. No account is needed. This is how
al-one/hass-xiaomi-miot and python-miio's devtools find a model's spec. The list is large (every
Xiaomi product), so both reads are bounded in size; a reply that is not what it should be is a
MiotSpecError, never a crash.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import aiohttp

from .protocol import strict_json
from .spec import MiotSpecError

SPEC_SERVER = "https://miot-spec.org"
MAX_LIST_BYTES = 64 * 1024 * 1024  # the full instance list is tens of megabytes
MAX_SPEC_BYTES = 1024 * 1024  # one model's spec is a few to a few hundred kilobytes
TIMEOUT_S = 30.0


class MiotSpecUnavailableError(MiotSpecError):
    """The spec server could not be reached or answered nonsense."""


class MiotSpecMissingError(MiotSpecError):
    """The spec server has no released spec for this model."""


async def _get_json(
    session: aiohttp.ClientSession, url: str, params: dict[str, str], limit: int
) -> Any:
    try:
        async with session.get(
            url, params=params, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)
        ) as response:
            if response.status != HTTPStatus.OK:
                raise MiotSpecUnavailableError(f"the spec server answered {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > limit:
                    raise MiotSpecUnavailableError("the spec server's answer is too large")
    except (aiohttp.ClientError, TimeoutError) as err:
        raise MiotSpecUnavailableError(f"the spec server is unreachable: {err}") from err
    try:
        # The full list is tens of megabytes: parsed in a thread, not on the event loop.
        return await asyncio.to_thread(strict_json, body)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise MiotSpecUnavailableError("the spec server's answer is not JSON") from err


async def spec_urn(session: aiohttp.ClientSession, model: str, *, server: str = SPEC_SERVER) -> str:
    """The URN of the newest released spec of `model`."""
    listing = await _get_json(
        session, f"{server}/miot-spec-v2/instances", {"status": "released"}, MAX_LIST_BYTES
    )
    instances = listing.get("instances") if isinstance(listing, dict) else None
    if not isinstance(instances, list):
        raise MiotSpecUnavailableError("the spec server's list has no instances")
    best: tuple[int, str] | None = None
    for item in instances:
        if not isinstance(item, dict) or item.get("model") != model:
            continue
        version, urn = item.get("version", 0), item.get("type")
        if item.get("status", "released") != "released" or not isinstance(urn, str):
            continue
        if isinstance(version, int) and (best is None or version > best[0]):
            best = (version, urn)
    if best is None:
        raise MiotSpecMissingError(f"no released spec for {model[:64]}")
    return best[1]


async def fetch_spec(
    session: aiohttp.ClientSession, model: str, *, server: str = SPEC_SERVER
) -> dict[str, Any]:
    """The newest released instance spec of `model`, as published."""
    urn = await spec_urn(session, model, server=server)
    spec = await _get_json(
        session, f"{server}/miot-spec-v2/instance", {"type": urn}, MAX_SPEC_BYTES
    )
    if not isinstance(spec, dict):
        raise MiotSpecUnavailableError("the spec server's spec is not an object")
    return spec
