"""The ``halloween-mask`` command line (Pillow and tqdm; not part of what goes into GIMP).

``main(argv)`` runs it and returns the exit status; ``python -m halloween_mask_cli ...`` does the same.
"""

from .apply import DEFAULT_JOBS
from .cli import exit_status, main
from .errors import OutputError, UsageError

__all__ = ["DEFAULT_JOBS", "OutputError", "UsageError", "exit_status", "main"]
