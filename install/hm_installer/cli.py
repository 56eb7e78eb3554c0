"""The installer's command line: install, uninstall, check or write the release zip."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hm_installer.bundle import client_version, install_into, uninstall_from
from hm_installer.checks import (
    check_layout,
    check_with_gimp,
    check_with_python,
    console_for,
    installed_version,
    plugin_state,
)
from hm_installer.copies import copies_in
from hm_installer.errors import InstallError
from hm_installer.layout import MANIFEST, MENU_PATH, PLUGIN_NAME, PROCEDURE_NAME
from hm_installer.lock import one_at_a_time
from hm_installer.profiles import (
    SANDBOXED,
    InstalledGimp,
    Machine,
    Profile,
    find_profiles,
    installed_gimps,
    unstarted_profiles,
)
from hm_installer.release import write_gex, write_release, write_zip

GET_GIMP = "https://www.gimp.org/downloads/"
HOW_TO_INSTALL = {
    ".zip": "extract it into a GIMP 3 plug-ins folder (Preferences \u25b8 Folders \u25b8 Plug-ins)",
    ".gex": "in GIMP: File \u25b8 Open, Select File Type: GIMP extension; then switch it on in "
    "Edit \u25b8 Manage Extensions and restart GIMP",
}


def _say(message: str = "") -> None:
    print(message, flush=True)


def _targets(args: argparse.Namespace, machine: Machine) -> tuple[list[Profile], list[Profile], list[InstalledGimp]]:
    """The profiles to work on, those of installed GIMPs never started (skipped), and the GIMPs installed."""
    gimps = installed_gimps(machine)
    if args.profile:
        given = [Profile(Path(p).expanduser().absolute(), "given") for p in args.profile]
        for profile in given:
            if not profile.path.is_dir():
                what = "is not a folder" if profile.path.exists() else "does not exist"
                raise InstallError(
                    f"the profile {profile.path} {what}; the installer never creates a profile: check the path"
                    " (GIMP shows its folder in Preferences \u25b8 Folders), or start that GIMP once"
                )
        return given, [], gimps
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
    copies = copies_in(profile)
    for note in copies.notes:
        _say(f"  note: {note}")
    target = copies.running
    if target is None:
        _say("  plug-in: missing")
        return [f"{profile.label()}: the plug-in is not installed there; run: python3 install/install.py"], None
    state = plugin_state(target)
    _say(f"  plug-in: {state} in {copies.relative} (installed {installed_version(target)}, this is {client_version()})")
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
        report = check_with_gimp(profile.path, gimp, args.gimp_profile, copies.relative)
        problems += _report_check(f"inside GIMP ({shlex.join(gimp)})", report)
    except InstallError as exc:
        problems.append(str(exc))
    return problems, None


def _removed(files: list[str]) -> None:
    """Name the files of an installed copy that are not the plug-in's, before they go."""
    shown = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
    _say(f"  note: removing {len(files)} file(s) in the old copy that are not part of the plug-in: {shown}")


def _install(profile: Profile) -> None:
    target = install_into(profile.path, on_removed=_removed)
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    deps = ", ".join(f"{k} {v}" for k, v in manifest["dependencies"].items())
    _say(f"  installed {target}")
    _say(f"    plug-in {PLUGIN_NAME}.py, client {manifest['version']}, bundled: {deps}")
    for note in copies_in(profile).notes:
        _say(f"  note: {note}")


def _report_unstarted(profile: Profile) -> str:
    """Say why the profile of a GIMP never started is skipped; returns the line for the summary."""
    _say(f"{profile.label()} (not created yet)")
    _say(
        f"  skipped: GIMP {profile.version} is installed but was never started; creating its profile now"
        " would stop GIMP from setting it up (and from bringing over an older version's settings)"
    )
    return f"GIMP {profile.version} ({profile.kind}): start it once, then run this again"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Install the AI Halloween Mask plug-in into GIMP 3 profiles.")
    parser.add_argument("--profile", action="append", metavar="DIR", help="install into this GIMP profile directory")
    parser.add_argument("--uninstall", action="store_true", help="remove the plug-in from the profiles")
    parser.add_argument(
        "--check", action="store_true", help="verify the installed copies (inside GIMP when one is found); no install"
    )
    parser.add_argument(
        "--zip", metavar="OUT_DIR", help="write the plug-in folder as a release zip into OUT_DIR; no install"
    )
    parser.add_argument("--gex", metavar="OUT_DIR", help="write the plug-in as a GIMP extension (.gex) into OUT_DIR")
    parser.add_argument("--release", metavar="OUT_DIR", help="write the zip, the .gex and SHA256SUMS into OUT_DIR")
    parser.add_argument("--dry-run", action="store_true", help="only print what would be done")
    parser.add_argument(
        "--gimp",
        metavar="CMD",
        help="gimp-console-3.x to use for --check, optionally after a wrapper command (last word: the executable)",
    )
    parser.add_argument("--gimp-profile", metavar="PATH", help="the profile's path as that GIMP sees it")
    return parser


def _write_release_files(args: argparse.Namespace) -> int:
    """--zip, --gex or --release: write the files, say how each is installed."""
    out_dir = Path(args.release or args.gex or args.zip).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise InstallError(f"{out_dir} is a file, not a folder: name the folder to write into")
    try:
        if args.release:
            written = write_release(out_dir)
        elif args.gex:
            written = [write_gex(out_dir)]
        else:
            written = [write_zip(out_dir)]
    except OSError as exc:
        raise InstallError(f"cannot write into {out_dir}: {exc.strerror or exc}") from None
    for path in written:
        _say(f"wrote {path}")
        _say(f"  {HOW_TO_INSTALL.get(path.suffix, 'check the downloads with: sha256sum -c SHA256SUMS')}")
    return 0


@dataclass
class Outcome:
    """What a run over the profiles found: problems, skipped checks, GIMPs never started."""

    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)


def _act_on(profile: Profile, gimps: Sequence[InstalledGimp], args: argparse.Namespace, outcome: Outcome) -> None:
    """Install, uninstall or check one profile (or say what would be done)."""
    _say(profile.label())
    with one_at_a_time(profile.path):  # another installer working on this profile finishes first
        _act(profile, gimps, args, outcome)


def _act(profile: Profile, gimps: Sequence[InstalledGimp], args: argparse.Namespace, outcome: Outcome) -> None:
    target = profile.plugin_dir
    if args.dry_run:
        _say(f"  would {'remove' if args.uninstall else 'check' if args.check else 'install'} {target}")
    elif args.uninstall:
        _say(f"  removed {target}" if uninstall_from(profile.path, _removed) else f"  not installed in {target}")
    elif args.check:
        problems, why_skipped = _run_checks(profile, gimps, args)
        outcome.failures += problems
        outcome.skipped += [why_skipped] if why_skipped else []
    else:
        _install(profile)


def _summarise(outcome: Outcome, args: argparse.Namespace, any_target: bool) -> int:
    """The closing lines and the exit code."""
    if outcome.not_started:
        _say("Not set up yet, so left alone:")
        for line in outcome.not_started:
            _say(f"  {line}")
    if outcome.failures:
        for problem in outcome.failures:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    if not any_target:
        return 1
    if args.dry_run or args.uninstall:
        return 0
    if args.check and outcome.skipped:
        _say("The layout and the imports are fine, but the check inside GIMP was skipped for:")
        for reason in outcome.skipped:
            _say(f"  {reason}")
        _say(f"Start that GIMP, open an image and look for {MENU_PATH}")
    elif args.check:
        _say(f"All checks passed, inside GIMP too. In GIMP, open an image and look for {MENU_PATH}")
    else:
        _say(f"Next: restart GIMP (if it is running), open an image and look for {MENU_PATH}")
        _say("Verify with: python3 install/install.py --check")
    return 0


def _run(args: argparse.Namespace, machine: Machine) -> int:
    targets, unstarted, gimps = _targets(args, machine)
    if not targets and (args.uninstall or not unstarted):
        return _nothing_found(args)
    outcome = Outcome()
    for profile in targets:
        _act_on(profile, gimps, args, outcome)
    if not args.uninstall:
        outcome.not_started = [_report_unstarted(profile) for profile in unstarted]
    return _summarise(outcome, args, any_target=bool(targets))


def main(argv: Sequence[str] | None = None, machine: Machine | None = None) -> int:
    """The command line; ``machine`` says where to look for GIMPs and profiles (this one by default)."""
    args = _parser().parse_args(argv)
    try:
        if args.zip or args.gex or args.release:
            return _write_release_files(args)
        return _run(args, machine or Machine.this())
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a profile folder not writable, a file another program holds open...
        print(f"error: {exc.filename or 'a file'}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as exc:  # a file of the installed copy that is not text
        print(f"error: a file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 1
