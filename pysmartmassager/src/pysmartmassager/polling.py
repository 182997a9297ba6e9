"""Polling shaped like a push: the one design for a transport whose device cannot push.

Such a transport's `subscribe()` returns a `PollingSubscription`, so the host sees one kind of
subscription for every massager and never polls by itself. It reads the state quickly while a
session runs (a press on the device shows within about `active_s`) and slowly otherwise; a
command calls `wake()` so that the next read comes at once (a session just started is watched
at the quick pace from its first second). Only states that differ from the last one delivered
(the ordering revision aside) reach the host. Unreachable: the channel is down, and reads are
retried by the one reconnect policy; a refused credential ends `run()` with
MassagerAuthenticationError, since retrying cannot fix it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from .exceptions import MassagerAuthenticationError, MassagerError
from .massager import ConnectionCallback, ReportingSubscription, StateCallback
from .reconnect import Backoff

if TYPE_CHECKING:
    from .massager import Massager
    from .models import SessionState

_LOGGER = logging.getLogger(__package__)


class PollingSubscription(ReportingSubscription):
    """Reads `massager`'s state at a pace set by its session; connected while reads succeed."""

    def __init__(  # the pace is the transport's, named at each call
        self,
        massager: Massager,
        on_state: StateCallback,
        on_connection: ConnectionCallback | None = None,
        *,
        active_s: float,
        idle_s: float,
        retry: Backoff,
    ) -> None:
        super().__init__(on_state, on_connection)
        self._massager = massager
        self.active_s = active_s
        self.idle_s = idle_s
        self.retry = retry
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Read again now (a command changed the device)."""
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def run(self) -> None:
        """Until cancelled; MassagerAuthenticationError when the credential no longer fits."""
        delivered: SessionState | None = None
        try:
            while True:
                try:
                    state = await self._massager.get_state()
                except MassagerAuthenticationError:
                    raise
                except MassagerError as err:
                    self._set_connected(False)
                    _LOGGER.debug(
                        "State read failed (%s); again in about %.0f s", err, self.retry.delay
                    )
                    await self.retry.wait()
                    continue
                self.retry.reset()
                first = not self._connected
                self._set_connected(True)
                if first or delivered is None or _changed(state, delivered):
                    delivered = state
                    self.deliver(state)
                await self._sleep(self.active_s if state.active else self.idle_s)
        finally:
            self._set_connected(False)


def _changed(state: SessionState, before: SessionState) -> bool:
    """Whether anything but the ordering revision differs (a countdown counts)."""
    return replace(state, revision=before.revision) != before
