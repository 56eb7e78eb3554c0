"""Clocks, deadlines and cancellation: every wait in the client goes through here.

Waiting is done on an event (``CancelToken``), never ``time.sleep``, so a cancel stops it at once;
the clock is injectable so schedules and deadlines can be tested without real waiting.
"""

from __future__ import annotations

import threading
import time

from .errors import InvalidArgumentError


class CancelToken:
    """Set from any thread (a GUI cancel button) to stop a wait promptly."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` as soon as cancelled."""
        return self._event.wait(min(max(0.0, seconds), threading.TIMEOUT_MAX))  # 1e10 s would overflow


class Clock:
    """Real time: ``time.monotonic`` and an interruptible sleep."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: CancelToken) -> bool:
        """Sleep up to ``seconds``; ``True`` if cancelled meanwhile."""
        return cancel.wait(seconds)


class Deadline:
    """A point in a clock's time after which work must stop."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        if seconds <= 0:
            raise InvalidArgumentError(f"a deadline must be a positive number of seconds, not {seconds!r}")
        self.clock = clock
        self.seconds = seconds
        self.start = clock.now()

    @property
    def elapsed(self) -> float:
        return self.clock.now() - self.start

    @property
    def remaining(self) -> float:
        return self.seconds - self.elapsed

    @property
    def expired(self) -> bool:
        return self.remaining <= 0
