"""Which copy of the plug-in a profile's GIMP runs: the installer's in ``plug-ins/`` or the ``.gex`` extension's.

Measured in GIMP 3.0.4 and 3.2.6 (tests/gimp/test_extension.py): a switched-on extension wins
and GIMP skips the ``plug-ins/`` copy as a duplicate; a newly opened extension is switched off,
and neither version shows the Manage Extensions dialog that would switch it on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hm_installer.layout import EXTENSION_ID, PLUGIN_NAME
from hm_installer.profiles import Profile

# GIMP 3.0.4 and 3.2.6 install a .gex switched off and show that dialog in no menu.
SWITCHED_OFF = "the extension (.gex) is switched off, and GIMP 3.0 and 3.2 offer no way to switch it on"


def extension_switched_on(profile: Path) -> bool:
    """Whether ``extensionrc`` marks the extension ``(active yes)`` (a new one is off until switched on)."""
    try:
        text = (profile / "extensionrc").read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    entry = re.search(rf'\(GimpExtension "{re.escape(EXTENSION_ID)}"\s*\(active (yes|no)\)\)', text)
    return entry is not None and entry.group(1) == "yes"


@dataclass
class Copies:
    """The copy GIMP runs (None: none), where it is relative to the profile, and notes for the person."""

    running: Path | None
    relative: str = f"plug-ins/{PLUGIN_NAME}"
    notes: list[str] = field(default_factory=list)


def copies_in(profile: Profile) -> Copies:
    """Find both copies and say which GIMP runs and what to do about the other."""
    in_plug_ins = (profile.plugin_dir / f"{PLUGIN_NAME}.py").is_file()
    extension = (profile.extension_dir / f"{PLUGIN_NAME}.py").is_file()
    remove = f"python3 install/install.py --uninstall --profile {profile.path}"
    if extension and extension_switched_on(profile.path):
        copies = Copies(profile.extension_dir, profile.extension_dir.relative_to(profile.path).as_posix())
        copies.notes.append("GIMP runs the extension (.gex), which is switched on")
        if in_plug_ins:
            copies.notes.append(f"plug-ins/ holds another copy, which GIMP skips as a duplicate; remove it: {remove}")
        return copies
    copies = Copies(profile.plugin_dir if in_plug_ins else None)
    if extension and in_plug_ins:
        copies.notes.append(f"{SWITCHED_OFF}; GIMP runs the copy in plug-ins/")
    elif extension:
        copies.notes.append(f"{SWITCHED_OFF}; install into plug-ins/ instead: python3 install/install.py")
    return copies
