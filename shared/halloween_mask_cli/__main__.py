"""``python -m halloween_mask_cli ...``: the ``halloween-mask`` command."""

import sys

from halloween_mask_cli import main

sys.exit(main())
