"""When evidence against a device's credential (a Tuya local key, a miio token) is enough.

A device that stops answering, or whose answers do not check out under the credential, may have
a new one, but a busy or starting device, a taken local connection or a corrupted packet look
the same. Asking the user for a new credential on the first sign would send them to re-enter a
key that is fine; so one rule for every transport: the evidence must repeat, `times` signs over
at least `over_s` seconds, and one good answer clears it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class CredentialDoubts:
    """Per-device evidence that a credential changed.

    The rule (3 signs over at least 5 minutes) is the defaults: every transport uses them.
    The host keeps one instance per family and passes it to every massager it builds (Home
    Assistant builds a new one at every set-up retry, and the evidence must outlive it); tests
    inject their own, with their own clock.
    """

    times: int = 3
    over_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    # device -> (when the first sign came, how many since)
    _evidence: dict[str, tuple[float, int]] = field(default_factory=dict, init=False, repr=False)

    def doubt(self, device: str) -> bool:
        """Count one sign against `device`'s credential; True once it is enough to ask anew.

        Once enough, the evidence is forgotten: the next doubt starts counting again.
        """
        now = self.clock()
        first, count = self._evidence.get(device, (now, 0))
        count += 1
        if count >= self.times and now - first >= self.over_s:
            self._evidence.pop(device, None)
            return True
        self._evidence[device] = (first, count)
        return False

    def clear(self, device: str) -> None:
        """A good answer under the credential: no doubt left."""
        self._evidence.pop(device, None)

    def __contains__(self, device: object) -> bool:
        """Whether any evidence against `device` is held."""
        return device in self._evidence
