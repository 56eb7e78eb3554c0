"""Many requests at once under the client's rules: each layer's upload with its style (or template).

``JobBatch`` is the shared ``StyleBatch`` (at most ``in_flight`` submits at once, then every task
waits at the service together, one deadline, one cancel token, pending tasks that a later run
collects instead of paying twice) for jobs that each carry their own upload. It imports no GIMP:
the worker threads only talk to the service, and GIMP's main thread pulses the progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halloween_mask import (
    CancelledError,
    Client,
    DeadlineExceededError,
    HalloweenMaskError,
    PendingTasks,
    Result,
    StyleBatch,
)
from halloween_mask.variants import DEFAULT_IN_FLIGHT


@dataclass(frozen=True)
class Job:
    """One request: an upload and the style to paint on it (``None``: the ``template``)."""

    image: bytes
    style: int | None
    template: bytes | None = None


@dataclass(frozen=True)
class JobOutcome:
    """One job's end: its result, or the error that stopped it."""

    index: int
    result: Result | None = None
    error: HalloweenMaskError | None = None


class JobBatch(StyleBatch):
    """``client.apply`` for each job on a worker thread each; ``outcomes()`` in the jobs' order.

    The batch's "styles" are the jobs' indexes, so ``done``, ``elapsed``, ``wait`` and ``close``
    work as for styles.
    """

    def __init__(
        self,
        client: Client,
        jobs: Sequence[Job],
        *,
        aspect_ratio: str = "auto",
        pending: PendingTasks | None = None,
        deadline: float | None = None,
        in_flight: int = DEFAULT_IN_FLIGHT,
    ) -> None:
        super().__init__(
            client,
            b"",
            range(len(jobs)),
            aspect_ratio=aspect_ratio,
            pending=pending,
            deadline=deadline,
            in_flight=in_flight,
        )
        self.jobs = tuple(jobs)

    def _run(self, number: int) -> JobOutcome:  # type: ignore[override]
        job = self.jobs[number]
        try:
            if self.cancel_token.cancelled:
                raise CancelledError("before the job was sent")
            remaining = self.deadline.remaining
            if remaining <= 0:
                raise DeadlineExceededError(f"no time was left for this job after {self.deadline.seconds:.0f} s")
            result = self.client.apply(
                job.image,
                mask_style=job.style,
                template=job.template,
                aspect_ratio=self.aspect_ratio,
                cancel=self.cancel_token,
                deadline=remaining,  # the batch's one deadline, as seconds from now
                pending=self.pending,
                submit_slot=self.submit_slots,
            )
        except HalloweenMaskError as error:
            return JobOutcome(number, error=error)
        return JobOutcome(number, result=result)
