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
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .config import settings_path, write_private

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
        """The live entries (expired and malformed ones dropped)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the pending-task file %s (%s)", self.path, type(exc).__name__)
            return {}
        now = self.clock()
        return {
            key: entry
            for key, entry in (data.items() if isinstance(data, dict) else ())
            if isinstance(entry, dict)
            and isinstance(entry.get("task_id"), str)
            and isinstance(entry.get("submitted"), (int, float))
            and 0 <= now - entry["submitted"] < LIFETIME
        }

    def _write(self, entries: dict[str, dict]) -> None:
        try:
            write_private(self.path, json.dumps(entries, indent=2) + "\n")
        except OSError as exc:
            log.warning("cannot record pending tasks in %s (%s)", self.path, exc.strerror or type(exc).__name__)
