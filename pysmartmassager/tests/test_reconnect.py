"""The one reconnect policy: doubling to a cap, with jitter, reset by a connection that worked."""

from __future__ import annotations

import pytest

from pysmartmassager.reconnect import JITTER, Backoff


def test_waits_double_up_to_the_cap_with_jitter() -> None:
    backoff = Backoff(0.25, 3.0)
    expected = [0.25, 0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
    waits = [backoff.next_delay() for _ in expected]
    for wait, nominal in zip(waits, expected, strict=True):
        assert (1 - JITTER) * nominal <= wait <= nominal


def test_jitter_spreads_hosts_apart() -> None:
    # Hosts that lost the same device at once must not all come back at the same instant.
    firsts = {Backoff(1.0, 30.0).next_delay() for _ in range(50)}
    assert len(firsts) > 40
    assert min(firsts) >= 1 - JITTER


def test_reset_starts_again_from_the_shortest_wait() -> None:
    backoff = Backoff(1.0, 30.0)
    for _ in range(6):
        backoff.next_delay()
    assert backoff.delay == 30.0
    backoff.reset()
    assert backoff.delay == 1.0
    assert backoff.next_delay() <= 1.0


@pytest.mark.parametrize(("initial", "maximum"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
def test_bounds_that_make_no_policy_are_refused(initial: float, maximum: float) -> None:
    with pytest.raises(ValueError, match="backoff bounds"):
        Backoff(initial, maximum)


async def test_wait_sleeps_the_drawn_delay() -> None:
    backoff = Backoff(0.01, 0.02)
    await backoff.wait()
    assert backoff.delay == 0.02
