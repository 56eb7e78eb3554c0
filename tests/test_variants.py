"""Variants: the style list, and several styles run concurrently against the real emulator."""

from __future__ import annotations

import time

import pytest
from client_support import fast_client
from emulator_support import API_KEY
from halloween_mask.errors import CancelledError, DeadlineExceededError, InvalidArgumentError, ServerBusyError
from halloween_mask.pending import PendingTasks
from halloween_mask.variants import StyleBatch, failure_lines, parse_styles
from halloween_mask_emulator import Emulator, EmulatorConfig, Failure, Fault

# -- the style list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "styles"),
    [
        ("3, 7, 12", (3, 7, 12)),
        ("12 3,7", (12, 3, 7)),
        (" 5 ,, 5\t85\n1 ", (5, 85, 1)),
        ("7,7,7", (7,)),
        (", ".join(str(n) for n in range(1, 13)) + ", 1, 2", tuple(range(1, 13))),
    ],
)
def test_style_lists_keep_the_order_and_drop_duplicates(text, styles):
    assert parse_styles(text) == styles


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no mask styles were given"),
        (" , ", "no mask styles were given"),
        ("0", "there is no mask style 0"),
        ("86", "there is no mask style 86: styles are numbered 1 to 85"),
        ("7,x", "'x' is not a style number"),
        ("7, -3", "'-3' is not a style number"),
        ("3.5", "'3.5' is not a style number"),
        ("²", "'²' is not a style number"),
        (" ".join(str(n) for n in range(1, 14)), "13 styles were given; at most 12"),
    ],
)
def test_bad_style_lists_say_what_is_wrong(text, words):
    with pytest.raises(InvalidArgumentError) as error:
        parse_styles(text)
    assert words in str(error.value) and "nothing was sent" in str(error.value)


# -- the batch -------------------------------------------------------------------------------------


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most of the (start, end) spans that overlap at one moment."""
    return max(sum(start <= moment < end for start, end in spans) for moment, _end in spans)


def tasks_at_once(emulator: Emulator) -> int:
    """The most tasks the emulator was working on at the same moment (from their timestamps)."""
    return most_at_once([(task.created, task.done_at) for task in emulator.tasks.values()])


def run_batch(client, image, styles, **options):
    with StyleBatch(client, image, styles, **options) as batch:
        while not batch.wait(0.05):
            assert 0 <= batch.done < len(styles)
        assert batch.done == len(styles)
    return batch.outcomes()


def test_every_style_waits_at_once_but_at_most_three_submits_are_in_flight(portrait_bytes):
    upload = 0.4  # seconds each submit takes, so that submits sent together overlap for certain
    config = EmulatorConfig(
        api_keys={API_KEY}, processing_seconds=1.0, faults=(Fault("latency", route="submit", seconds=upload, count=5),)
    )
    with Emulator(config) as emulator:
        outcomes = run_batch(fast_client(emulator.base_url), portrait_bytes, (3, 7, 12, 40, 85))
        assert [o.style for o in outcomes] == [3, 7, 12, 40, 85]
        assert all(o.result is not None and o.result.images and o.error is None for o in outcomes)
        by_task = {task_id: task.mask_style for task_id, task in emulator.tasks.items()}
        assert [by_task[o.result.task_id] for o in outcomes] == [3, 7, 12, 40, 85]
        submits = [(r.time - upload, r.time) for r in emulator.requests_to("submit")]
        assert most_at_once(submits) == 3, "not three submits at once"
        assert tasks_at_once(emulator) == 5, "the tasks did not all wait at the service together"
        assert len({o.result.images[0] for o in outcomes}) == 5, "each style has its own look"


def test_one_style_failing_leaves_the_others(portrait_bytes):
    config = EmulatorConfig(api_keys={API_KEY}, failures_by_style={12: Failure("poll_error")})
    with Emulator(config) as emulator:
        outcomes = run_batch(fast_client(emulator.base_url), portrait_bytes, (3, 7, 12))
    assert [o.result is not None for o in outcomes] == [True, True, False]
    assert isinstance(outcomes[2].error, ServerBusyError)
    (line,) = failure_lines(outcomes)
    assert line.startswith("Mask 12: The service is busy")


def test_one_deadline_bounds_the_whole_batch(portrait_bytes):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=30.0)) as emulator:
        start = time.monotonic()
        outcomes = run_batch(fast_client(emulator.base_url), portrait_bytes, (1, 2, 3, 4), deadline=0.8, in_flight=2)
        assert time.monotonic() - start < 3.0, "each style had a deadline of its own"
        assert all(isinstance(o.error, DeadlineExceededError) for o in outcomes)


def test_cancel_stops_every_wait_and_sends_nothing_more(portrait_bytes):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=30.0)) as emulator:
        client = fast_client(emulator.base_url)
        with StyleBatch(client, portrait_bytes, (1, 2, 3, 4, 5), in_flight=2) as batch:
            while len(emulator.tasks) < 5:
                batch.wait(0.02)
            batch.cancel()
            assert batch.wait(5.0), "a wait went on after the cancel"
        polls = len(emulator.requests_to("poll"))
        time.sleep(1.0)
        assert len(emulator.requests_to("poll")) == polls, "still polling after the cancel"
        outcomes = batch.outcomes()
    assert all(isinstance(o.error, CancelledError) for o in outcomes)


def test_a_cancelled_batch_is_collected_by_the_next_without_paying_twice(portrait_bytes, tmp_path):
    store = PendingTasks(tmp_path / "pending-tasks.json")
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=1.0)) as emulator:
        client = fast_client(emulator.base_url)
        with StyleBatch(client, portrait_bytes, (3, 7, 12, 40), pending=store) as batch:
            while sum(task.polls > 0 for task in emulator.tasks.values()) < 4:  # every style is waiting
                batch.wait(0.02)
            batch.cancel()
        assert len(emulator.tasks) == 4
        outcomes = run_batch(client, portrait_bytes, (3, 7, 12, 40), pending=store)
        assert all(o.result is not None for o in outcomes)
        assert [o.result.resumed for o in outcomes] == [True, True, True, True]
        styles = sorted(task.mask_style for task in emulator.tasks.values())
        assert styles == [3, 7, 12, 40], "a style was paid for twice"


def test_in_flight_must_be_positive(portrait_bytes):
    with pytest.raises(ValueError, match="in_flight"):
        StyleBatch(fast_client("http://127.0.0.1:9"), portrait_bytes, (1,), in_flight=0)
