"""The plug-in folder: the plug-in, the client package, the locked libraries and the translations."""

from __future__ import annotations

import json
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from hm_installer.catalogs import compile_catalogs
from hm_installer.errors import InstallError
from hm_installer.layout import (
    CLIENT_SOURCE,
    LICENSE_FILE,
    LOCALE_DIR,
    MANIFEST,
    PLUGIN_NAME,
    PLUGIN_SOURCE,
    PO_SOURCE,
    SHEBANG,
    VENDOR_DIR,
    VERSIONS_FILE,
)
from hm_installer.wheels import extract_locked


def check_plugin_source(source: Path) -> Path:
    """The plug-in's main file, after checking the layout GIMP insists on."""
    main = source / f"{source.name}.py"
    if not main.is_file():
        raise InstallError(f"plug-in file missing: {main} (the folder name must equal the file's base name)")
    with main.open("r", encoding="utf-8") as handle:
        first_line = handle.readline().rstrip("\r\n")
    if first_line != SHEBANG:
        raise InstallError(f"{main} must start with the line {SHEBANG!r}, not {first_line!r}")
    return main


def keep(path: Path) -> bool:
    """Whether a file of the plug-in or client source belongs in the bundle (no caches)."""
    return "__pycache__" not in path.parts and not path.name.endswith((".pyc", ".pyo"))


def _copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def _copy_tree(src: Path, dst: Path) -> list[Path]:
    copied = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and keep(rel):
            _copy_file(path, dst / rel)
            copied.append(dst / rel)
    return copied


def bundle_client(vendor: Path, source: Path = CLIENT_SOURCE) -> list[Path]:
    """Copy the whole client package (standard library + requests only) into ``vendor/halloween_mask``."""
    if not (source / "__init__.py").is_file():
        raise InstallError(f"the client package is missing: {source}")
    return _copy_tree(source, vendor / source.name)


def client_version(client_source: Path = CLIENT_SOURCE) -> str:
    """The release version, ``__version__`` of the client package (read, not imported)."""
    text = (client_source / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__ = [\"']([^\"']+)[\"']", text, re.MULTILINE)
    if match is None:
        raise InstallError(f"no __version__ in {client_source / '__init__.py'}")
    return match.group(1)


def versions_text(manifest: dict) -> str:
    """The bundle's ``VERSIONS.txt``: what is inside, for a person reading the folder."""
    lines = [f"AI Halloween Mask {manifest['version']} for GIMP 3.0 and later", "", "Bundled:"]
    lines += [f"  {name} {version}" for name, version in manifest["dependencies"].items()]
    lines += ["", "The plug-in runs on GIMP's own Python; their licences are in vendor/licenses/."]
    return "\n".join(lines) + "\n"


def build_bundle(staging: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> dict:
    """Assemble the complete plug-in folder in ``staging``; returns its manifest."""
    check_plugin_source(plugin_source)
    version = client_version(client_source)
    _copy_tree(plugin_source, staging)
    main = staging / f"{PLUGIN_NAME}.py"
    main.chmod(main.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    _copy_file(LICENSE_FILE, staging / LICENSE_FILE.name)
    vendor = staging / VENDOR_DIR
    bundle_client(vendor, client_source)
    versions = extract_locked(vendor)
    compile_catalogs(PO_SOURCE, staging / LOCALE_DIR)
    manifest = {
        "plugin": PLUGIN_NAME,
        "version": version,
        "dependencies": versions,
    }
    (staging / VERSIONS_FILE).write_text(versions_text(manifest), encoding="utf-8")
    manifest["files"] = sorted(  # what is ours: an uninstall names anything else it removes
        [p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()] + [MANIFEST]
    )
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def install_into(
    profile: Path,
    plugin_source: Path = PLUGIN_SOURCE,
    client_source: Path = CLIENT_SOURCE,
    on_removed: Callable[[list[str]], object] | None = None,
) -> Path:
    """Replace ``<profile>/plug-ins/halloween-mask`` with a fresh bundle; returns that folder.

    ``on_removed`` hears the files of the old copy that are not part of the new one (the user's
    own, or an older version's), before they go.
    """
    plug_ins = profile / "plug-ins"
    if plug_ins.exists() and not plug_ins.is_dir():
        raise InstallError(
            f"{plug_ins} is a file, not a folder: GIMP looks for plug-ins in a folder there; move it away"
        )
    plug_ins.mkdir(parents=True, exist_ok=True)
    target = plug_ins / PLUGIN_NAME
    staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-new-", dir=plug_ins))
    try:
        build_bundle(staging, plugin_source, client_source)
        staging.chmod(0o755)
        extra = not_in_bundle(target, staging)
        if extra and on_removed is not None:
            on_removed(extra)
        old = plug_ins / f".{PLUGIN_NAME}-old"
        _remove(old)
        if target.exists() or target.is_symlink():
            target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            if old.exists() or old.is_symlink():
                old.rename(target)  # the copy GIMP had stays in place
            raise
        _remove(old)
    finally:
        _remove(staging)
    return target


def files_of(folder: Path) -> list[str]:
    """The files under ``folder`` (relative, ``/``-separated, sorted); Python's caches do not count."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.relative_to(folder).parts and path.suffix != ".pyc"
    )


def not_in_bundle(old: Path, new: Path) -> list[str]:
    """Files of ``old`` that ``new`` has not."""
    return [name for name in files_of(old) if not (new / name).exists()]


def not_in_manifest(plugin_dir: Path) -> list[str]:
    """Files of an installed copy its manifest does not list (``[]`` for copies whose manifest lists none)."""
    try:
        listed = json.loads((plugin_dir / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    ours = set(listed) if isinstance(listed, list) else set()
    return [name for name in files_of(plugin_dir) if ours and name not in ours]


def uninstall_from(profile: Path, on_removed: Callable[[list[str]], object] | None = None) -> bool:
    """Remove the plug-in folder from a profile; True when there was one.

    ``on_removed`` hears the files in it that are not the plug-in's (by its manifest) before they go.
    """
    target = profile / "plug-ins" / PLUGIN_NAME
    existed = target.exists() or target.is_symlink()
    extra = not_in_manifest(target) if existed else []
    if extra and on_removed is not None:
        on_removed(extra)
    _remove(target)
    return existed
