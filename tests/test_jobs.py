"""The plug-in's JobBatch (issue 16) against the real emulator: many layers' requests at once.

Each job carries its own upload and may be given after the batch has started (GIMP exports one
layer after another); the batch keeps the client's rules: at most ``in_flight`` submits at once,
every task waiting at the service together, one deadline, and a job that cannot be made ends
with its reason, unsent. ``jobs.py`` imports no GIMP, so it runs here on the host.
"""

from __future__ import annotations

import io
import threading
import time

import pytest
from client_support import fast_client
from emulator_support import API_KEY
from halloween_mask.errors import CancelledError, DeadlineExceededError, NoFaceError
from halloween_mask_emulator import Emulator, EmulatorConfig, Fault
from halloween_mask_gimp.jobs import Job, JobBatch
from PIL import Image


def mirrored(png: bytes) -> bytes:
    """The same photo flipped left to right: another upload with a face in it."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(out, "PNG")
    return out.getvalue()


def most_at_once(spans: list[tuple[float, float]]) -> int:
    return max(sum(start <= moment < end for start, end in spans) for moment, _end in spans)


def run(batch: JobBatch, give=None) -> list:
    with batch:
        if give is not None:
            give(batch)
        while not batch.wait(0.05):
            pass
    return batch.outcomes()


def test_jobs_given_late_each_get_their_own_result_under_one_bound(portrait_bytes):
    upload = 0.3  # seconds each submit takes, so that submits sent together overlap for certain
    config = EmulatorConfig(
        api_keys={API_KEY}, processing_seconds=1.0, faults=(Fault("latency", route="submit", seconds=upload, count=4),)
    )
    other = mirrored(portrait_bytes)
    with Emulator(config) as emulator:
        batch = JobBatch(fast_client(emulator.base_url), [None, None, None, Job(other, 12)], in_flight=2)

        def give(batch: JobBatch) -> None:  # as GIMP's main thread does: one export after another
            for index, (image, style) in enumerate(((portrait_bytes, 3), (other, 7), (portrait_bytes, 40))):
                time.sleep(0.2)
                batch.provide(index, Job(image, style))

        outcomes = run(batch, give)
        assert all(o.result is not None and o.error is None for o in outcomes), [o.error for o in outcomes]
        tasks = emulator.tasks
        assert [tasks[o.result.task_id].mask_style for o in outcomes] == [3, 7, 40, 12]
        submits = [(r.time - upload, r.time) for r in emulator.requests_to("submit")]
        assert len(submits) == 4 and most_at_once(submits) <= 2, "more submits at once than the bound"
        assert most_at_once([(t.created, t.done_at) for t in tasks.values()]) >= 3, "the tasks did not wait together"


def test_a_job_that_cannot_be_made_ends_with_its_reason_unsent(portrait_bytes, no_face_bytes):
    with Emulator(EmulatorConfig(api_keys={API_KEY})) as emulator:
        batch = JobBatch(fast_client(emulator.base_url), [Job(portrait_bytes, 5), None, Job(no_face_bytes, 5)])
        refused = NoFaceError("the layer could not be exported")
        outcomes = run(batch, lambda batch: batch.fail(1, refused))
        assert outcomes[0].result is not None
        assert outcomes[1].error is refused and outcomes[1].result is None
        assert isinstance(outcomes[2].error, NoFaceError), "the landscape should fail at the service"
        assert len(emulator.requests_to("submit")) == 2, "the job that could not be made was sent"


def test_one_deadline_ends_jobs_never_given_and_those_waiting(portrait_bytes):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=30.0)) as emulator:
        start = time.monotonic()
        batch = JobBatch(fast_client(emulator.base_url), [Job(portrait_bytes, 1), None], deadline=0.8)
        outcomes = run(batch)
        assert time.monotonic() - start < 3.0, "a job had a deadline of its own"
        assert isinstance(outcomes[0].error, DeadlineExceededError)
        assert isinstance(outcomes[1].error, (CancelledError, DeadlineExceededError))
        assert len(emulator.requests_to("submit")) == 1


def test_cancel_stops_the_waits_and_sends_no_job_given_after_it(portrait_bytes):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=30.0)) as emulator:
        batch = JobBatch(fast_client(emulator.base_url), [Job(portrait_bytes, 1), None])
        with batch:
            while not emulator.tasks:
                batch.wait(0.02)
            batch.cancel()
            late = threading.Timer(0.3, batch.provide, (1, Job(portrait_bytes, 2)))
            late.start()
            assert batch.wait(5.0), "a wait went on after the cancel"
            late.join()
        outcomes = batch.outcomes()
        assert all(isinstance(o.error, CancelledError) for o in outcomes)
        assert len(emulator.requests_to("submit")) == 1


@pytest.mark.parametrize("in_flight", [0, -1])
def test_in_flight_must_be_positive(portrait_bytes, in_flight):
    with pytest.raises(ValueError, match="in_flight"):
        JobBatch(fast_client("http://127.0.0.1:9"), [Job(portrait_bytes, 1)], in_flight=in_flight)
