"""When to poll a task: soon at first, then a steady cadence, then the documented 5 s.

Why these numbers: for a task that becomes ready at a random moment, the wait between readiness
and the next poll is spread evenly over the interval it falls in, so with intervals of ``d`` the
median delay is about ``d / 2`` and the poll count about ``5 / d`` times a fixed 5 s poller's.
A steady 3.8 s therefore gives a median delay near 1.9 s for about 1.45x the polls. The first poll
is immediate: it costs no more polls than one a second later, and it catches instant tasks. Past a
minute the task is a long one: the interval eases up to the documented 5 s to spare the service.
``benchmarks/bench_client.py`` measures it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PollSchedule:
    """Poll times, in seconds since the task was submitted."""

    first: float = 0.0  # the first poll, right after the submit, for instant tasks
    steady: float = 3.8  # the interval while most tasks finish
    settle_after: float = 60.0  # from then on, ease toward ``final``
    final: float = 5.0  # the documented cadence
    ease: float = 0.25  # added to the interval per poll while easing

    def __post_init__(self) -> None:
        if not (self.first >= 0 and 0 < self.steady <= self.final and self.ease >= 0):
            raise ValueError("poll schedule: first >= 0, intervals positive, steady <= final")

    def times(self) -> Iterator[float]:
        """Poll times since submission, forever (the caller applies the deadline)."""
        t = self.first
        interval = self.steady
        while True:
            yield t
            if t >= self.settle_after:
                interval = min(self.final, interval + self.ease)
            t += interval
