"""The command line's errors, in the one tree of ``halloween_mask.errors``."""

from __future__ import annotations

from halloween_mask.errors import PlainError, UsageError

__all__ = ["InputError", "OutputError", "UsageError"]


class InputError(PlainError):
    """One input file cannot be read: its job fails, the others go on; str() says why."""


class OutputError(PlainError):
    """A result could not be saved; str() names the file and the reason."""
