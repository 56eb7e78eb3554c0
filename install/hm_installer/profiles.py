"""Where GIMP 3 keeps its profiles and where GIMP 3 is installed, on each platform and channel."""

from __future__ import annotations

import os
import plistlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hm_installer.layout import EXTENSION_ID, PLUGIN_NAME, PROFILE_VERSION

# gimp-3.2, gimp-console-3.0, gimp-console-3.2.exe: GIMP 3 binaries carry their series.
GIMP_BINARY = re.compile(r"gimp(-console)?-(3\.\d+)(\.exe)?", re.IGNORECASE)
FLATPAK_ID = "org.gimp.GIMP"
STORE = "Microsoft Store"
STORE_PACKAGES = "GIMP*"  # %LOCALAPPDATA%\Packages\GIMP.GIMP_<publisher id>
SANDBOXED = ("Flatpak", "Snap", STORE)  # their GIMP runs only inside its sandbox or package


@dataclass(frozen=True)
class Machine:
    """Where to look: platform, environment, home folder and file-system root (tests fake them)."""

    platform: str
    env: Mapping[str, str]
    home: Path
    root: Path = Path("/")

    @classmethod
    def this(cls) -> Machine:
        return cls(sys.platform, os.environ, Path.home(), Path(Path.home().anchor))


@dataclass(frozen=True)
class Profile:
    """A GIMP 3 profile directory and where it comes from (native, Flatpak, Snap...)."""

    path: Path
    kind: str

    @property
    def plugin_dir(self) -> Path:
        """Where the installer and the zip put the plug-in."""
        return self.path / "plug-ins" / PLUGIN_NAME

    @property
    def extension_dir(self) -> Path:
        """Where GIMP unpacks the plug-in from the ``.gex``."""
        return self.path / "extensions" / EXTENSION_ID / PLUGIN_NAME

    @property
    def version(self) -> str | None:
        """The GIMP series the profile belongs to: its folder name (``3.0``, ``3.2``)."""
        return self.path.name if PROFILE_VERSION.match(self.path.name) else None

    def label(self) -> str:
        return f"GIMP {self.version or '3'} profile ({self.kind}): {self.path}"


@dataclass(frozen=True)
class InstalledGimp:
    """A GIMP 3.x found on this machine: its series, packaging kind and executable."""

    version: str
    kind: str
    executable: Path

    @property
    def is_console(self) -> bool:
        return "console" in self.executable.name.lower()


def config_roots(machine: Machine) -> list[tuple[str, Path]]:
    """The ``.../GIMP`` folders that hold versioned profiles on this platform, native first."""
    env, home = machine.env, machine.home
    if machine.platform.startswith("win"):
        appdata = env.get("APPDATA") or str(home / "AppData" / "Roaming")
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        # The Microsoft Store build keeps its profile in its package's redirected AppData.
        store = sorted((local / "Packages").glob(STORE_PACKAGES))
        return [("Windows", Path(appdata) / "GIMP")] + [(STORE, p / "LocalCache" / "Roaming" / "GIMP") for p in store]
    if machine.platform == "darwin":
        return [("macOS", home / "Library" / "Application Support" / "GIMP")]
    xdg = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    roots = [("Linux", Path(xdg) / "GIMP")]
    if Path(xdg) != home / ".config":
        roots.append(("Linux", home / ".config" / "GIMP"))
    roots.append(("Flatpak", home / ".var" / "app" / FLATPAK_ID / "config" / "GIMP"))
    # The snap sets XDG_CONFIG_HOME to $SNAP_USER_DATA/.config; some builds use $SNAP_USER_DATA.
    roots.append(("Snap", home / "snap" / "gimp" / "current" / ".config" / "GIMP"))
    roots.append(("Snap", home / "snap" / "gimp" / "current" / "GIMP"))
    return roots


def version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


def find_profiles(machine: Machine) -> list[Profile]:
    """Every existing GIMP 3.x profile (3.0, 3.2 and later) of this user."""
    found: list[Profile] = []
    for kind, root in config_roots(machine):
        if not root.is_dir():
            continue
        versions = [p for p in root.iterdir() if p.is_dir() and PROFILE_VERSION.match(p.name)]
        for path in sorted(versions, key=lambda p: version_key(p.name)):
            if all(path.resolve() != known.path.resolve() for known in found):
                found.append(Profile(path, kind))
    return found


def _gimps_in(directory: Path, kind: str) -> list[InstalledGimp]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    matches = ((GIMP_BINARY.fullmatch(name), name) for name in names)
    return [InstalledGimp(match.group(2), kind, directory / name) for match, name in matches if match]


def _mac_app_gimps(app: Path) -> list[InstalledGimp]:
    """GIMP.app: its versioned binaries, else its Info.plist version and main binary."""
    found = _gimps_in(app / "Contents" / "MacOS", "macOS")
    try:
        with (app / "Contents" / "Info.plist").open("rb") as handle:
            short = str(plistlib.load(handle).get("CFBundleShortVersionString", ""))
    except (OSError, plistlib.InvalidFileException):
        short = ""
    series = ".".join(short.split(".")[:2])
    if not found and PROFILE_VERSION.match(series):
        found.append(InstalledGimp(series, "macOS", app / "Contents" / "MacOS" / "gimp"))
    return found


def installed_gimps(machine: Machine) -> list[InstalledGimp]:
    """Every GIMP 3.x installed: binaries on PATH and in the usual places of each platform.

    Windows: ``GIMP 3*`` under Program Files and the user's Programs folder; macOS: ``GIMP*.app``
    in the Applications folders; Linux: the Flatpak (user and system installs) and the Snap.
    """
    native = config_roots(machine)[0][0]
    found: list[InstalledGimp] = []
    for directory in machine.env.get("PATH", "").split(os.pathsep):
        if directory:
            found += _gimps_in(Path(directory), native)
    if machine.platform.startswith("win"):
        bases = [machine.env.get("PROGRAMFILES") or str(machine.root / "Program Files")]
        if machine.env.get("LOCALAPPDATA"):
            bases.append(str(Path(machine.env["LOCALAPPDATA"]) / "Programs"))
        for base in bases:
            for app in sorted(Path(base).glob("GIMP 3*")):
                found += _gimps_in(app / "bin", "Windows")
    elif machine.platform == "darwin":
        for folder in (machine.root / "Applications", machine.home / "Applications"):
            for app in sorted(folder.glob("GIMP*.app")):
                found += _mac_app_gimps(app)
    else:
        for base in (machine.home / ".local" / "share" / "flatpak", machine.root / "var" / "lib" / "flatpak"):
            for bin_dir in sorted((base / "app" / FLATPAK_ID).glob("*/*/active/files/bin")):
                found += _gimps_in(bin_dir, "Flatpak")
        found += _gimps_in(machine.root / "snap" / "gimp" / "current" / "usr" / "bin", "Snap")
    return found


def profile_of(gimp: InstalledGimp, machine: Machine) -> Profile:
    """The profile this GIMP uses (it creates it on its first start)."""
    root = next(path for kind, path in config_roots(machine) if kind == gimp.kind)
    return Profile(root / gimp.version, gimp.kind)


def unstarted_profiles(machine: Machine, gimps: Sequence[InstalledGimp], known: Sequence[Profile]) -> list[Profile]:
    """The profiles of installed GIMPs that were never started (no folder yet), not in ``known``.

    They are left alone: GIMP sets up its profile, bringing over an older version's settings and
    plug-ins, only when that folder does not exist yet (app.c, gimp-user-install.c), so creating
    it first would cost the user that migration.
    """
    found: list[Profile] = []
    for gimp in gimps:
        profile = profile_of(gimp, machine)
        if not profile.path.exists() and all(profile.path != p.path for p in (*known, *found)):
            found.append(profile)
    return found
