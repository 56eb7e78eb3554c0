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
from collections.abc import Callable, Iterable
from pathlib import Path

from hm_installer.bundle import build_bundle
from hm_installer.extension import metainfo_xml
from hm_installer.layout import CLIENT_SOURCE, EXTENSION_ID, PLUGIN_NAME, PLUGIN_SOURCE

# Every zip entry gets this timestamp (zip's earliest), so the same inputs give the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3  # ZipInfo.create_system: the external attributes hold Unix modes, which unzip applies
XL_FIELD = 0x6C78  # libarchive's "xl" extra field: bitmap, version made by, internal and external attributes
SUMS_FILE = "SHA256SUMS"
Entry = tuple[str, bytes, bool]  # name in the archive, bytes, executable


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


def _write_archive(target: Path, entries: Iterable[Entry]) -> Path:
    """Write (name, bytes, executable) entries, sorted by name, to ``target`` (replaced whole at the end)."""
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data, executable in sorted(entries):
            archive.writestr(zip_entry(name, executable), data, compresslevel=9)
    partial.replace(target)
    return target


def _bundle_entries(staging: Path, prefix: str) -> list[Entry]:
    """The staged plug-in folder as archive entries under ``prefix``; only the plug-in script is executable."""
    files = (p for p in staging.rglob("*") if p.is_file())
    main = f"{PLUGIN_NAME}.py"
    return [
        (f"{prefix}{p.relative_to(staging).as_posix()}", p.read_bytes(), p.name == main and p.parent == staging)
        for p in files
    ]


def _write_bundle_archive(
    out_dir: Path, suffix: str, prefix: str, extra: Callable[[str], list[Entry]], sources: tuple[Path, Path]
) -> Path:
    """Build the plug-in folder, then write it under ``prefix`` (plus ``extra(version)``) as
    ``out_dir/halloween-mask-<version><suffix>``."""
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-release-") as tmp:
        staging = Path(tmp) / PLUGIN_NAME
        version = build_bundle(staging, *sources)["version"]
        out_dir.mkdir(parents=True, exist_ok=True)
        entries = _bundle_entries(staging, prefix) + extra(version)
        return _write_archive(out_dir / f"{PLUGIN_NAME}-{version}{suffix}", entries)


def write_zip(out_dir: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Write ``out_dir/halloween-mask-<version>-gimp3.zip``: the installed folder under ``halloween-mask/``."""
    return _write_bundle_archive(out_dir, "-gimp3.zip", f"{PLUGIN_NAME}/", lambda _: [], (plugin_source, client_source))


def write_gex(out_dir: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Write ``out_dir/halloween-mask-<version>.gex``: ``<id>/<id>.metainfo.xml`` and ``<id>/halloween-mask/``."""

    def metainfo(version: str) -> list[Entry]:
        return [(f"{EXTENSION_ID}/{EXTENSION_ID}.metainfo.xml", metainfo_xml(version).encode("utf-8"), False)]

    prefix = f"{EXTENSION_ID}/{PLUGIN_NAME}/"
    return _write_bundle_archive(out_dir, ".gex", prefix, metainfo, (plugin_source, client_source))


def write_release(out_dir: Path) -> list[Path]:
    """The zip, the ``.gex`` and ``SHA256SUMS`` (``sha256sum -c`` reads it) in ``out_dir``."""
    files = [write_zip(out_dir), write_gex(out_dir)]
    sums = "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files)
    (out_dir / SUMS_FILE).write_text(sums, encoding="utf-8")
    return [*files, out_dir / SUMS_FILE]
