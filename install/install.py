#!/usr/bin/env python3
"""Install the AI Halloween Mask plug-in into every GIMP 3 profile found (standard library only).

    python3 install/install.py                  # every GIMP 3 profile (a GIMP never started is named, not touched)
    python3 install/install.py --profile DIR    # one given profile directory
    python3 install/install.py --uninstall
    python3 install/install.py --check          # each profile: current/outdated/missing, then in GIMP's own Python
    python3 install/install.py --zip OUT_DIR    # the same folder as a release zip, to extract by hand

The plug-in folder, the shared client (only the modules the plug-in needs) and the pure-Python
dependencies of the client (requests, urllib3, idna, certifi, charset_normalizer), taken from
the Python running this script, are copied into ``<profile>/plug-ins/halloween-mask/``; the
dependencies and the client go under ``vendor/``, which the plug-in puts on ``sys.path``.
Nothing is downloaded and pip is never run. ``--zip`` writes that same folder as
``halloween-mask-<version>-gimp3.zip`` (reproducible bytes), whose extraction into a GIMP 3
plug-ins folder is the whole install.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import plistlib
import re
import shlex
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the installer's parts, in hm_installer/

from hm_installer.errors import InstallError
from hm_installer.wheels import extract_locked, read_lock

PLUGIN_NAME = "halloween-mask"
PROCEDURE_NAME = "python-fu-halloween-mask"
MENU_PATH = "Filters \u25b8 AI \u25b8 Halloween Mask\u2026"
SHEBANG = "#!/usr/bin/env python3"
VENDOR_DIR = "vendor"
MANIFEST = "INSTALLED.json"
VERSIONS_FILE = "VERSIONS.txt"
# Every zip entry gets this timestamp (zip's earliest), so the same inputs give the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3  # ZipInfo.create_system: the external attributes hold Unix modes, which unzip applies

REPO = Path(__file__).resolve().parent.parent
PLUGIN_SOURCE = REPO / "gimp_plugin" / PLUGIN_NAME
CLIENT_SOURCE = REPO / "shared" / "halloween_mask"
PO_SOURCE = REPO / "po"  # <lang>.po translations, compiled to locale/<lang>/LC_MESSAGES/<domain>.mo
LOCALE_DIR = "locale"
GETTEXT_DOMAIN = "halloween-mask"  # halloween_mask.i18n.DOMAIN

# The shared client modules the plug-in imports (standard library + requests only). Every
# module of the package must be in exactly one of these two lists (tests/test_installer.py).
CLIENT_MODULES = (
    "__init__",
    "errors",
    "error_codes",
    "styles",
    "imageformat",
    "config",
    "timing",
    "transport",
    "responses",
    "polling",
    "client",
    "pending",
    "preflight",
    "upload_plan",
    "placement",
    "region",
    "tempfiles",
    "previews",
    "favourites",
    "cost",
    "variants",
    "i18n",
)
# Not bundled: they need Pillow, OpenCV or Werkzeug, or are of no use inside GIMP.
EXCLUDED_MODULES = ("cli", "fitting", "__main__", "emulator")
CLIENT_DATA = ("py.typed",)
PROFILE_VERSION = re.compile(r"^3\.\d+$")
# gimp-3.2, gimp-console-3.0, gimp-console-3.2.exe: GIMP 3 binaries carry their series.
GIMP_BINARY = re.compile(r"gimp(-console)?-(3\.\d+)(\.exe)?", re.IGNORECASE)
FLATPAK_ID = "org.gimp.GIMP"
SANDBOXED = ("Flatpak", "Snap")
CHECK_MARKER = "HALLOWEEN-MASK-CHECK "
# GIMP writes UTF-8 (GLib), whatever the console's code page (cp1252 on many Windows machines);
# a byte that is not UTF-8 must not end a check with a UnicodeDecodeError.
CHILD_OUTPUT = {"text": True, "encoding": "utf-8", "errors": "replace"}
GET_GIMP = "https://www.gimp.org/downloads/"


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
        return self.path / "plug-ins" / PLUGIN_NAME

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


# --- profile discovery ----------------------------------------------------------------------


def config_roots(machine: Machine) -> list[tuple[str, Path]]:
    """The ``.../GIMP`` folders that hold versioned profiles on this platform, native first."""
    env, home = machine.env, machine.home
    if machine.platform.startswith("win"):
        appdata = env.get("APPDATA") or str(home / "AppData" / "Roaming")
        return [("Windows", Path(appdata) / "GIMP")]
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


# --- what gets copied ----------------------------------------------------------------------


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


def _keep(path: Path) -> bool:
    """Whether a file of the plug-in or client source belongs in the bundle (no caches)."""
    return "__pycache__" not in path.parts and not path.name.endswith((".pyc", ".pyo"))


def _copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def _copy_tree(src: Path, dst: Path) -> list[Path]:
    copied = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and _keep(rel):
            _copy_file(path, dst / rel)
            copied.append(dst / rel)
    return copied


def bundle_client(vendor: Path, source: Path = CLIENT_SOURCE) -> None:
    """Copy the client modules the plug-in needs into ``vendor/halloween_mask``."""
    missing = [name for name in CLIENT_MODULES if not (source / f"{name}.py").is_file()]
    if missing:
        raise InstallError(f"shared client modules missing in {source}: {', '.join(missing)}")
    for name in CLIENT_MODULES:
        _copy_file(source / f"{name}.py", vendor / "halloween_mask" / f"{name}.py")
    for name in CLIENT_DATA:
        if (source / name).is_file():
            _copy_file(source / name, vendor / "halloween_mask" / name)


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
    vendor = staging / VENDOR_DIR
    bundle_client(vendor, client_source)
    versions = extract_locked(vendor)
    compile_catalogs(PO_SOURCE, staging / LOCALE_DIR)
    manifest = {
        "plugin": PLUGIN_NAME,
        "version": version,
        "client_modules": list(CLIENT_MODULES),
        "dependencies": versions,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (staging / VERSIONS_FILE).write_text(versions_text(manifest), encoding="utf-8")
    return manifest


# --- release zip ---------------------------------------------------------------------------


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


# --- translations (what msgfmt does, for the few .po features this project uses) -----------


@dataclass
class Message:
    """One entry of a .po file: the English text (and plural), its translation(s), flags, references."""

    msgid: str
    msgstr: list[str]
    msgid_plural: str | None = None
    flags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    obsolete: bool = False  # "#~": no longer in the sources, kept in case the text comes back


def _po_string(quoted: str) -> str:
    return ast.literal_eval(quoted)  # a .po string is a C string; these escapes match Python's


def read_po(path: Path) -> list[Message]:
    """The entries of a .po or .pot file in file order, the header (msgid "") and obsolete ones included."""
    messages: list[Message] = []
    fields: dict[str, str] = {}  # msgid, msgid_plural, msgstr or msgstr[N] -> text
    flags: list[str] = []
    refs: list[str] = []
    keyword = ""
    obsolete = False

    def finish() -> None:
        if "msgid" in fields:
            plural = sorted(key for key in fields if key.startswith("msgstr["))
            strs = [fields[key] for key in plural] if plural else [fields.get("msgstr", "")]
            messages.append(
                Message(fields["msgid"], strs, fields.get("msgid_plural"), tuple(flags), tuple(refs), obsolete)
            )
        fields.clear()
        flags.clear()
        refs.clear()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        old = line.startswith("#~")
        line = line.removeprefix("#~").strip()
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if starts_entry and keyword.startswith("msgstr"):  # the previous entry is complete
            finish()
            keyword = ""
        obsolete = old if line.startswith("msgid ") else obsolete
        if not line:
            continue
        if line.startswith("#,"):
            flags.extend(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            refs.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and keyword:
            fields[keyword] += _po_string(line)
        else:
            keyword, _space, value = line.partition(" ")
            if not re.fullmatch(r"msgid|msgid_plural|msgstr|msgstr\[\d\]", keyword):
                raise InstallError(f"{path}:{number}: cannot read {raw!r}")
            fields[keyword] = _po_string(value)
    finish()
    return messages


def write_mo(messages: Sequence[Message], path: Path) -> None:
    """A GNU .mo file of the translated, non-fuzzy entries (the header always), as msgfmt writes it."""
    table = {}
    for message in messages:
        if ("fuzzy" in message.flags and message.msgid) or message.obsolete or not all(message.msgstr):
            continue
        key = message.msgid if message.msgid_plural is None else f"{message.msgid}\0{message.msgid_plural}"
        table[key.encode()] = "\0".join(message.msgstr).encode()
    keys = sorted(table)
    start = 7 * 4 + 16 * len(keys)  # header, then the two tables of (length, offset), then the strings
    ids, strs, id_index, str_index = b"", b"", [], []
    for key in keys:
        id_index += [len(key), start + len(ids)]
        ids += key + b"\0"
    for key in keys:
        str_index += [len(table[key]), start + len(ids) + len(strs)]
        strs += table[key] + b"\0"
    header = [0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack(f"<{7 + 4 * len(keys)}I", *header, *id_index, *str_index) + ids + strs)


def compile_catalogs(po_source: Path, locale_dir: Path) -> list[str]:
    """``<lang>.po`` -> ``locale_dir/<lang>/LC_MESSAGES/halloween-mask.mo``; returns the languages.

    ``locale_dir`` always exists afterwards: the plug-in names it to GIMP, which warns about a missing one.
    """
    locale_dir.mkdir(parents=True, exist_ok=True)
    languages = []
    for po in sorted(po_source.glob("*.po")):
        write_mo(read_po(po), locale_dir / po.stem / "LC_MESSAGES" / f"{GETTEXT_DOMAIN}.mo")
        languages.append(po.stem)
    return languages


# --- install / uninstall -------------------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def install_into(profile: Path, plugin_source: Path = PLUGIN_SOURCE, client_source: Path = CLIENT_SOURCE) -> Path:
    """Replace ``<profile>/plug-ins/halloween-mask`` with a fresh bundle; returns that folder."""
    plug_ins = profile / "plug-ins"
    plug_ins.mkdir(parents=True, exist_ok=True)
    target = plug_ins / PLUGIN_NAME
    staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-new-", dir=plug_ins))
    try:
        build_bundle(staging, plugin_source, client_source)
        staging.chmod(0o755)
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


def uninstall_from(profile: Path) -> bool:
    """Remove the plug-in folder from a profile; True when there was one."""
    target = profile / "plug-ins" / PLUGIN_NAME
    existed = target.exists() or target.is_symlink()
    _remove(target)
    return existed


# --- checks --------------------------------------------------------------------------------


def check_layout(plugin_dir: Path) -> list[str]:
    """Problems with an installed copy that would make GIMP skip it silently (empty: fine)."""
    problems = []
    main = plugin_dir / f"{plugin_dir.name}.py"
    if not main.is_file():
        return [f"{main} is missing"]
    if os.name != "nt" and not os.access(main, os.X_OK):
        problems.append(f"{main} is not executable")
    if main.read_text(encoding="utf-8").splitlines()[:1] != [SHEBANG]:
        problems.append(f"{main} does not start with {SHEBANG}")
    for name in ("halloween_mask", *(wheel.import_name for wheel in read_lock()), "certifi/cacert.pem"):
        if not (plugin_dir / VENDOR_DIR / name).exists():
            problems.append(f"{plugin_dir / VENDOR_DIR / name} is missing")
    if not (plugin_dir / LOCALE_DIR).is_dir():
        problems.append(f"{plugin_dir / LOCALE_DIR} is missing (the translations)")
    return problems


def plugin_state(
    plugin_dir: Path,
    plugin_source: Path = PLUGIN_SOURCE,
    client_source: Path = CLIENT_SOURCE,
    po_source: Path = PO_SOURCE,
) -> str:
    """``missing``, ``current`` (the plug-in, client and translation files are this source's) or ``outdated``."""
    if not (plugin_dir / f"{PLUGIN_NAME}.py").is_file():
        return "missing"
    pairs = [
        (path, plugin_dir / path.relative_to(plugin_source))
        for path in plugin_source.rglob("*")
        if path.is_file() and _keep(path.relative_to(plugin_source))
    ]
    client = plugin_dir / VENDOR_DIR / "halloween_mask"
    pairs += [(client_source / f"{name}.py", client / f"{name}.py") for name in CLIENT_MODULES]
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-locale-") as tmp:
        compile_catalogs(po_source, Path(tmp))  # what this source's translations compile to
        pairs += [(mo, plugin_dir / LOCALE_DIR / mo.relative_to(tmp)) for mo in Path(tmp).rglob("*.mo")]
        same = all(installed.is_file() and installed.read_bytes() == source.read_bytes() for source, installed in pairs)
    return "current" if same else "outdated"


def installed_version(plugin_dir: Path) -> str:
    """The version the installed copy's manifest names (``unknown`` for copies before 0.1)."""
    try:
        return json.loads((plugin_dir / MANIFEST).read_text(encoding="utf-8")).get("version", "unknown")
    except (OSError, ValueError):
        return "unknown"


def import_probe_code(vendor: str) -> str:
    """Python code that imports the bundle from ``vendor`` only and prints a JSON report."""
    modules = ["requests", "certifi", *(f"halloween_mask.{m}" for m in CLIENT_MODULES if m != "__init__")]
    return "\n".join(
        [
            "import importlib, json, os, ssl, sys",
            f"sys.path.insert(0, {vendor!r})",
            "report = {'python': sys.version.split()[0], 'errors': {}, 'from_bundle': True}",
            f"for name in {modules!r}:",
            "    try:",
            "        module = importlib.import_module(name)",
            f"        inside = os.path.abspath(module.__file__).startswith(os.path.abspath({vendor!r}))",
            "        report['from_bundle'] &= inside",
            "    except Exception as exc:",
            "        report['errors'][name] = f'{type(exc).__name__}: {exc}'",
            "try:",
            "    import certifi",
            "    ssl.create_default_context(cafile=certifi.where())",
            "except Exception as exc:",
            "    report['errors']['tls'] = f'{type(exc).__name__}: {exc}'",
        ]
    )


def gimp_check_code(vendor: str) -> str:
    """python-fu-eval batch code: the import probe plus the PDB registration of the plug-in."""
    return "\n".join(
        [
            import_probe_code(vendor),
            f"proc = Gimp.get_pdb().lookup_procedure({PROCEDURE_NAME!r})",
            "report['gimp'] = Gimp.version()",
            "report['registered'] = proc is not None",
            "report['menu_paths'] = list(proc.get_menu_paths()) if proc else []",
            f"sys.stderr.write({CHECK_MARKER!r} + json.dumps(report) + '\\n')",
            "sys.stderr.flush()",
        ]
    )


def check_with_python(plugin_dir: Path, python: str = sys.executable) -> dict:
    """Import the bundle in an isolated interpreter that sees only ``vendor/`` (and the stdlib)."""
    code = import_probe_code(str(plugin_dir / VENDOR_DIR)) + "\nprint(json.dumps(report))"
    proc = subprocess.run([python, "-I", "-S", "-c", code], capture_output=True, timeout=120, **CHILD_OUTPUT)
    if proc.returncode != 0:
        raise InstallError(f"import check under {python} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def console_for(profile: Profile, gimps: Sequence[InstalledGimp]) -> InstalledGimp | None:
    """The installed gimp-console of the profile's series and kind (a 3.0 profile: gimp-console-3.0)."""
    for gimp in gimps:
        same_series = gimp.version == (profile.version or gimp.version)
        runnable = gimp.kind not in SANDBOXED  # a Flatpak's or Snap's binaries run only in their sandbox
        if gimp.is_console and same_series and runnable and profile.kind in (gimp.kind, "given"):
            return gimp
    return None


def check_with_gimp(
    profile: Path, gimp: Sequence[str], gimp_profile: str | None = None, timeout: float = 300.0
) -> dict:
    """Run GIMP headless on ``profile`` and return the report of :func:`gimp_check_code`.

    ``gimp`` is the command that starts gimp-console, possibly behind a prefix (for example
    a wrapper that enters a container; then the variables are passed with ``env``).
    ``gimp_profile`` is the profile's path as GIMP sees it, when that differs.
    """
    seen = gimp_profile or str(profile)
    plugin_dir = f"{seen.rstrip('/')}/plug-ins/{PLUGIN_NAME}"
    code = gimp_check_code(f"{plugin_dir}/{VENDOR_DIR}")
    variables = {"GIMP3_DIRECTORY": seen}
    args = ["-i", "--batch-interpreter=python-fu-eval", "-b", code, "--quit"]
    if len(gimp) > 1:
        command = [*gimp[:-1], "env", *(f"{k}={v}" for k, v in variables.items()), gimp[-1], *args]
        env = None
    else:
        command = [gimp[0], *args]
        env = {**os.environ, **variables}
    try:
        proc = subprocess.run(command, capture_output=True, timeout=timeout, env=env, **CHILD_OUTPUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"could not run GIMP ({shlex.join(command[:3])} ...): {exc}") from exc
    output = proc.stdout + proc.stderr
    for line in output.splitlines():
        if line.startswith(CHECK_MARKER):
            return json.loads(line[len(CHECK_MARKER) :])
    raise InstallError(f"GIMP ran (exit {proc.returncode}) but printed no check report:\n{output[-4000:]}")


# --- command line ----------------------------------------------------------------------------


def _say(message: str = "") -> None:
    print(message, flush=True)


def _targets(args: argparse.Namespace, machine: Machine) -> tuple[list[Profile], list[Profile], list[InstalledGimp]]:
    """The profiles to work on, those of installed GIMPs never started (skipped), and the GIMPs installed."""
    gimps = installed_gimps(machine)
    if args.profile:
        return [Profile(Path(p).expanduser().absolute(), "given") for p in args.profile], [], gimps
    profiles = find_profiles(machine)
    return profiles, unstarted_profiles(machine, gimps, profiles), gimps


def _nothing_found(args: argparse.Namespace) -> int:
    if args.uninstall:
        _say("No GIMP 3 profile found: nothing to uninstall.")
        return 0
    where = "on PATH, in the usual application folders, as a Flatpak or a Snap"
    _say(f"No GIMP 3 found: no GIMP 3 profile, and no GIMP 3.x installed ({where}).")
    _say(f"  Install GIMP 3 ({GET_GIMP}) and run this again, name a profile with --profile DIR, or")
    _say("  extract the release zip into the folder GIMP shows in Preferences \u25b8 Folders \u25b8 Plug-ins.")
    return 1


def _report_check(label: str, report: dict) -> list[str]:
    problems = [f"{label}: cannot import {name}: {err}" for name, err in report.get("errors", {}).items()]
    if not report.get("from_bundle", True):
        problems.append(f"{label}: some modules were imported from outside the bundle")
    if "registered" in report and not report["registered"]:
        problems.append(f"{label}: GIMP {report.get('gimp')} did not register {PROCEDURE_NAME}")
    status = "FAILED" if problems else "ok"
    details = f"Python {report.get('python')}"
    if "gimp" in report:
        details = f"GIMP {report['gimp']}, its Python {report.get('python')}, menu {report.get('menu_paths')}"
    _say(f"  check {label}: {status} ({details})")
    return problems


def _run_checks(
    profile: Profile, gimps: Sequence[InstalledGimp], args: argparse.Namespace
) -> tuple[list[str], str | None]:
    """Problems of the copy in ``profile``, and why the check inside GIMP was skipped (or None)."""
    target = profile.plugin_dir
    state = plugin_state(target)
    if state == "missing":
        _say("  plug-in: missing")
        return [f"{profile.label()}: the plug-in is not installed there; run: python3 install/install.py"], None
    _say(f"  plug-in: {state} (installed {installed_version(target)}, this is {client_version()})")
    problems = [] if state == "current" else [f"{profile.label()}: outdated; update it: python3 install/install.py"]
    layout = check_layout(target)
    if layout:
        return problems + layout, None
    _say("  check layout: ok (folder name == file name, executable, shebang, vendor/ complete)")
    problems += _report_check(f"import under {sys.executable} -I -S", check_with_python(target))
    if args.gimp:
        gimp = shlex.split(args.gimp)
    elif profile.kind in SANDBOXED:
        _say(f"  check inside GIMP: skipped, the {profile.kind} GIMP is sandboxed")
        return problems, f"{profile.label()}: the {profile.kind} GIMP is sandboxed"
    elif console := console_for(profile, gimps):
        gimp = [str(console.executable)]
    else:
        _say(f"  check inside GIMP: skipped, no gimp-console-{profile.version or '3.x'} found (--gimp CMD names one)")
        return problems, f"{profile.label()}: GIMP not found"
    try:
        report = check_with_gimp(profile.path, gimp, args.gimp_profile)
        problems += _report_check(f"inside GIMP ({shlex.join(gimp)})", report)
    except InstallError as exc:
        problems.append(str(exc))
    return problems, None


def _install(profile: Profile) -> None:
    target = install_into(profile.path)
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    deps = ", ".join(f"{k} {v}" for k, v in manifest["dependencies"].items())
    _say(f"  installed {target}")
    _say(f"    plug-in {PLUGIN_NAME}.py, client modules: {len(CLIENT_MODULES)}, bundled: {deps}")


def _report_unstarted(profile: Profile) -> str:
    """Say why the profile of a GIMP never started is skipped; returns the line for the summary."""
    _say(f"{profile.label()} (not created yet)")
    _say(
        f"  skipped: GIMP {profile.version} is installed but was never started; creating its profile now"
        " would stop GIMP from setting it up (and from bringing over an older version's settings)"
    )
    return f"GIMP {profile.version} ({profile.kind}): start it once, then run this again"


def main(argv: Sequence[str] | None = None, machine: Machine | None = None) -> int:
    """The command line; ``machine`` says where to look for GIMPs and profiles (this one by default)."""
    parser = argparse.ArgumentParser(description="Install the AI Halloween Mask plug-in into GIMP 3 profiles.")
    parser.add_argument("--profile", action="append", metavar="DIR", help="install into this GIMP profile directory")
    parser.add_argument("--uninstall", action="store_true", help="remove the plug-in from the profiles")
    parser.add_argument(
        "--check", action="store_true", help="verify the installed copies (inside GIMP when one is found); no install"
    )
    parser.add_argument(
        "--zip", metavar="OUT_DIR", help="write the plug-in folder as a release zip into OUT_DIR; no install"
    )
    parser.add_argument("--dry-run", action="store_true", help="only print what would be done")
    parser.add_argument(
        "--gimp",
        metavar="CMD",
        help="gimp-console-3.x to use for --check, optionally after a wrapper command (last word: the executable)",
    )
    parser.add_argument("--gimp-profile", metavar="PATH", help="the profile's path as that GIMP sees it")
    args = parser.parse_args(argv)

    if args.zip:
        try:
            archive = write_zip(Path(args.zip).expanduser())
        except InstallError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        _say(f"wrote {archive}")
        _say("  extract it into a GIMP 3 plug-ins folder (Preferences \u25b8 Folders \u25b8 Plug-ins)")
        return 0
    try:
        targets, unstarted, gimps = _targets(args, machine or Machine.this())
        if not targets and (args.uninstall or not unstarted):
            return _nothing_found(args)
        failures: list[str] = []
        skipped: list[str] = []
        for profile in targets:
            target = profile.plugin_dir
            _say(profile.label())
            if args.dry_run:
                _say(f"  would {'remove' if args.uninstall else 'check' if args.check else 'install'} {target}")
            elif args.uninstall:
                _say(f"  removed {target}" if uninstall_from(profile.path) else f"  not installed in {target}")
            elif args.check:
                problems, why_skipped = _run_checks(profile, gimps, args)
                failures += problems
                skipped += [why_skipped] if why_skipped else []
            else:
                _install(profile)
        not_started = [] if args.uninstall else [_report_unstarted(profile) for profile in unstarted]
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a profile folder not writable, a file another program holds open...
        print(f"error: {exc.filename or 'a file'}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not_started:
        _say("Not set up yet, so left alone:")
        for line in not_started:
            _say(f"  {line}")
    if failures:
        for problem in failures:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    if not targets:
        return 1
    if args.check and not args.dry_run and skipped:
        _say("The layout and the imports are fine, but the check inside GIMP was skipped for:")
        for reason in skipped:
            _say(f"  {reason}")
        _say(f"Start that GIMP, open an image and look for {MENU_PATH}")
    elif args.check and not args.dry_run:
        _say(f"All checks passed, inside GIMP too. In GIMP, open an image and look for {MENU_PATH}")
    elif not args.uninstall and not args.dry_run:
        _say(f"Next: restart GIMP (if it is running), open an image and look for {MENU_PATH}")
        _say("Verify with: python3 install/install.py --check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
