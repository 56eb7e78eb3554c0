"""The ``halloween-mask`` command line (Pillow and tqdm; not part of what goes into GIMP).

``main(argv)`` runs it and returns the exit status; ``python -m halloween_mask_cli ...`` does the same.
"""

from .cli import DEFAULT_JOBS, main

__all__ = ["DEFAULT_JOBS", "main"]
