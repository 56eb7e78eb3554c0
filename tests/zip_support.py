"""Extract a release zip the way ``unzip`` and the desktop archivers do: paths, then Unix modes."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path


def extract(archive: Path, into: Path) -> list[Path]:
    """Extract ``archive`` into ``into`` applying each entry's Unix mode; returns the files.

    ``zipfile.extractall`` alone drops the modes (GIMP on Linux and macOS would then skip the
    plug-in, which must be executable), so they are applied from ``external_attr`` as unzip does.
    """
    extracted = []
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = Path(zipped.extract(info, into))
            mode = stat.S_IMODE(info.external_attr >> 16)
            if mode and not info.is_dir():
                path.chmod(mode)
                extracted.append(path)
    return extracted
