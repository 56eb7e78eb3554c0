"""One ledger of paid tasks: a task is forgotten only when its result is safe.

A task moves through three states, each kept where it survives a crash:

- **paid**: submitted; the pending store (``pending.PendingTasks``) remembers its id under the
  request's fingerprint, so the same request again collects it instead of paying again;
- **collected**: downloaded and checked; it stays in the pending store (marked collected) until
  its result is safe;
- **kept**: the result is in the history (``history.History``): the pending entry goes, and the
  same request again re-uses the kept result (no upload, no charge) unless the caller asks for a
  fresh one. Without a history (off, or it cannot be written) the caller settles the task
  (``Ledger.settle``) once it has written the result where the user asked.

A task leaves the ledger otherwise only when the service says it failed or no longer knows it.
Both stores share the request's fingerprint, the wall-clock times that survive clock steps,
private files in the user's folders, and "a file problem never fails a run".

    ledger = Ledger.for_user()
    result = client.apply(photo, mask_style=7, ledger=ledger, source="photo.jpg")
    if result.reused: ...                 # from the history, free (result.created: when it was made)
    write(result.images[0]); ledger.settle(result)
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import tempfiles
from .errors import ErrorKind, HalloweenMaskError, ProtocolError
from .history import Entry, History, Made
from .imageformat import read_image_info
from .pending import COLLECTED, PendingTask, PendingTasks, fingerprint
from .timing import CancelToken, Deadline

if TYPE_CHECKING:
    from .client import Client, ProgressCallback, Result

log = logging.getLogger(__name__)

# Only these prove that a task will never give a result, so only they drop it from the ledger:
# the service reports the task failed (its status, or an error code of its own in answer to the
# poll), or no longer knows it. Anything else (a network error, the deadline, a malformed answer,
# 5xx pages without the service's code outlasting the retries, a refused key, a result file that
# cannot be downloaded or read) keeps it for the next run of the same request, unless that run,
# collecting it, runs out of time or finds the service busy again (stuck).
_TASK_IS_OVER = frozenset(
    {ErrorKind.TASK_FAILED, ErrorKind.NO_FACE, ErrorKind.BAD_INPUT, ErrorKind.TOO_LARGE, ErrorKind.UNSUPPORTED_FORMAT}
)
_STUCK_WHEN_AGAIN = frozenset({ErrorKind.TIMEOUT, ErrorKind.SERVER_BUSY})


@dataclass(frozen=True)
class Found:
    """What the ledger holds for a request, before running it (the dialog's cost line).

    ``entry``: a kept result (re-used for free); else ``task``: a paid task (collected for free).
    """

    entry: Entry | None = None
    task: PendingTask | None = None

    @property
    def free(self) -> bool:
        return self.entry is not None or self.task is not None


@dataclass(frozen=True)
class Request:
    """One request as the service sees it, and what the history records of where it came from."""

    image: bytes
    mask_style: int | None
    template: bytes | None
    aspect_ratio: str
    source: str = ""

    def key(self, base_url: str) -> str:
        return fingerprint(base_url, self.image, self.mask_style, self.template, self.aspect_ratio)

    @property
    def made(self) -> Made:
        return Made(self.mask_style, self.template is not None, self.aspect_ratio, self.source)


class Ledger:
    """The paid tasks of one user: ``pending`` holds the paid and collected ones, ``history`` the kept."""

    def __init__(
        self, pending: PendingTasks | None = None, history: History | None = None, *, settle_on_collect: bool = False
    ) -> None:
        self.pending = pending
        self.history = history if history is not None and history.enabled else None
        self.settle_on_collect = settle_on_collect  # ``Client.apply(pending=...)`` without a ledger: as before

    @classmethod
    def for_user(cls) -> Ledger:
        """The pending store beside the settings file and the history in the user's data folder."""
        pending = PendingTasks.beside_settings()
        tempfiles.sweep(pending.path.parent)  # a store's write that a killed run left half-done
        return cls(pending, History.for_user())

    def __repr__(self) -> str:
        return f"Ledger({self.pending!r}, {self.history!r})"

    def lookup(self, key: str) -> Found:
        """The kept result or the paid task for ``key`` (see ``Client.request_key``), if any."""
        entry = self.history.find(key) if self.history else None
        task = self.pending.task(key) if self.pending and entry is None else None
        return Found(entry, task)

    def settle(self, result: Result) -> None:
        """The caller has the result safe (written where the user asked): a task not kept in the history
        leaves the ledger now. Harmless for a result that was kept or re-used."""
        if self.pending is not None and result.fingerprint and result.entry_id is None and not result.reused:
            self.pending.forget(result.fingerprint, result.task_id)

    def keep_fetched(self, result: Result, source: str = "") -> Result:
        """A task fetched by its id (``halloween-mask fetch``): kept in the history, and out of the pending
        store under whatever request paid for it. Its request is unknown, so it is never re-used."""
        entry = self.history.keep("", result.task_id, result.images, Made(source=source)) if self.history else None
        if self.pending is not None and entry is not None:
            self.pending.forget_task(result.task_id)
        return result if entry is None else replace(result, entry_id=entry.id, created=entry.created)

    def run(
        self,
        client: Client,
        request: Request,
        *,
        reuse: bool,
        on_progress: ProgressCallback | None,
        cancel: CancelToken,
        deadline: Deadline,
        submit_slot: AbstractContextManager[Any] | None,
    ) -> Result:
        """The whole job under the ledger's rules: re-use, else collect a paid task, else pay once."""
        key = request.key(client.base_url)
        if reuse:
            kept = self._reused(key)
            if kept is not None:
                return kept
        run = _Run(self, client, request, key, reuse, on_progress, cancel, deadline, submit_slot)
        return run.result()

    def _reused(self, key: str) -> Result | None:
        """A result made from the history's newest entry for ``key`` (a damaged one is dropped: ``None``)."""
        from .client import Result

        entry = self.history.find(key) if self.history else None
        images = self.history.images(entry.id) if self.history and entry else None
        if entry is None or not images:
            return None
        log.info("re-using the result of task %s kept on %s (no charge)", entry.task_id, entry.created_text)
        infos = tuple(read_image_info(data) for data in images)  # checked whole when kept; the checksum holds
        return Result(
            entry.task_id, (), images, infos=infos, reused=True, entry_id=entry.id, created=entry.created,
            fingerprint=key,
        )  # fmt: skip

    def _kept(self, key: str, request: Request, result: Result) -> Result:
        """Move a collected task on: kept in the history (and out of the pending store), else marked collected."""
        entry = self.history.keep(key, result.task_id, result.images, request.made) if self.history else None
        if self.pending is not None:
            if entry is not None or self.settle_on_collect:
                self.pending.forget(key, result.task_id)  # not a newer task of the same request
            else:
                self.pending.mark_collected(key, result.task_id)
        if entry is None:
            return replace(result, fingerprint=key)
        return replace(result, fingerprint=key, entry_id=entry.id, created=result.created or entry.created)


class _Run:
    """One request's way through the ledger (see ``Ledger.run``)."""

    def __init__(
        self,
        ledger: Ledger,
        client: Client,
        request: Request,
        key: str,
        reuse: bool,
        on_progress: ProgressCallback | None,
        cancel: CancelToken,
        deadline: Deadline,
        submit_slot: AbstractContextManager[Any] | None,
    ) -> None:
        self.ledger, self.client, self.request, self.key, self.reuse = ledger, client, request, key, reuse
        self.on_progress, self.cancel, self.deadline, self.submit_slot = on_progress, cancel, deadline, submit_slot

    def result(self) -> Result:
        outcome = self._task()
        if not isinstance(outcome, tuple):
            return outcome  # kept meanwhile by a concurrent run of the same request
        task_id, resumed, paid_at = outcome
        if resumed:
            try:
                return self._collect(task_id, True, paid_at)
            except HalloweenMaskError as error:
                if error.kept_pending or not proves_over(error):
                    raise
                log.info("task %s cannot be collected (%s); submitting again", task_id, error.kind.name)
            outcome = self._task()
            if not isinstance(outcome, tuple):
                return outcome
            task_id, resumed, paid_at = outcome
        return self._collect(task_id, resumed, paid_at)

    def _task(self) -> Result | tuple[str, bool, float | None]:
        """Under the request's lock: a result kept meanwhile, else the paid task, else a new one."""
        pending = self.ledger.pending
        if pending is None:
            return self._submit(), False, None
        with pending.claim(self.key, deadline=self.deadline, cancel=self.cancel):
            if self.reuse:
                kept = self.ledger._reused(self.key)  # an identical run kept it while this one waited
                if kept is not None:
                    return kept
            found = pending.task(self.key)
            if found and (self.reuse or found.state != COLLECTED):
                log.info("collecting task %s from an earlier or concurrent run (no charge)", found.task_id)
                return found.task_id, True, found.submitted
            task_id = self._submit()
            pending.remember(self.key, task_id)
            return task_id, False, None

    def _submit(self) -> str:
        r = self.request
        return self.client.submit(
            r.image, r.mask_style, r.template, r.aspect_ratio, cancel=self.cancel, deadline=self.deadline,
            slot=self.submit_slot,
        )  # fmt: skip

    def _collect(self, task_id: str, resumed: bool, paid_at: float | None) -> Result:
        """``collect``, keeping the task unless it is over or looks stuck; then on to the history."""
        pending = self.ledger.pending
        try:
            result = self.client.collect(task_id, self.on_progress, self.cancel, self.deadline)
        except HalloweenMaskError as error:
            if pending is None:
                raise
            if proves_over(error) or (resumed and error.kind in _STUCK_WHEN_AGAIN):
                pending.forget(self.key)
            else:
                error.kept_pending = True
            raise
        result = replace(result, resumed=resumed, created=paid_at if resumed else None)
        return self.ledger._kept(self.key, self.request, result)


def proves_over(error: HalloweenMaskError) -> bool:
    """Whether ``error`` shows the task will never give a result (see ``_TASK_IS_OVER``)."""
    reported = error.kind is ErrorKind.SERVER_BUSY and bool(error.code) and not isinstance(error, ProtocolError)
    return error.kind in _TASK_IS_OVER or reported
