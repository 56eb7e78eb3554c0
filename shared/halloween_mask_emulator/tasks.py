"""Tasks: status 0 -> 1 -> 2 by elapsed time, their outcome, the one-time charge, and expiry.

A task's state is a function of the clock, settled whenever anyone looks (a poll, a result
download, the credits query, the test's task table), so a task that finishes while nobody polls
is still charged exactly once, as the vendor does.

Results are kept on disk (a temporary folder of the store, removed when the emulator stops), written
as soon as they are rendered, not in memory until a poll, so tasks nobody polls cost no memory; an
expired task's file goes. The table keeps the newest tasks only (``add``'s ``limit``).
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Failure
from .credits import Ledger
from .detect import Box
from .renderer import NoFaceFound, Rendered

PENDING, DONE, FAILED, EXPIRED = "pending", "done", "failed", "expired"


@dataclass
class Task:
    """One submitted task, as the emulator's task table shows it."""

    task_id: str
    created: float
    queued_for: float
    processing_for: float  # math.inf: never completes
    ttl: float
    mask_style: int | None
    template_used: bool
    template_ignored: bool
    aspect_ratio: str
    image_size: tuple[int, int]
    failure: Failure | None = None
    status: int = 0
    outcome: str = PENDING
    face_box: Box | None = None
    output_size: tuple[int, int] | None = None
    charged: bool = False
    polls: int = 0
    render: Future[Rendered] | None = field(default=None, repr=False)
    rendered: tuple[Box, tuple[int, int]] | None = field(default=None, repr=False)  # face box, size
    render_error: BaseException | None = field(default=None, repr=False)
    result_path: Path | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def done_at(self) -> float:
        return self.created + self.queued_for + self.processing_for

    @property
    def result(self) -> bytes | None:
        """The result PNG's bytes, once done (read from the store's folder)."""
        if self.result_path is None:
            return None
        try:
            return self.result_path.read_bytes()
        except OSError:  # expired meanwhile
            return None

    @property
    def expires_at(self) -> float:
        end = self.done_at if math.isfinite(self.done_at) else self.created
        return end + self.ttl


class TaskStore:
    """All tasks of a run; settles them against the clock and charges completed ones once."""

    def __init__(self, ledger: Ledger, poll_failure_mode: str = "poll_error") -> None:
        self._ledger = ledger
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()
        self.poll_failure_mode = poll_failure_mode
        self._folder = tempfile.TemporaryDirectory(prefix="halloween-mask-emulator-")
        self.clock_offset = 0.0  # seconds added to the wall clock (Emulator.advance_clock)

    def now(self) -> float:
        """The store's clock: the wall clock, moved on by what tests advanced it."""
        return time.time() + self.clock_offset

    def add(self, task: Task, limit: int | None = None) -> None:
        """Keep ``task``; beyond ``limit`` tasks the oldest are forgotten (their results go too).

        Its rendering, once done, goes to disk at once, polled or not.
        """
        with self._lock:
            self._tasks[task.task_id] = task
            evicted = []
            while limit is not None and len(self._tasks) > max(1, limit):
                evicted.append(self._tasks.pop(next(iter(self._tasks))))
        for old in evicted:
            with old.lock:
                old.outcome, old.render = EXPIRED, None
                _drop_result(old)
        future = task.render
        if future is not None:
            future.add_done_callback(lambda _done: self._stash_when_done(task, future))

    def rendering(self) -> int:
        """How many tasks wait for their rendering (each holds its decoded images until then)."""
        with self._lock:
            return sum(task.render is not None for task in self._tasks.values())

    def _stash_when_done(self, task: Task, future: Future[Rendered]) -> None:
        with task.lock:
            if task.render is future:
                self._take_render(task)

    def _take_render(self, task: Task) -> None:
        """With ``task.lock`` held: wait for its rendering and keep the PNG on disk (or the error)."""
        future, task.render = task.render, None
        if future is None:
            return
        try:
            rendered = future.result()
        except Exception as exc:  # NoFaceFound, or a renderer bug
            task.render_error = exc
            return
        if task.outcome == EXPIRED:
            return
        task.result_path = Path(self._folder.name) / f"{task.task_id}.png"
        task.result_path.write_bytes(rendered.png)
        task.rendered = (rendered.face_box, rendered.size)

    def get(self, task_id: str, *, count_poll: bool = False) -> Task | None:
        """The settled task, or ``None`` when unknown or expired."""
        with self._lock:
            task = self._tasks.get(task_id)
        if task is None:
            return None
        self._settle(task)
        if task.outcome == EXPIRED:
            return None
        if count_poll:
            task.polls += 1
        return task

    def snapshot(self) -> dict[str, Task]:
        """Every task (expired ones included), settled now, as copies."""
        with self._lock:
            tasks = list(self._tasks.values())
        for task in tasks:
            self._settle(task)
        return {task.task_id: replace(task, lock=threading.Lock()) for task in tasks}

    def settle_all(self) -> None:
        with self._lock:
            tasks = list(self._tasks.values())
        for task in tasks:
            self._settle(task)

    def clear(self) -> None:
        with self._lock:
            tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            with task.lock:
                task.outcome, task.render = EXPIRED, None
                _drop_result(task)

    def close(self) -> None:
        """Remove the results folder (the task table stays readable)."""
        self._folder.cleanup()

    def _settle(self, task: Task) -> None:
        now = self.now()
        with task.lock:
            if task.outcome == EXPIRED:
                return
            if now >= task.expires_at:
                task.outcome, task.render = EXPIRED, None
                _drop_result(task)
                return
            if task.outcome != PENDING:
                return
            if now < task.created + task.queued_for:
                task.status = 0
            elif now < task.done_at:
                task.status = 1
            else:
                self._complete(task)

    def _complete(self, task: Task) -> None:
        task.status = 2
        if task.failure is not None and task.failure.mode != "nested_status":
            task.outcome = FAILED
            return
        self._take_render(task)
        if isinstance(task.render_error, NoFaceFound):
            task.failure = Failure(self.poll_failure_mode, code="ERROR_NO_FACE_IN_FILE")
            task.outcome = FAILED
            return
        if task.render_error is not None:  # a renderer bug shows as the vendor's processing failure
            task.failure = Failure("poll_error", code="PROCESSING_FAILURE")
            task.outcome = FAILED
            return
        if task.rendered is not None:
            task.face_box, task.output_size = task.rendered
        task.outcome = DONE
        task.charged = True
        self._ledger.charge()


def _drop_result(task: Task) -> None:
    if task.result_path is not None:
        with contextlib.suppress(OSError):
            task.result_path.unlink()
        task.result_path = None
