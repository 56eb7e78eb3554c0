"""Scratch files a run leaves in a temp directory, and the sweep that removes a killed run's.

GIMP's status-bar Cancel kills the plug-in process, so no ``finally`` runs; each file carries
its owner's process id in its name, and the next run removes files whose owner is gone. The
hidden ``.halloween-mask-<pid>-<n>.part`` files of a whole-or-nothing write (``config.replace_whole``)
beside an output or settings file follow the same rule.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

PREFIX = "halloween-mask-"
MAX_AGE = 24 * 3600.0  # seconds; the fallback where process liveness cannot be checked
_NAME = re.compile(rf"^\.?{re.escape(PREFIX)}(\d+)-\d+\.\w+$")
_counter = itertools.count(1)


def scratch_path(directory: str | os.PathLike[str], extension: str, *, hidden: bool = False) -> Path:
    """A fresh name for this process in ``directory``: ``halloween-mask-<pid>-<n>.<ext>`` (``hidden``: a dot first)."""
    return Path(directory) / f"{'.' if hidden else ''}{PREFIX}{os.getpid()}-{next(_counter)}.{extension}"


def process_alive(pid: int) -> bool | None:
    """Whether ``pid`` runs; ``None`` where that cannot be asked safely (Windows)."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_files(
    directory: str | os.PathLike[str],
    alive: Callable[[int], bool | None] = process_alive,
    now: float | None = None,
    max_age: float = MAX_AGE,
) -> list[Path]:
    """Our scratch files in ``directory`` left by processes that are gone (or older than ``max_age``)."""
    now = time.time() if now is None else now
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return []
    stale = []
    for path in entries:
        match = _NAME.match(path.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        running = alive(int(match.group(1)))
        if running is False:
            stale.append(path)
        elif running is None:
            try:
                if now - path.stat().st_mtime > max_age:
                    stale.append(path)
            except OSError:
                continue
    return sorted(stale)


def remove(*paths: str | os.PathLike[str] | None) -> None:
    """Delete files, ignoring those already gone."""
    for path in paths:
        if path is None:
            continue
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a locked file (Windows) is swept on a later run


def sweep(directory: str | os.PathLike[str]) -> int:
    """Remove stale scratch files from ``directory``; returns how many went."""
    stale = stale_files(directory)
    remove(*stale)
    return len(stale)
