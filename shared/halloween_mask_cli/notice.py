"""The upload notice on the command line: one line, printed once, before the first photo is sent."""

from __future__ import annotations

import argparse

from halloween_mask import notice

from .session import say


def tell_once(args: argparse.Namespace) -> None:
    """Before a run that uploads photos to the service (``apply``, not ``--offline``), the first time only."""
    if getattr(args, "inputs", None) and not getattr(args, "offline", False) and not notice.seen():
        say(notice.one_line())
        notice.remember()
