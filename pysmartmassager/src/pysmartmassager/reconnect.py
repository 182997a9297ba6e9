"""The one reconnect policy every transport's push or poll loop follows.

After a failure, wait; each wait doubles up to a cap and is cut by up to a fifth at random
(jitter), so that many hosts that lost the same device do not come back in lock-step; a
connection that worked resets it. A transport chooses only the bounds: the reference protocol's
push is its only channel and comes back within seconds (0.25 s to 3 s); Tuya's one local
connection and MIoT's UDP requests are spared (1 s to 30 s).
"""

from __future__ import annotations

import asyncio
import random

JITTER = 0.2
"""A wait is between (1 - JITTER) and 1 times the policy's delay."""


class Backoff:
    """Capped exponential backoff with jitter: `wait()` after a failure, `reset()` on success."""

    def __init__(self, initial: float, maximum: float) -> None:
        if not 0 < initial <= maximum:
            msg = f"backoff bounds must satisfy 0 < initial <= maximum, not {initial}, {maximum}"
            raise ValueError(msg)
        self.initial = initial
        self.maximum = maximum
        self._delay = initial

    @property
    def delay(self) -> float:
        """The delay the next wait is drawn from (before jitter)."""
        return self._delay

    def next_delay(self) -> float:
        """The next wait in seconds; the one after it is twice as long, up to the cap."""
        delay = self._delay * random.uniform(1 - JITTER, 1.0)  # noqa: S311  # jitter, not crypto
        self._delay = min(self._delay * 2, self.maximum)
        return delay

    async def wait(self) -> None:
        """Sleep the next wait."""
        await asyncio.sleep(self.next_delay())

    def reset(self) -> None:
        """A connection worked: the next failure waits the shortest time again."""
        self._delay = self.initial
