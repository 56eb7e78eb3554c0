"""The installed plug-in registers in the real GIMP 3, and ``install.py --check`` passes there."""

from __future__ import annotations

import os
import subprocess
import sys

from gimp_runner import INSTALLER, SCRIPTS, GimpRoot, Scratch


def test_plugin_registers_under_filters_ai(run_gimp_batch, gimp_profile, gimp_root: GimpRoot):
    assert (gimp_profile.plugin_dir / "halloween-mask.py").is_file(), gimp_profile.install_log
    result = run_gimp_batch("gimp_smoke/registration.py")
    report = result.report
    assert report["registered"], f"python-fu-halloween-mask not registered; GIMP log:\n{result.log[-4000:]}"
    assert report["menu_paths"] == ["<Image>/Filters/AI"]
    assert "Halloween Mask" in report["menu_label"].replace("_", "")
    assert report["arguments"][:3] == ["run-mode", "image", "drawables"]
    assert report["gimp"].startswith(f"{gimp_root.series}."), "the matrix ran another GIMP than its id says"


def test_installer_check_passes_against_the_roots_gimp(gimp_root: GimpRoot, gimp_scratch: Scratch):
    scratch = gimp_scratch.sub("installer-check")
    profile = ["--profile", str(scratch.host / "profile")]
    (scratch.host / "profile").mkdir(parents=True, exist_ok=True)  # the installer never creates a profile
    gimp = ["--gimp", f"{SCRIPTS / 'run.sh'} {gimp_root.console}", "--gimp-profile", f"{scratch.inside}/profile"]
    env = {**os.environ, "GIMP3_ROOT": str(gimp_root.path)}

    def installer(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(INSTALLER), *args], capture_output=True, text=True, timeout=300, env=env
        )

    installed = installer(*profile)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    proc = installer(*profile, "--check", *gimp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check inside GIMP" in proc.stdout
    assert f"ok (GIMP {gimp_root.series}." in proc.stdout
    assert "Filters \u25b8 AI \u25b8 Halloween Mask" in proc.stdout
