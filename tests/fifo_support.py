"""A FIFO where a file is expected: what a reader returns, without ever waiting for a writer."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def read_beside_a_fifo(path: Path, read: Callable[[], T], timeout: float = 10.0) -> T:
    """Make ``path`` a FIFO with no writer and return ``read()``; fails the test if ``read`` waits on it."""
    os.mkfifo(path, 0o600)
    outcome: list[T] = []
    reader = threading.Thread(target=lambda: outcome.append(read()), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():  # blocked in open(): unblock it with a writer, then fail
        with open(path, "w") as writer:
            writer.write("{}")
        reader.join(5)
        pytest.fail(f"reading {path.name} waited on the FIFO")
    return outcome[0]
