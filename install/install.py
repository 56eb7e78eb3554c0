#!/usr/bin/env python3
"""Install the AI Halloween Mask plug-in into every GIMP 3 profile found (standard library only).

    python3 install/install.py                  # every GIMP 3 profile (a GIMP never started is named, not touched)
    python3 install/install.py --profile DIR    # one given profile directory
    python3 install/install.py --uninstall
    python3 install/install.py --check          # each profile: current/outdated/missing, then in GIMP's own Python
    python3 install/install.py --zip OUT_DIR    # the same folder as a release zip, to extract by hand

The plug-in folder, the client package ``halloween_mask`` and the libraries it needs (requests,
urllib3, idna, certifi, charset_normalizer: the exact wheels of ``install/bundle.lock``, fetched
once with pip into a cache and checked) go into ``<profile>/plug-ins/halloween-mask/``, the
client and the libraries under ``vendor/``, which the plug-in puts on ``sys.path``. ``--zip``
writes that same folder as ``halloween-mask-<version>-gimp3.zip`` (the same bytes on any
machine), whose extraction into a GIMP 3 plug-ins folder is the whole install.
The parts live in ``install/hm_installer/``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hm_installer.cli import main

if __name__ == "__main__":
    sys.exit(main())
