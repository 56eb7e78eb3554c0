"""The release zip: the plug-in folder with fixed times, sorted entries and Unix modes (same bytes every build)."""

from __future__ import annotations

import stat
import tempfile
import zipfile
from pathlib import Path

from hm_installer.bundle import build_bundle
from hm_installer.layout import CLIENT_SOURCE, PLUGIN_NAME, PLUGIN_SOURCE

# Every zip entry gets this timestamp (zip's earliest), so the same inputs give the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3  # ZipInfo.create_system: the external attributes hold Unix modes, which unzip applies


def zip_entry(name: str, executable: bool) -> zipfile.ZipInfo:
    """A zip entry with a fixed time, fixed compression and a Unix mode (0755 or 0644)."""
    info = zipfile.ZipInfo(name, ZIP_TIMESTAMP)
    info.create_system = ZIP_UNIX
    info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(out_dir: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Write ``out_dir/halloween-mask-<version>-gimp3.zip``: the installed folder, entries sorted."""
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-zip-") as tmp:
        staging = Path(tmp) / PLUGIN_NAME
        manifest = build_bundle(staging, plugin_source, client_source)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{PLUGIN_NAME}-{manifest['version']}-gimp3.zip"
        partial = target.with_name(f".{target.name}.partial")
        files = sorted((p.relative_to(staging).as_posix(), p) for p in staging.rglob("*") if p.is_file())
        with zipfile.ZipFile(partial, "w") as archive:
            for name, path in files:
                executable = name == f"{PLUGIN_NAME}.py"  # the one file GIMP runs (Windows keeps no exec bit)
                archive.writestr(zip_entry(f"{PLUGIN_NAME}/{name}", executable), path.read_bytes(), compresslevel=9)
        partial.replace(target)
    return target
