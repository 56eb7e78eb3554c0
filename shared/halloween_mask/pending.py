"""Tasks paid for but not yet collected, so that running the same job again collects them.

A run that is killed (GIMP's status-bar Cancel), cancelled or out of time leaves its task
working at the service, and the service charges for it. The store remembers the task under a
fingerprint of the request (endpoint, image, style or template, aspect ratio); the next run of
the same request waits for that task instead of submitting again, and forgets it once the
result is collected. The file holds task ids and hashes only, never the key or the image.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .config import open_regular, settings_path, write_private

log = logging.getLogger(__name__)

FILE_NAME = "pending-tasks.json"
LIFETIME = 23 * 3600.0  # seconds; the service keeps a task's results for 24 h after it finishes


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

    Losing it costs at most a second payment, so file errors are logged, never raised. Safe
    for threads sharing one store; separate processes (GIMP and a shell) rarely overlap and
    at worst lose an entry.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()  # the command line's parallel jobs share one store
        self._warned = False  # damaged entries are reported once

    @classmethod
    def beside_settings(cls) -> PendingTasks:
        """The store next to the settings file (``$HALLOWEEN_MASK_SETTINGS`` or the config folder)."""
        return cls(settings_path().with_name(FILE_NAME))

    def __repr__(self) -> str:
        return f"PendingTasks({str(self.path)!r})"

    def find(self, key: str) -> str | None:
        """The task id remembered for ``key``, if it is recent enough to still hold a result."""
        entry = self._read().get(key)
        return entry["task_id"] if entry else None

    def remember(self, key: str, task_id: str) -> None:
        with self._lock:
            entries = self._read()
            entries[key] = {"task_id": task_id, "submitted": self.clock()}
            self._write(entries)

    def forget(self, key: str) -> None:
        with self._lock:
            entries = self._read()
            if entries.pop(key, None) is not None:
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
        try:
            write_private(self.path, json.dumps(entries, indent=2) + "\n")
        except OSError as exc:
            log.warning("cannot record pending tasks in %s (%s)", self.path, exc.strerror or type(exc).__name__)


def _age(entry: object, now: float) -> float | None:
    """Seconds since the entry's task was submitted; ``None`` if the entry is damaged.

    Damaged: not ``{"task_id": non-empty str, "submitted": finite number}``, or submitted in the
    future (a time no run of this store wrote).
    """
    if not isinstance(entry, dict):
        return None
    task_id, submitted = entry.get("task_id"), entry.get("submitted")
    if not isinstance(task_id, str) or not task_id.strip():
        return None
    if isinstance(submitted, bool) or not isinstance(submitted, (int, float)) or not math.isfinite(submitted):
        return None
    age = now - submitted
    return age if age >= 0 else None
