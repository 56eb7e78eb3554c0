"""What the plug-in writes outside GIMP's image: one line in GIMP's log, and timings for the benchmark."""

from __future__ import annotations

import logging
import sys

from halloween_mask import logbook

LOG_PREFIX = "[halloween-mask]"
TIMINGS_ENV = "HALLOWEEN_MASK_TIMINGS"  # a file to append one JSON line of timings per run (benchmark)


def log(message: str) -> None:
    """One line in GIMP's log (the plug-in's stderr)."""
    sys.stderr.write(f"{LOG_PREFIX} {message}\n")
    sys.stderr.flush()
    logbook.write(logging.INFO, message, "halloween_mask_gimp")  # and the user's log file, when a run has it open
