"""The command line's own errors, in the one tree of ``halloween_mask.errors``."""

from __future__ import annotations

from halloween_mask.errors import PlainError


class UsageError(PlainError):
    """The command line asks for something impossible (a missing file, -o that cannot work ...): exit 2."""

    caller_fault = True


class OutputError(PlainError):
    """A result could not be saved; str() names the file and the reason."""
