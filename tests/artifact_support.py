"""Publish a file a test built into a shared artifacts folder, safely when test processes run at once.

Under pytest-xdist two workers (one per GIMP series) build the same release file in the same
session: each builds into a folder of its own, uses that copy, and publishes it here with an
atomic rename, so neither ever reads a half-written file or loses one it is using.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def publish(built: Path, folder: Path, pattern: str) -> Path:
    """Copy ``built`` into ``folder`` (atomically) and remove other files matching ``pattern`` there."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(pattern):
        if old.name != built.name:
            old.unlink(missing_ok=True)  # an older version's
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{built.name}.")
    os.close(fd)
    try:
        shutil.copyfile(built, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / built.name)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return folder / built.name
