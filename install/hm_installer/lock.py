"""One installer at a time per profile: a second one waits until the first has finished.

Two installers at once would each move the other's half-built copy away. The lock is the
operating system's on the profile folder itself (``flock`` on POSIX), so no file is left behind and
a killed installer's lock goes with it. Windows has no lock on a folder; there a lock file in the
profile is used and left in place (a killed run leaves it unlocked).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".halloween-mask-install.lock"  # Windows only


@contextlib.contextmanager
def one_at_a_time(profile: Path) -> Iterator[None]:
    """Hold the profile's installer lock while inside (waiting for another installer to finish)."""
    if os.name == "nt":
        import msvcrt

        fd = os.open(profile / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:  # wait as long as the other installer runs, as flock does
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # tries for about 10 s, then OSError
                    break
                except OSError:
                    continue
            yield
        finally:
            os.close(fd)
        return
    import fcntl

    fd = os.open(profile, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # drops the lock
