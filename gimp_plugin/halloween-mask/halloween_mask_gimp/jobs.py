"""Many requests at once under the client's rules: each layer's upload with its style (or template).

``JobBatch`` is the shared ``StyleBatch`` (at most ``in_flight`` submits at once, then every task
waits at the service together, one deadline, one cancel token, the user's ledger: a kept result
re-used, a task a killed run paid for collected, never paid twice) for jobs that each carry their
own upload. A job may be given
after the batch has started (``provide``): GIMP's main thread exports one layer after another
while the layers exported earlier are already on their way. It imports no GIMP: the worker
threads only talk to the service.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from halloween_mask import CancelledError, Client, HalloweenMaskError, Result, StyleBatch
from halloween_mask.ledger import Ledger
from halloween_mask.variants import DEFAULT_IN_FLIGHT

READY_CHECK_SECONDS = 0.1  # how often a worker waiting for its upload looks at the cancel token


@dataclass(frozen=True)
class Job:
    """One request: an upload and the style to paint on it (``None``: the ``template``), and the name
    the history gives its source ("portrait.xcf / Background")."""

    image: bytes
    style: int | None
    template: bytes | None = None
    source: str = ""


@dataclass(frozen=True)
class JobOutcome:
    """One job's end: its result, or the error that stopped it."""

    index: int
    result: Result | None = None
    error: HalloweenMaskError | None = None


class JobBatch(StyleBatch):
    """``client.apply`` for each job on a worker thread each; ``outcomes()`` in the jobs' order.

    ``jobs`` may hold ``None`` for a job not known yet: its worker waits (within the deadline, until
    a cancel) for ``provide`` or ``fail``. The batch's "styles" are the jobs' indexes, so ``done``,
    ``elapsed``, ``wait`` and ``close`` work as for styles.
    """

    noun = "job"
    outcome = JobOutcome  # type: ignore[assignment]

    def __init__(
        self,
        client: Client,
        jobs: Sequence[Job | None],
        *,
        aspect_ratio: str = "auto",
        ledger: Ledger | None = None,
        reuse: bool = True,
        deadline: float | None = None,
        in_flight: int = DEFAULT_IN_FLIGHT,
    ) -> None:
        super().__init__(
            client,
            b"",
            range(len(jobs)),
            aspect_ratio=aspect_ratio,
            ledger=ledger,
            reuse=reuse,
            deadline=deadline,
            in_flight=in_flight,
        )
        self.jobs = list(jobs)
        self._ready = [threading.Event() for _job in self.jobs]
        self._failed: dict[int, HalloweenMaskError] = {}
        for ready, job in zip(self._ready, self.jobs, strict=True):
            if job is not None:
                ready.set()

    def provide(self, index: int, job: Job) -> None:
        """Job ``index`` is known now: its worker sends it."""
        self.jobs[index] = job
        self._ready[index].set()

    def fail(self, index: int, error: HalloweenMaskError) -> None:
        """Job ``index`` cannot be made (its layer could not be exported): it ends with ``error``, unsent."""
        self._failed[index] = error
        self._ready[index].set()

    def finished(self) -> dict[int, JobOutcome]:
        """The outcomes of the jobs that have ended so far, by index."""
        return {index: future.result() for index, future in enumerate(self._futures) if future.done()}

    def _job(self, index: int) -> Job:
        while not self._ready[index].wait(READY_CHECK_SECONDS):
            if self.cancel_token.cancelled or self.deadline.remaining <= 0:
                raise CancelledError("before the job was ready")
        if index in self._failed:
            raise self._failed[index]
        return self.jobs[index]

    def _request(self, number: int) -> tuple[bytes, int | None, bytes | None, str]:
        job = self._job(number)
        return job.image, job.style, job.template, job.source
