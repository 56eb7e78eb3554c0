"""Release files: the zip to extract, the GIMP extension (``.gex``) and their SHA256SUMS.

Both archives have fixed times, sorted entries and Unix modes, so the same commit gives the same
bytes on any machine. Each entry carries its mode twice: in the central directory (what unzip
and the desktop archivers read) and in an ``xl`` extra field of its local header, the only place
GIMP's extension unpacker (libarchive's streaming reader) takes a mode from.
"""

from __future__ import annotations

import hashlib
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from hm_installer.bundle import build_bundle
from hm_installer.extension import metainfo_xml
from hm_installer.layout import CLIENT_SOURCE, EXTENSION_ID, PLUGIN_NAME, PLUGIN_SOURCE

# Every zip entry gets this timestamp (zip's earliest), so the same inputs give the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3  # ZipInfo.create_system: the external attributes hold Unix modes, which unzip applies
XL_FIELD = 0x6C78  # libarchive's "xl" extra field: bitmap, version made by, internal and external attributes
SUMS_FILE = "SHA256SUMS"


def unix_mode_field(mode: int) -> bytes:
    """The ``xl`` extra field that gives libarchive's streaming reader the entry's Unix mode."""
    data = struct.pack("<BHHI", 0b111, (ZIP_UNIX << 8) | 20, 0, mode << 16)
    return struct.pack("<HH", XL_FIELD, len(data)) + data


def zip_entry(name: str, executable: bool) -> zipfile.ZipInfo:
    """A zip entry with a fixed time, fixed compression and a Unix mode (0755 or 0644)."""
    mode = stat.S_IFREG | (0o755 if executable else 0o644)
    info = zipfile.ZipInfo(name, ZIP_TIMESTAMP)
    info.create_system = ZIP_UNIX
    info.external_attr = mode << 16
    info.extra = unix_mode_field(mode)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_archive(target: Path, entries: Iterable[tuple[str, bytes, bool]]) -> Path:
    """Write (name, bytes, executable) entries, sorted by name, to ``target`` (replaced whole at the end)."""
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data, executable in sorted(entries):
            archive.writestr(zip_entry(name, executable), data, compresslevel=9)
    partial.replace(target)
    return target


def _bundle_entries(staging: Path, prefix: str) -> list[tuple[str, bytes, bool]]:
    """The staged plug-in folder as archive entries under ``prefix``; only the plug-in script is executable."""
    files = (p for p in staging.rglob("*") if p.is_file())
    main = f"{PLUGIN_NAME}.py"
    return [
        (f"{prefix}{p.relative_to(staging).as_posix()}", p.read_bytes(), p.name == main and p.parent == staging)
        for p in files
    ]


def write_zip(out_dir: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Write ``out_dir/halloween-mask-<version>-gimp3.zip``: the installed folder under ``halloween-mask/``."""
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-zip-") as tmp:
        staging = Path(tmp) / PLUGIN_NAME
        manifest = build_bundle(staging, plugin_source, client_source)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{PLUGIN_NAME}-{manifest['version']}-gimp3.zip"
        return _write_archive(target, _bundle_entries(staging, f"{PLUGIN_NAME}/"))


def write_gex(out_dir: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Write ``out_dir/halloween-mask-<version>.gex``: ``<id>/<id>.metainfo.xml`` and ``<id>/halloween-mask/``."""
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-gex-") as tmp:
        staging = Path(tmp) / PLUGIN_NAME
        manifest = build_bundle(staging, plugin_source, client_source)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{PLUGIN_NAME}-{manifest['version']}.gex"
        entries = _bundle_entries(staging, f"{EXTENSION_ID}/{PLUGIN_NAME}/")
        metainfo = metainfo_xml(manifest["version"]).encode("utf-8")
        entries.append((f"{EXTENSION_ID}/{EXTENSION_ID}.metainfo.xml", metainfo, False))
        return _write_archive(target, entries)


def write_release(out_dir: Path) -> list[Path]:
    """The zip, the ``.gex`` and ``SHA256SUMS`` (``sha256sum -c`` reads it) in ``out_dir``."""
    files = [write_zip(out_dir), write_gex(out_dir)]
    sums = "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files)
    (out_dir / SUMS_FILE).write_text(sums, encoding="utf-8")
    return [*files, out_dir / SUMS_FILE]
