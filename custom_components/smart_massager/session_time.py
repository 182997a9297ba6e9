"""Time left in a session, as a person reads it: for the sensor, voice and LLM tools alike."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pysmartmassager import SessionState, Status

if TYPE_CHECKING:
    from datetime import datetime


def remaining_minutes(state: SessionState, now: datetime) -> int:
    """Whole minutes left, rounded up (a session with 30 s left shows 1)."""
    if state.status is Status.RUNNING and state.ends_at is not None:
        return max(0, math.ceil((state.ends_at - now).total_seconds() / 60))
    if state.status is Status.PAUSED:
        return math.ceil(state.remaining_s / 60)
    return 0
