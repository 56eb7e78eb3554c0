"""Each run of the plug-in in the user's log (``halloween_mask.logbook``): GIMP's versions, the outcome, the time."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import Any

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp  # noqa: E402
from halloween_mask import logbook  # noqa: E402


def gimp_line() -> str:
    """``GIMP 3.0.4, Python 3.13.5, PyGObject 3.50.0``."""
    return f"GIMP {Gimp.version()}, Python {sys.version.split()[0]}, PyGObject {gi.__version__}"


def logged(run: Callable[..., Gimp.ValueArray]) -> Callable[..., Gimp.ValueArray]:
    """Wrap a run function ``(procedure, run_mode, ...)``: open the log, then write the status and time it took."""

    @functools.wraps(run)
    def wrapper(procedure: Gimp.Procedure, run_mode: Gimp.RunMode, *args: Any, **kwargs: Any) -> Gimp.ValueArray:
        logbook.start(f"GIMP {procedure.get_name()} ({run_mode.value_nick})", extra=gimp_line())
        began = time.monotonic()
        outcome = "ended by an exception"
        try:
            values = run(procedure, run_mode, *args, **kwargs)
            outcome = _outcome(values)
            return values
        finally:
            logbook.stop(f"{outcome} after {time.monotonic() - began:.1f} s")

    return wrapper


def _outcome(values: Gimp.ValueArray) -> str:
    try:
        status = values.index(0)
        nick = status.value_nick if hasattr(status, "value_nick") else str(status)
        if status != Gimp.PDBStatusType.SUCCESS and values.length() > 1:
            return f"{nick}: {values.index(1)}"
        return nick
    except Exception as exc:  # the log must never break a run
        return f"status unknown ({type(exc).__name__})"
