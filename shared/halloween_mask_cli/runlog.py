"""A command-line run in the user's log (``halloween_mask.logbook``): its command, what it said, how it ended."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from halloween_mask import logbook

NAME = "halloween_mask_cli"


def begin(argv: Sequence[str] | None) -> None:
    """Open the log for this run (after the terminal's own logging is set up)."""
    logbook.start("command line", list(sys.argv[1:] if argv is None else argv))


def said(text: str) -> None:
    """A line the person at the terminal was shown, in the log too."""
    logbook.write(logging.INFO, f"said: {text}", NAME)  # the file only: the terminal has it already


def end(status: int, error: BaseException | None = None) -> None:
    """The error that ended the run (with the service's ids, which its text carries), then the exit status;
    in the file only, as the terminal was told already."""
    if isinstance(error, KeyboardInterrupt):
        logbook.write(logging.WARNING, "interrupted", NAME)
    elif error is not None:
        logbook.write(logging.ERROR, f"{type(error).__name__}: {error}", NAME)
    logbook.stop(f"exit {status}")
