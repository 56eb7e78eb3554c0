"""What the plug-in folder is called and holds, and where its sources are in the repository."""

from __future__ import annotations

import re
from pathlib import Path

PLUGIN_NAME = "halloween-mask"
EXTENSION_ID = "io.github.halloween_mask.gimp"  # the .gex: reverse-DNS, also the folder GIMP unpacks it into
PROCEDURE_NAME = "python-fu-halloween-mask"
MENU_PATH = "Filters \u25b8 AI \u25b8 Halloween Mask\u2026"
SHEBANG = "#!/usr/bin/env python3"
VENDOR_DIR = "vendor"
MANIFEST = "INSTALLED.json"
VERSIONS_FILE = "VERSIONS.txt"

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = REPO / "gimp_plugin" / PLUGIN_NAME
CLIENT_SOURCE = REPO / "shared" / "halloween_mask"
PO_SOURCE = REPO / "po"  # <lang>.po translations, compiled to locale/<lang>/LC_MESSAGES/<domain>.mo
LOCALE_DIR = "locale"
CHANGELOG = REPO / "CHANGELOG.md"  # what users get in each version, with its date
LICENSE_FILE = REPO / "LICENSE"  # the GPL text, shipped beside the plug-in
GETTEXT_DOMAIN = "halloween-mask"  # halloween_mask.i18n.DOMAIN
PROFILE_VERSION = re.compile(r"^3\.\d+$")  # a GIMP 3 profile folder: 3.0, 3.2 ...
