"""``halloween-mask doctor``: the diagnostics report (``halloween_mask.diagnostics``) plus the GIMP profiles.

The profiles and the plug-in's state in each come from the installer's own discovery and checks
(``install/hm_installer``, beside this package in the source the command line is installed from);
without it the section says how to get the same with the installer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType

from halloween_mask import diagnostics
from halloween_mask.about import home_as_tilde

INSTALLER = Path(__file__).resolve().parents[2] / "install"  # the source tree's installer (an editable install)


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    doctor = subcommands.add_parser(
        "doctor",
        help="print a report to paste into a bug report (versions, settings, a connection test, GIMP profiles, log)",
        description="Prints versions, the settings and endpoint in use (never the key), a connection test to the "
        "endpoint (name resolution, TLS, the free credits query), the GIMP profiles with the plug-in's state, and "
        "the log's last lines. Nothing is sent anywhere but the connection test.",
    )
    doctor.add_argument("--no-connect", action="store_true", help="leave out the connection test (send nothing)")
    doctor.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(diagnostics.report(after=[profiles_section()], connect=not args.no_connect), end="")
    return 0


def profiles_section() -> diagnostics.Section:
    """Every GIMP 3 profile the installer finds, with the plug-in's copy, state, version and problems."""
    installer = _installer()
    if installer is None:
        return "GIMP profiles", ["not looked for: run `python3 install/install.py --check` in the plug-in's source"]
    profiles, copies, checks = installer.profiles, installer.copies, installer.checks
    found = profiles.find_profiles(profiles.Machine.this())
    lines: list[str] = []
    for profile in found:
        lines.append(home_as_tilde(profile.label()))
        place = copies.copies_in(profile)
        lines += [f"  note: {home_as_tilde(note)}" for note in place.notes]
        if place.running is None:
            lines.append("  plug-in: missing")
            continue
        try:
            state = checks.plugin_state(place.running)
        except Exception as exc:  # the installer's source is incomplete: say it, go on
            state = f"unknown ({type(exc).__name__})"
        version = checks.installed_version(place.running)
        lines.append(f"  plug-in: {state} in {place.relative} (installed {version})")
        lines += [f"  problem: {home_as_tilde(problem)}" for problem in checks.check_layout(place.running)]
    return "GIMP profiles", lines or ["none found (GIMP 3 creates its profile when it first starts)"]


class _Installer:
    def __init__(self, profiles: ModuleType, copies: ModuleType, checks: ModuleType) -> None:
        self.profiles, self.copies, self.checks = profiles, copies, checks


def _installer() -> _Installer | None:
    """The installer's modules, when its source is beside this package."""
    if not (INSTALLER / "hm_installer" / "profiles.py").is_file():
        return None
    if str(INSTALLER) not in sys.path:
        sys.path.append(str(INSTALLER))
    try:
        from hm_installer import checks, copies, profiles
    except ImportError:
        return None
    return _Installer(profiles, copies, checks)
