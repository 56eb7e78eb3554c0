"""Checks of an installed copy: its layout, whether it is this source's, and imports in Python and in GIMP."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hm_installer.bundle import keep
from hm_installer.catalogs import compile_catalogs
from hm_installer.errors import InstallError
from hm_installer.layout import (
    CLIENT_SOURCE,
    LOCALE_DIR,
    MANIFEST,
    PLUGIN_NAME,
    PLUGIN_SOURCE,
    PO_SOURCE,
    PROCEDURE_NAME,
    SHEBANG,
    VENDOR_DIR,
)
from hm_installer.profiles import SANDBOXED, InstalledGimp, Profile
from hm_installer.wheels import read_lock

CHECK_MARKER = "HALLOWEEN-MASK-CHECK "
# GIMP writes UTF-8 (GLib), whatever the console's code page (cp1252 on many Windows machines);
# a byte that is not UTF-8 must not end a check with a UnicodeDecodeError.
CHILD_OUTPUT = {"text": True, "encoding": "utf-8", "errors": "replace"}


def check_layout(plugin_dir: Path) -> list[str]:
    """Problems with an installed copy that would make GIMP skip it silently (empty: fine)."""
    problems = []
    main = plugin_dir / f"{plugin_dir.name}.py"
    if not main.is_file():
        return [f"{main} is missing"]
    if os.name != "nt" and not os.access(main, os.X_OK):
        problems.append(f"{main} is not executable")
    script = main.read_bytes()
    if script.splitlines()[:1] != [SHEBANG.encode()]:
        problems.append(f"{main} does not start with {SHEBANG}")
    try:
        script.decode("utf-8")
    except UnicodeDecodeError as exc:  # GIMP's Python refuses to load it
        problems.append(f"{main} is not UTF-8 text ({exc.reason} at byte {exc.start})")
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
    pairs = _source_pairs(plugin_source, plugin_dir)
    pairs += _source_pairs(client_source, plugin_dir / VENDOR_DIR / client_source.name)
    with tempfile.TemporaryDirectory(prefix=f"{PLUGIN_NAME}-locale-") as tmp:
        compile_catalogs(po_source, Path(tmp))  # what this source's translations compile to
        pairs += [(mo, plugin_dir / LOCALE_DIR / mo.relative_to(tmp)) for mo in Path(tmp).rglob("*.mo")]
        same = all(installed.is_file() and installed.read_bytes() == source.read_bytes() for source, installed in pairs)
    return "current" if same else "outdated"


def _source_pairs(source: Path, installed: Path) -> list[tuple[Path, Path]]:
    """(source file, its installed copy) for every file of ``source`` that the bundle takes."""
    files = (path for path in source.rglob("*") if path.is_file() and keep(path.relative_to(source)))
    return [(path, installed / path.relative_to(source)) for path in files]


def installed_version(plugin_dir: Path) -> str:
    """The version the installed copy's manifest names (``unknown`` for copies before 0.1)."""
    try:
        return json.loads((plugin_dir / MANIFEST).read_text(encoding="utf-8")).get("version", "unknown")
    except (OSError, ValueError):
        return "unknown"


def import_probe_code(vendor: str) -> str:
    """Python code that imports the bundle from ``vendor`` only and prints a JSON report."""
    return "\n".join(
        [
            "import importlib, json, os, pkgutil, ssl, sys",
            f"sys.path.insert(0, {vendor!r})",
            "report = {'python': sys.version.split()[0], 'errors': {}, 'from_bundle': True}",
            "names = ['requests', 'certifi', 'halloween_mask']",
            "try:",
            "    import halloween_mask",
            "    names += [m.name for m in pkgutil.walk_packages(halloween_mask.__path__, 'halloween_mask.')]",
            "except Exception:",
            "    pass",
            "for name in names:",
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
    profile: Path,
    gimp: Sequence[str],
    gimp_profile: str | None = None,
    plugin_in_profile: str = f"plug-ins/{PLUGIN_NAME}",
    timeout: float = 300.0,
) -> dict:
    """Run GIMP headless on ``profile`` and return the report of :func:`gimp_check_code`.

    ``gimp`` is the command that starts gimp-console, possibly behind a prefix (for example
    a wrapper that enters a container; then the variables are passed with ``env``).
    ``gimp_profile`` is the profile's path as GIMP sees it, when that differs.
    """
    seen = gimp_profile or str(profile)
    plugin_dir = f"{seen.rstrip('/')}/{plugin_in_profile}"
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
