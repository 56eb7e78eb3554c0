"""The format version every file kept for a user carries, so a later release can read and migrate it.

JSON files hold it as ``"format": N``; a file without it was written by 0.1.0 (format 1). A file
from a newer release (a downgrade) is read where that is safe but never rewritten, and the run
goes on after a one-line notice: going back a version never destroys a user's data.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT_KEY = "format"
FIRST_FORMAT = 1  # 0.1.0 wrote no format key


def format_of(data: dict) -> int:
    """The format a JSON object was written in (``FIRST_FORMAT`` when it names none)."""
    value = data.get(FORMAT_KEY, FIRST_FORMAT)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= FIRST_FORMAT else 0


def is_newer(data: dict, current: int, path: Path) -> bool:
    """Whether ``data`` comes from a newer release than this one understands; says so once when it does."""
    found = format_of(data)
    if found <= current and found:
        return False
    log.warning(
        "%s was written by a newer version of AI Halloween Mask (format %s, this version reads %s): "
        "it is left as it is; update the plug-in to use it",
        path,
        data.get(FORMAT_KEY),
        current,
    )
    return True


def stamped(data: dict, current: int) -> dict:
    """``data`` with the current format, first, as every writer stores it."""
    return {FORMAT_KEY: current, **{key: value for key, value in data.items() if key != FORMAT_KEY}}
