"""Measuring a poll schedule without waiting (used by test_polling.py and bench_client.py)."""

from __future__ import annotations

from collections.abc import Iterator


def polls_until(schedule_times: Iterator[float], ready_at: float) -> tuple[int, float]:
    """Polls made, and delay after ``ready_at``, until a poll sees a task that became ready then."""
    for count, t in enumerate(schedule_times, start=1):
        if t >= ready_at:
            return count, t - ready_at
    raise ValueError("the schedule ended before the task was ready")


def fixed_interval(interval: float) -> Iterator[float]:
    """A plain fixed-interval poller (the baseline the schedule is measured against)."""
    t = interval
    while True:
        yield t
        t += interval
