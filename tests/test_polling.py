"""The adaptive schedule, simulated: first poll soon, a steady cadence, then the documented 5 s."""

from __future__ import annotations

import itertools
import random
import statistics

import pytest
from halloween_mask.polling import PollSchedule
from polling_support import fixed_interval, polls_until


def first(n: int, schedule: PollSchedule | None = None) -> list[float]:
    return list(itertools.islice((schedule or PollSchedule()).times(), n))


def test_first_poll_is_soon_then_steady() -> None:
    times = first(4)
    assert times[0] <= 1.0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(3.3 <= g <= 4.0 for g in gaps)


def test_long_tasks_ease_toward_the_documented_five_seconds() -> None:
    times = [t for t in first(200) if t > 60]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(gaps)) and gaps[-1] == pytest.approx(5.0)
    assert max(gaps) <= 5.0 + 1e-9


def test_simulated_tasks_meet_the_benchmark_targets() -> None:
    """Tasks ready at random between 2 and 60 s: median delay <= 2 s, <= 1.5x a 5 s poller's polls."""
    rng = random.Random(7)
    ready = [rng.uniform(2, 60) for _ in range(5000)]
    ours = [polls_until(PollSchedule().times(), r) for r in ready]
    fixed = [polls_until(fixed_interval(5.0), r) for r in ready]
    median_delay = statistics.median(d for _, d in ours)
    poll_ratio = sum(n for n, _ in ours) / sum(n for n, _ in fixed)
    assert median_delay <= 2.0
    assert poll_ratio <= 1.5
    assert statistics.median(d for _, d in fixed) > median_delay


def test_invalid_schedules_are_refused() -> None:
    with pytest.raises(ValueError):
        PollSchedule(first=-1)
    with pytest.raises(ValueError):
        PollSchedule(steady=6, final=5)
