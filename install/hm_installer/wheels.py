"""The libraries bundled into the plug-in, from the lock ``install/bundle.lock``, never from site-packages.

The lock names one pure-Python wheel per library (exact version and SHA-256). The wheels are
fetched once with ``pip download`` into a cache folder and checked against the lock there; the
bundle then takes only each library's runtime files and its licences from them, so the same
commit gives the same bundle on any machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hm_installer.errors import InstallError
from hm_installer.lock import one_at_a_time

INSTALL_DIR = Path(__file__).resolve().parent.parent
LOCK_FILE = INSTALL_DIR / "bundle.lock"
CACHE_ENV = "HALLOWEEN_MASK_WHEELS"  # overrides where the locked wheels are kept
PURE_TAG = "-py3-none-any.whl"
# Inside a library's folder: never bundled (not needed at run time).
SKIPPED_PARTS = frozenset({"__pycache__", "tests", "test"})
SKIPPED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".pyc", ".pyo", ".pyi")
LICENCE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
LOCK_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s;]+)\s+--hash=sha256:(?P<sha256>[0-9a-f]{64})"
    r"\s+#\s*import:\s*(?P<import_name>[A-Za-z_][A-Za-z0-9_]*)\s*$"
)


@dataclass(frozen=True)
class LockedWheel:
    """One library of the lock: distribution name, exact version, wheel hash and import name."""

    name: str
    version: str
    sha256: str
    import_name: str

    @property
    def filename(self) -> str:
        """The pure-Python wheel's file name (PEP 427: ``-`` in the name becomes ``_``)."""
        return f"{re.sub(r'[-_.]+', '_', self.name)}-{self.version}{PURE_TAG}"


def read_lock(path: Path = LOCK_FILE) -> list[LockedWheel]:
    """The lock's entries, in the lock's order; a malformed line is an ``InstallError``."""
    wheels = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LOCK_LINE.match(line)
        if match is None:
            raise InstallError(f"{path.name} line {number} is not 'name==version --hash=sha256:HEX  # import: name'")
        wheels.append(LockedWheel(**match.groupdict()))
    if not wheels:
        raise InstallError(f"{path.name} lists no libraries")
    return wheels


def wheel_cache() -> Path:
    """Where fetched wheels are kept: $HALLOWEEN_MASK_WHEELS, else the user's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "halloween-mask" / "wheels"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, wheel: LockedWheel) -> bool:
    return path.is_file() and sha256_of(path) == wheel.sha256


def pip_download(requirements: Sequence[str], dest: Path, *, hashes: bool) -> None:
    """``pip download`` the pure-Python wheels of ``requirements`` (pip arguments) into ``dest``.

    With ``hashes`` (the lock's exact files) nothing else is fetched; without, pip resolves the
    newest versions of the requirements and what they depend on.
    """
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    command += ["--no-deps", "--require-hashes"] if hashes else []
    command += ["--only-binary=:all:", "--platform", "any", "--implementation", "py", "--abi", "none"]
    command += ["--python-version", "3.10", "--dest", str(dest)]
    command += list(requirements)
    proc = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise InstallError(
            f"could not fetch the bundled libraries from PyPI ({detail}); this needs pip and a connection "
            f"once, then the wheels are kept in {dest}"
        )


def locked_wheels(lock: Path = LOCK_FILE, cache: Path | None = None) -> list[tuple[LockedWheel, Path]]:
    """Each locked library with its wheel file, fetched into the cache if missing, every hash checked."""
    wheels = read_lock(lock)
    cache = cache or wheel_cache()
    cache.mkdir(parents=True, exist_ok=True)
    with one_at_a_time(cache):  # another installer fetching now: wait, then find its wheels complete
        missing = [wheel for wheel in wheels if not _verified(cache / wheel.filename, wheel)]
        if missing:
            for wheel in missing:
                (cache / wheel.filename).unlink(missing_ok=True)  # a damaged or partial copy
            with tempfile.TemporaryDirectory() as tmp:
                requirements = Path(tmp) / "requirements.txt"
                requirements.write_text("".join(f"{w.name}=={w.version} --hash=sha256:{w.sha256}\n" for w in missing))
                pip_download(["-r", str(requirements)], cache, hashes=True)
        for wheel in wheels:
            if not _verified(cache / wheel.filename, wheel):
                raise InstallError(f"{wheel.filename} in {cache} does not match the SHA-256 in {lock.name}")
    return [(wheel, cache / wheel.filename) for wheel in wheels]


def runtime_files(wheel: LockedWheel, archive: zipfile.ZipFile) -> dict[str, bytes]:
    """{path in the bundle: bytes}: the library's own files and its licences under ``licenses/<name>/``."""
    files = {}
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or not path.parts:
            continue
        top = path.parts[0]
        if top == wheel.import_name:
            if SKIPPED_PARTS.isdisjoint(path.parts) and not path.name.endswith(SKIPPED_SUFFIXES):
                files[path.as_posix()] = archive.read(info)
        elif top.endswith(".dist-info") and LICENCE_NAME.search(path.name):
            files[f"licenses/{wheel.name}/{path.name}"] = archive.read(info)
    if f"{wheel.import_name}/__init__.py" not in files:
        raise InstallError(f"{wheel.filename} holds no package {wheel.import_name!r}")
    return files


def extract_locked(vendor: Path, lock: Path = LOCK_FILE, cache: Path | None = None) -> dict[str, str]:
    """Write every locked library's runtime files and licences into ``vendor``; returns {name: version}."""
    versions = {}
    for wheel, path in locked_wheels(lock, cache):
        with zipfile.ZipFile(path) as archive:
            for name, data in runtime_files(wheel, archive).items():
                target = vendor / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                target.chmod(0o644)
        versions[wheel.name] = wheel.version
    return versions
