"""Finding out how to talk to a Tuya device: its protocol version, and whether the key fits.

Devices do not say their version before the key is known, and one that receives a frame of another
version or under another key just closes the connection. So each version is tried in turn; what
the failures have in common tells the user what to fix.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from pysmartmassager.exceptions import (
    MassagerConnectionError,
    MassagerError,
    MassagerTimeoutError,
)

from .connection import DEFAULT_PORT, TuyaConnection
from .protocol import TuyaKeyError, TuyaProtocolError, Version

PROBE_TIMEOUT_S = 3.0
NEWEST_FIRST = (Version.V35, Version.V34, Version.V33)


class TuyaUnsupportedError(TuyaProtocolError):
    """The device answers, but in no version this library speaks (3.1, 3.2, ...)."""


class TuyaHungUpError(TuyaKeyError):
    """The device accepted connections and hung up in every version: most often another key.

    Not proof: a device whose one local connection is taken (by the Smart Life app, another
    integration) or that is still starting can do the same.
    """


async def probe(
    host: str,
    device_id: str,
    local_key: str,
    versions: tuple[Version, ...] = NEWEST_FIRST,
    *,
    port: int = DEFAULT_PORT,
    answer_within: float = PROBE_TIMEOUT_S,
) -> tuple[Version, dict[str, Any]]:
    """The first version in which the device answers a query, and its datapoints.

    MassagerConnectionError: nothing listens at the address. TuyaKeyError: the device accepts
    connections but answers no version under this key (a wrong or changed local key).
    TuyaUnsupportedError: it answers in a way none of the versions understands.
    """
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), answer_within)
    except (TimeoutError, OSError) as err:
        raise MassagerConnectionError(f"nothing answers at {host}:{port}") from err
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    unsupported = refused = False
    for version in versions:
        link = TuyaConnection(
            host, device_id, local_key, version, port=port, timeout=answer_within, heartbeat=0
        )
        try:
            await link.open()
            return version, await link.query()
        except TuyaHungUpError:
            continue
        except TuyaKeyError:
            refused = True  # the device itself showed the key is not its own
            continue
        except TuyaProtocolError:
            unsupported = True
        except MassagerConnectionError, MassagerTimeoutError:
            continue  # the device hung up: another version or another key
        except MassagerError:
            unsupported = True
        finally:
            await link.close()
    if unsupported:
        raise TuyaUnsupportedError(f"{host} answers in no protocol version of {versions}")
    if refused:
        raise TuyaKeyError(f"{host} proved it holds another key")
    raise TuyaHungUpError(f"{host} accepts connections but answers no version under this key")
