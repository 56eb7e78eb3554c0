"""Tasks paid for but not yet collected, so that running the same job again collects them.

A run that is killed (GIMP's status-bar Cancel), cancelled or out of time leaves its task
working at the service, and the service charges for it. The store remembers the task under a
fingerprint of the request (endpoint, image, style or template, aspect ratio); the next run of
the same request waits for that task instead of submitting again, and forgets it once the
result is collected. The file holds task ids and hashes only, never the key or the image.

Identical requests in flight at once (two commands, or the command line and GIMP) share one
task: a run holds the request's lock (``claim``) from looking for a remembered task until it has
remembered the one it submitted, so the other run waits and then collects that task. The locks
are the operating system's (``flock``, or ``msvcrt.locking`` on Windows): a killed run's lock
goes with it. The one case left: a run killed while its submit is on the wire leaves a task
the store never heard of, and the next run pays again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import open_regular, settings_path, write_private
from .errors import CancelledError, DeadlineExceededError
from .formats import FORMAT_KEY, is_newer, stamped
from .timing import CancelToken, Deadline

if os.name == "nt":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

FILE_NAME = "pending-tasks.json"
# formats.py; 0.1.0 wrote format 1 (no "state"): {"format": 2, "<fingerprint>": {"task_id", "submitted", "state"}}
FILE_FORMAT = 2
LOCK_FOLDER = "pending-locks"
LOCK_RETRY = 0.05  # seconds between tries for a lock another run holds
STORE_LOCK_WAIT = 10.0  # seconds; the file's own lock is held for a read and a write only
# seconds; the service keeps a task's results for 24 h. Erring on the side of collecting: a task
# the service has forgotten costs one free poll, a task dropped too early a second payment.
LIFETIME = 25 * 3600.0
PAID, COLLECTED = "paid", "collected"  # a task's states here; "kept" is the history's (see ``ledger``)


@dataclass(frozen=True)
class PendingTask:
    """A remembered task: its id, when it was submitted (wall clock) and whether it was collected."""

    task_id: str
    submitted: float
    state: str = PAID


def fingerprint(base_url: str, image: bytes, mask_style: int | None, template: bytes | None, aspect_ratio: str) -> str:
    """A digest that is equal exactly when two requests would ask the service for the same thing."""
    digest = hashlib.sha256()
    for part in (
        base_url.rstrip("/").encode(),
        hashlib.sha256(image).digest(),
        str(mask_style).encode(),
        hashlib.sha256(template).digest() if template is not None else b"-",
        aspect_ratio.encode(),
    ):
        digest.update(len(part).to_bytes(4, "big") + part)
    return digest.hexdigest()


class PendingTasks:
    """A small JSON file of ``{fingerprint: {"task_id", "submitted"}}``, written 0600.

    Losing it costs at most a second payment, so file errors are logged, never raised. Safe for
    threads and processes sharing one store: every change is a read and a write under the
    file's lock, every look a read under it too, and ``claim`` makes identical requests take turns.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()  # the command line's parallel jobs share one store
        self._warned = False  # damaged entries are reported once
        self._newer = False  # the file is from a newer release: read, never rewritten

    @classmethod
    def beside_settings(cls) -> PendingTasks:
        """The store next to the settings file (``$HALLOWEEN_MASK_SETTINGS`` or the config folder)."""
        return cls(settings_path().with_name(FILE_NAME))

    def __repr__(self) -> str:
        return f"PendingTasks({str(self.path)!r})"

    def find(self, key: str) -> str | None:
        """The task id remembered for ``key``, if it is recent enough to still hold a result."""
        task = self.task(key)
        return task.task_id if task else None

    def task(self, key: str) -> PendingTask | None:
        """The task remembered for ``key`` (paid, or collected but its result not yet safe), if any."""
        with self._locked() as entries:  # never half a write, nor a write refused (Windows) while reading
            entry = entries.get(key)
        if not entry:
            return None
        return PendingTask(entry["task_id"], entry["submitted"], COLLECTED if entry.get("state") == COLLECTED else PAID)

    def remember(self, key: str, task_id: str) -> None:
        with self._locked() as entries:
            entries[key] = {"task_id": task_id, "submitted": self.clock(), "state": PAID}

    def mark_collected(self, key: str, task_id: str) -> None:
        """The task's result was downloaded but is not safe yet (no history): it stays until ``forget``."""
        with self._locked() as entries:
            entry = entries.get(key)
            if entry and entry["task_id"] == task_id:
                entries[key] = {**entry, "state": COLLECTED}

    def forget(self, key: str, task_id: str | None = None) -> None:
        """Forget ``key``'s task (only if it is still ``task_id``, when given)."""
        with self._locked() as entries:
            if task_id is None or entries.get(key, {}).get("task_id") == task_id:
                entries.pop(key, None)

    def forget_task(self, task_id: str) -> None:
        """Forget the task ``task_id`` under whichever request it was remembered for."""
        with self._locked() as entries:
            for key in [k for k, entry in entries.items() if entry["task_id"] == task_id]:
                del entries[key]

    @contextlib.contextmanager
    def claim(self, key: str, *, deadline: Deadline, cancel: CancelToken) -> Iterator[None]:
        """Hold ``key`` while looking for its task and submitting one; an identical run waits here.

        Waits at most until ``deadline`` (``DeadlineExceededError``) or a cancel. Without a
        usable folder for the lock it goes on unlocked (at worst a second payment, as before).
        """
        try:
            lock = _FileLock(self.path.parent / LOCK_FOLDER / f"{key[:40]}.lock")
        except OSError as exc:
            log.warning("no lock for identical runs in %s (%s)", self.path.parent, exc.strerror or exc)
            yield
            return
        with lock:
            while not lock.acquire():
                if cancel.wait(min(LOCK_RETRY, max(0.0, deadline.remaining))):
                    raise CancelledError("while another run of the same request was submitting it")
                if deadline.expired:
                    raise DeadlineExceededError("another run of the same request was still submitting it")
            yield

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, dict]]:
        """The live entries, read and (if changed in place) written back under the store's lock."""
        with self._lock, contextlib.ExitStack() as stack:
            try:
                lock = stack.enter_context(_FileLock(self.path.with_name(f"{FILE_NAME}.lock")))
                waited = time.monotonic() + STORE_LOCK_WAIT
                while not lock.acquire() and time.monotonic() < waited:
                    time.sleep(LOCK_RETRY)
            except OSError as exc:  # no folder to lock in: changes are still made, unlocked
                log.warning("cannot lock the pending-task file %s (%s)", self.path, exc.strerror or exc)
            entries = self._read()
            before = dict(entries)
            yield entries
            if entries != before:
                self._write(entries)

    def _read(self) -> dict[str, dict]:
        """The live entries: expired ones dropped quietly, damaged ones with a warning."""
        try:
            with open_regular(self.path) as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the pending-task file %s (%s)", self.path, type(exc).__name__)
            return {}
        if isinstance(data, dict):
            self._newer = is_newer(data, FILE_FORMAT, self.path)  # 0.1.0's files name no format: 1
            data.pop(FORMAT_KEY, None)
        now = self.clock()
        # a file that is not a JSON object counts as one damaged entry
        ages = {key: _age(entry, now) for key, entry in data.items()} if isinstance(data, dict) else {"": None}
        damaged = sum(age is None for age in ages.values())
        if damaged and not self._warned:
            self._warned = True  # once per store: its next write leaves the damaged entries out
            log.warning(
                "ignoring %d damaged entr%s of the pending-task file %s (a run of those requests pays again)",
                damaged,
                "y" if damaged == 1 else "ies",
                self.path,
            )
        return {key: data[key] for key, age in ages.items() if age is not None and age < LIFETIME}

    def _write(self, entries: dict[str, dict]) -> None:
        if self._newer:  # a newer release's file: read, never rewritten (its tasks stay for that release)
            log.warning("not recording pending tasks in %s: it is from a newer version", self.path)
            return
        try:
            write_private(self.path, json.dumps(stamped(entries, FILE_FORMAT), indent=2) + "\n")
        except OSError as exc:
            log.warning("cannot record pending tasks in %s (%s)", self.path, exc.strerror or type(exc).__name__)


def _age(entry: object, now: float) -> float | None:
    """Seconds since the entry's task was submitted; ``None`` if the entry is damaged.

    Damaged: not ``{"task_id": non-empty str, "submitted": finite number}``. A time in the future
    is not damage: the wall clock was stepped back since (NTP, a resumed VM, a dual boot), so
    the entry counts as new (its task is tried, at worst one free poll).
    """
    if not isinstance(entry, dict):
        return None
    task_id, submitted = entry.get("task_id"), entry.get("submitted")
    if not isinstance(task_id, str) or not task_id.strip():
        return None
    if isinstance(submitted, bool) or not isinstance(submitted, (int, float)) or not math.isfinite(submitted):
        return None
    return max(0.0, now - submitted)


class _FileLock:
    """An exclusive lock on a file, per open file (so threads of one process exclude each other too).

    ``flock`` on POSIX, ``msvcrt.locking`` on Windows; the OS drops it when its process dies. The
    holder removes the file on release; a waiter that then gets a lock on the removed file
    notices (the path is gone or is another file) and tries again on the new one.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = path
        self._fd: int | None = None
        self.held = False

    def __enter__(self) -> _FileLock:
        return self

    def acquire(self) -> bool:
        """Try once, without waiting: ``True`` when this process now holds the lock."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":
                msvcrt.locking(self._fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        if os.name != "nt" and not _same_file(self._fd, self.path):  # released and removed meanwhile
            os.close(self._fd)
            self._fd = None
            return False
        self.held = True
        return True

    def __exit__(self, *exc_info: object) -> None:
        if self._fd is None:
            return
        if self.held and os.name != "nt":
            with contextlib.suppress(OSError):
                self.path.unlink()  # still locked: a waiter on this file will see it is gone
        with contextlib.suppress(OSError):
            if self.held and os.name == "nt":
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
            os.close(self._fd)  # closing drops a flock
        if self.held and os.name == "nt":
            with contextlib.suppress(OSError):  # refused while another run has it open: it stays
                self.path.unlink()
        self._fd, self.held = None, False


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False
