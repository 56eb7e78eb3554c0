"""Where the installer looks for GIMP 3: profiles and GIMPs on Linux (Flatpak, Snap), macOS, Windows (Store)."""

from __future__ import annotations

import json
import os
import plistlib
from pathlib import Path

import pytest
from hm_installer import bundle, checks, cli, profiles


def make_dirs(home: Path, *relative: str) -> None:
    for rel in relative:
        (home / rel).mkdir(parents=True)


def make_files(root: Path, *relative: str) -> None:
    for rel in relative:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("#!/bin/sh\n")


def machine(tmp_path: Path, platform: str = "linux", **env: str) -> profiles.Machine:
    """A fake machine: home and file-system root inside ``tmp_path``, only ``env`` set."""
    (tmp_path / "home").mkdir(parents=True, exist_ok=True)
    return profiles.Machine(platform, env, tmp_path / "home", tmp_path / "root")


def found(fake: profiles.Machine) -> list[tuple[str, str]]:
    return [(p.kind, str(p.path.relative_to(fake.home))) for p in profiles.find_profiles(fake)]


def gimps(fake: profiles.Machine) -> list[tuple[str, str, str]]:
    return [(g.version, g.kind, g.executable.name) for g in profiles.installed_gimps(fake)]


def test_linux_native_flatpak_and_snap_profiles(tmp_path: Path):
    fake = machine(tmp_path)
    make_dirs(
        fake.home,
        ".config/GIMP/2.10",
        ".config/GIMP/3.0",
        ".config/GIMP/3.2",
        ".config/GIMP/3.10",
        ".config/GIMP/3.0-backup",
        ".var/app/org.gimp.GIMP/config/GIMP/3.0",
        "snap/gimp/current/.config/GIMP/3.0",
    )
    assert found(fake) == [
        ("Linux", ".config/GIMP/3.0"),
        ("Linux", ".config/GIMP/3.2"),
        ("Linux", ".config/GIMP/3.10"),
        ("Flatpak", ".var/app/org.gimp.GIMP/config/GIMP/3.0"),
        ("Snap", "snap/gimp/current/.config/GIMP/3.0"),
    ]


def test_linux_xdg_config_home(tmp_path: Path):
    fake = machine(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "home" / "xdg"))
    make_dirs(fake.home, "xdg/GIMP/3.2", ".config/GIMP/3.0")
    assert found(fake) == [("Linux", "xdg/GIMP/3.2"), ("Linux", ".config/GIMP/3.0")]
    gimp = profiles.InstalledGimp("3.4", "Linux", Path("/usr/bin/gimp-3.4"))
    assert profiles.profile_of(gimp, fake).path == fake.home / "xdg" / "GIMP" / "3.4"


def test_macos_profiles(tmp_path: Path):
    fake = machine(tmp_path, "darwin")
    make_dirs(fake.home, "Library/Application Support/GIMP/3.0", ".config/GIMP/3.0")
    assert found(fake) == [("macOS", "Library/Application Support/GIMP/3.0")]


def test_windows_profiles(tmp_path: Path):
    fake = machine(tmp_path, "win32", APPDATA=str(tmp_path / "home" / "AppData" / "Roaming"))
    make_dirs(fake.home, "AppData/Roaming/GIMP/3.0", "AppData/Roaming/GIMP/3.2")
    assert found(fake) == [("Windows", "AppData/Roaming/GIMP/3.0"), ("Windows", "AppData/Roaming/GIMP/3.2")]


def test_microsoft_store_profiles_are_found_beside_the_native_ones(tmp_path: Path, capsys):
    local = tmp_path / "home" / "AppData" / "Local"
    fake = machine(tmp_path, "win32", LOCALAPPDATA=str(local))
    store = "AppData/Local/Packages/GIMP.GIMP_zn5wrdvqn7xje/LocalCache/Roaming/GIMP"
    make_dirs(fake.home, "AppData/Roaming/GIMP/3.0", f"{store}/3.2", "AppData/Local/Packages/Other.App_1/x")
    assert found(fake) == [("Windows", "AppData/Roaming/GIMP/3.0"), ("Microsoft Store", f"{store}/3.2")]
    assert cli.main(["--check"], fake) == 1
    out = capsys.readouterr().out
    assert f"GIMP 3.2 profile (Microsoft Store): {fake.home / store / '3.2'}" in out


def test_gimps_found_on_path_flatpak_and_snap(tmp_path: Path):
    fake = machine(tmp_path, PATH=f"{tmp_path / 'bin'}{os.pathsep}{tmp_path / 'empty'}")
    make_files(tmp_path, "bin/gimp-3.2", "bin/gimp-console-3.2", "bin/gimp", "bin/gimp-2.10", "bin/gimptool-3.0")
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.0")
    make_files(fake.home, ".local/share/flatpak/app/org.gimp.GIMP/x86_64/beta/active/files/bin/gimp-3.2")
    make_files(fake.root, "snap/gimp/current/usr/bin/gimp-console-3.0")
    assert gimps(fake) == [
        ("3.2", "Linux", "gimp-3.2"),
        ("3.2", "Linux", "gimp-console-3.2"),
        ("3.2", "Flatpak", "gimp-3.2"),
        ("3.0", "Flatpak", "gimp-3.0"),
        ("3.0", "Snap", "gimp-console-3.0"),
    ]


def test_gimps_found_in_windows_and_macos_app_folders(tmp_path: Path):
    windows = machine(tmp_path / "w", "win32", PROGRAMFILES=str(tmp_path / "w" / "pf"))
    make_files(tmp_path / "w", "pf/GIMP 3/bin/gimp-3.0.exe", "pf/GIMP 3/bin/gimp-console-3.0.exe")
    make_files(tmp_path / "w", "pf/GIMP 2/bin/gimp-2.10.exe")
    assert gimps(windows) == [("3.0", "Windows", "gimp-3.0.exe"), ("3.0", "Windows", "gimp-console-3.0.exe")]
    mac = machine(tmp_path / "m", "darwin")
    app = mac.root / "Applications" / "GIMP.app" / "Contents"
    make_files(app, "MacOS/gimp")
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleShortVersionString": "3.2.6"}))
    assert gimps(mac) == [("3.2", "macOS", "gimp")]


def test_installs_into_every_profile_and_leaves_a_gimp_never_started_to_set_up_its_own(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.0", ".var/app/org.gimp.GIMP/config/GIMP/3.2")
    make_files(tmp_path, "bin/gimp-3.2")  # upgraded, not started yet: GIMP 3.2 migrates 3.0 when it first starts
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.2")
    assert cli.main([], fake) == 0
    out = capsys.readouterr().out
    for profile in (".config/GIMP/3.0", ".var/app/org.gimp.GIMP/config/GIMP/3.2"):
        assert checks.plugin_state(fake.home / profile / "plug-ins" / "halloween-mask") == "current"
    assert sorted(p.name for p in (fake.home / ".config/GIMP").iterdir()) == ["3.0"], "a profile GIMP has to set up"
    assert "GIMP 3.2 profile (Linux)" in out and "installed but was never started" in out
    assert "GIMP 3.2 (Linux): start it once, then run this again" in out
    assert "GIMP 3.2 (Flatpak)" not in out
    assert cli.main(["--uninstall"], fake) == 0
    out = capsys.readouterr().out
    assert out.count("removed") == 2 and "never started" not in out


def test_only_a_gimp_never_started_installs_nothing_and_says_why(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_files(tmp_path, "bin/gimp-3.2")
    assert cli.main([], fake) == 1
    assert "GIMP 3.2 (Linux): start it once, then run this again" in capsys.readouterr().out
    assert list(fake.home.iterdir()) == []
    assert cli.main(["--check"], fake) == 1
    assert "start it once" in capsys.readouterr().out
    assert cli.main(["--uninstall"], fake) == 0
    assert "nothing to uninstall" in capsys.readouterr().out


def test_no_profile_is_created_for_a_gimp_that_is_not_installed(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_files(tmp_path, "bin/gimp-2.10")
    assert cli.main([], fake) == 1
    out = capsys.readouterr().out
    assert "No GIMP 3 found" in out and "https://www.gimp.org/downloads/" in out
    assert "--profile DIR" in out and "Preferences \u25b8 Folders \u25b8 Plug-ins" in out
    assert list(fake.home.iterdir()) == []
    assert cli.main(["--check"], fake) == 1
    assert "No GIMP 3 found" in capsys.readouterr().out


def test_check_names_each_profile_its_version_and_state(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.0", ".config/GIMP/3.2")
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.2")
    bundle.install_into(fake.home / ".config/GIMP/3.0")
    bundle.install_into(fake.home / ".config/GIMP/3.2")
    (fake.home / ".config/GIMP/3.2/plug-ins/halloween-mask/halloween_mask_gimp/run.py").write_text("# older\n")
    assert cli.main(["--check"], fake) == 1
    captured = capsys.readouterr()
    sections = captured.out.split("GIMP 3.")[1:]
    assert sections[0].startswith("0 profile (Linux)") and "plug-in: current" in sections[0]
    assert sections[1].startswith("2 profile (Linux)") and "plug-in: outdated" in sections[1]
    assert sections[2].startswith("2 profile (Flatpak)") and "(not created yet)" in sections[2]
    assert "(not created yet)\n  skipped: " in sections[2] and "never started" in captured.out
    assert "GIMP 3.2 profile (Linux)" in captured.err and "outdated; update it" in captured.err
    assert "Flatpak" not in captured.err
    assert "GIMP 3.0 profile" not in captured.err


def test_check_without_gimp_says_the_gimp_check_was_skipped(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.2", ".var/app/org.gimp.GIMP/config/GIMP/3.0")
    make_files(tmp_path, "bin/gimp-3.2")  # the GUI binary only: no gimp-console-3.2 to check with
    for profile in (".config/GIMP/3.2", ".var/app/org.gimp.GIMP/config/GIMP/3.0"):
        bundle.install_into(fake.home / profile)
    assert cli.main(["--check"], fake) == 0
    out = capsys.readouterr().out
    assert "All checks passed" not in out
    assert "the check inside GIMP was skipped for:" in out
    assert f"GIMP 3.2 profile (Linux): {fake.home / '.config/GIMP/3.2'}: GIMP not found" in out
    assert "GIMP 3.0 profile (Flatpak)" in out and "the Flatpak GIMP is sandboxed" in out


def test_check_runs_the_profiles_own_gimp_console(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    profiles = [f".config/GIMP/{v}" for v in ("3.0", "3.2", "3.4")] + [".var/app/org.gimp.GIMP/config/GIMP/3.4"]
    make_files(tmp_path, "bin/gimp-console-3.0", "bin/gimp-console-3.2")
    # A Flatpak's gimp-console runs only inside its sandbox: never picked for a check.
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/beta/active/files/bin/gimp-console-3.4")
    for profile in profiles:
        bundle.install_into(fake.home / profile)
    ran = []

    def fake_gimp(profile, gimp, gimp_profile=None, plugin_in_profile="plug-ins/halloween-mask"):
        ran.append((profile.name, Path(gimp[0]).name))
        return {"python": "3.13", "errors": {}, "gimp": f"{profile.name}.9", "registered": True, "menu_paths": []}

    monkeypatch.setattr(cli, "check_with_gimp", fake_gimp)
    assert cli.main(["--check"], fake) == 0
    assert ran == [("3.0", "gimp-console-3.0"), ("3.2", "gimp-console-3.2")]
    out = capsys.readouterr().out
    assert f"GIMP 3.4 profile (Linux): {fake.home / profiles[2]}: GIMP not found" in out
    assert "the Flatpak GIMP is sandboxed" in out and "All checks passed" not in out
    ran.clear()
    assert cli.main(["--check", "--profile", str(fake.home / profiles[2])], fake) == 0
    assert ran == [] and "GIMP not found" in capsys.readouterr().out


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for gimp-console")
def test_the_check_inside_gimp_reads_any_bytes_gimp_prints(tmp_path: Path):
    """GIMP's own messages (translated, or in a code page) may hold bytes that are not UTF-8."""
    gimp = tmp_path / "gimp-console-3.0"
    report = {"python": "3.13", "errors": {}, "gimp": "3.0.4", "registered": True, "menu_paths": []}
    gimp.write_bytes(
        b"#!/bin/sh\nprintf 'Warnung: \\374ber \\377\\n' >&2\n"
        + f"echo '{checks.CHECK_MARKER}{json.dumps(report)}' >&2\n".encode()
    )
    gimp.chmod(0o755)
    assert cli.check_with_gimp(tmp_path / "3.0", [str(gimp)]) == report
