"""The plug-in as a GIMP extension: its id and its AppStream metainfo (what Edit ▸ Manage Extensions shows)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from hm_installer.errors import InstallError
from hm_installer.layout import CHANGELOG, EXTENSION_ID, PLUGIN_NAME

NAME = "AI Halloween Mask"
SUMMARY = "Put a spooky Halloween mask on a portrait, as a new layer"
DESCRIPTION = (
    "Filters \u25b8 AI \u25b8 Halloween Mask\u2026 sends the selected layer to the AILabTools "
    "\u201cAI Halloween Mask\u201d service and adds the result as a new layer directly above it, in one "
    "undo step; the original pixels are never touched.",
    "Choose one of 85 styles from a gallery or your own template image, try several styles at once "
    "(Halloween Mask Variants\u2026) or mask only the part you select. Each mask costs credits of your "
    "AILabTools account; the first run asks for your API key.",
)


def release_date(version: str) -> str:
    """The date CHANGELOG.md gives the version (``## [0.2.0] - 2026-12-06``)."""
    pattern = rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$"
    heading = re.search(pattern, CHANGELOG.read_text(encoding="utf-8"), re.MULTILINE)
    if heading is None:
        raise InstallError(f"{CHANGELOG.name} has no section '## [{version}] - YYYY-MM-DD' for this version")
    return heading.group(1)


def metainfo_xml(version: str) -> str:
    """``<id>.metainfo.xml``: an ``addon`` of ``org.gimp.GIMP`` for GIMP 3.0 and later, naming the plug-in file."""
    paragraphs = "\n".join(f"    <p>{escape(text)}</p>" for text in DESCRIPTION)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<component type="addon">
  <id>{EXTENSION_ID}</id>
  <extends>org.gimp.GIMP</extends>
  <name>{escape(NAME)}</name>
  <summary>{escape(SUMMARY)}</summary>
  <description>
{paragraphs}
  </description>
  <metadata_license>CC0-1.0</metadata_license>
  <project_license>GPL-3.0-or-later</project_license>
  <releases>
    <release version="{escape(version)}" date="{release_date(version)}"/>
  </releases>
  <requires>
    <id version="3.0.0" compare="ge">org.gimp.GIMP</id>
  </requires>
  <custom>
    <value key="GIMP::plug-in-path">{PLUGIN_NAME}/{PLUGIN_NAME}.py</value>
  </custom>
</component>
"""
