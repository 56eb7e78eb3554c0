"""The ``.gex`` extension, installed the way GIMP's File ▸ Open does it, on GIMP 3.0 and 3.2.

A fresh profile without the plug-in; batch 1 hands the ``.gex`` to ``file-gex-load`` (what File
▸ Open runs with the file type "GIMP extension"); the extension is switched on in
``extensionrc`` (what the Manage Extensions dialog writes; GIMP 3.0.4 and 3.2.6 show that dialog
nowhere, see the last test); batch 2 (GIMP restarted) runs the filter from
the extension's folder against the emulator. Also measured: what GIMP does with a newer
``.gex`` over an installed one, and with a second copy in ``plug-ins/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from artifact_support import publish
from gimp_runner import INSTALLER, RELEASE_ARTIFACTS
from plugin_batch import PORTRAIT, plugin_env

EXTENSION_ID = "io.github.halloween_mask.gimp"
IN_EXTENSION = f"extensions/{EXTENSION_ID}/halloween-mask/halloween-mask.py"
LOAD_GEX = "extension/load_gex.py"  # GIMP-side scripts, under inside/
FILTER_RUN = "release/filter_run.py"  # the release zip's test runs it too


@pytest.fixture(scope="session")
def gex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``halloween-mask-<version>.gex``, built by the installer's --gex (copied to ``artifacts/release/``)."""
    out = tmp_path_factory.mktemp("release")  # this worker's own: another may build the same file now
    command = [sys.executable, str(INSTALLER), "--gex", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (archive,) = out.glob("halloween-mask-*.gex")
    publish(archive, RELEASE_ARTIFACTS, "*.gex")
    return archive


def switch_on(profile_dir: Path) -> str:
    """Mark the extension active in ``extensionrc`` as Manage Extensions does; returns the file as GIMP left it."""
    rc = profile_dir / "extensionrc"
    before = rc.read_text(encoding="utf-8")
    rc.write_text(re.sub(r"\(active no\)", "(active yes)", before), encoding="utf-8")
    return before


def registered_from(profile_dir: Path) -> list[str]:
    """The plug-in files GIMP registered the filter from (its ``pluginrc``)."""
    text = (profile_dir / "pluginrc").read_bytes().decode("utf-8", "replace")  # it holds other encodings too
    return re.findall(r'\(plug-in-def "([^"]*halloween-mask\.py)"', text)


def test_gex_opened_switched_on_and_restarted_runs_the_filter(
    make_gimp_profile, run_gimp_batch, gex, gimp_root, emu, fresh_emulator
):
    profile = make_gimp_profile(installer=False)
    loaded = run_gimp_batch(LOAD_GEX, files={"extension.gex": gex}, profile=profile)
    assert loaded.report["status"] == "success", loaded.report["message"] + loaded.log[-3000:]
    unpacked = profile.host / "extensions" / EXTENSION_ID / "halloween-mask" / "halloween-mask.py"
    assert unpacked.is_file() and unpacked.stat().st_mode & 0o111, "GIMP unpacked the plug-in without its exec bit"
    rc = switch_on(profile.host)
    assert EXTENSION_ID in rc and "(active no)" in rc, rc
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json")
    result = run_gimp_batch(FILTER_RUN, env, files={"portrait.png": PORTRAIT}, profile=profile)
    report = result.report
    assert report["status"] == "success", f"{report['message']}\n{result.log[-4000:]}"
    assert report["names"][0] == "Halloween Mask 7"
    assert registered_from(profile.host) == [f"${{gimp_dir}}/{IN_EXTENSION}"]
    assert [task.mask_style for task in emu.tasks.values()] == [7]
    assert "Traceback" not in result.log


def newer_copy(gex: Path, target: Path) -> Path:
    """The same extension as version 9.9.9, with a VERSIONS.txt that says so."""
    with zipfile.ZipFile(gex) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".metainfo.xml"):
                data = re.sub(rb'release version="[^"]+"', b'release version="9.9.9"', data)
            elif info.filename.endswith("/VERSIONS.txt"):
                data = b"AI Halloween Mask 9.9.9\n"
            new.writestr(info, data)
    return target


def test_what_gimp_does_with_a_newer_gex_and_with_a_copy_in_plug_ins(make_gimp_profile, run_gimp_batch, gex, tmp_path):
    """GIMP keeps the old files when a newer .gex is opened (so upgrading is: remove, restart, open),
    and runs the extension's copy when plug-ins/ holds another one (docs/install.md and --check say so)."""
    profile = make_gimp_profile()  # the installer's copy in plug-ins/
    assert run_gimp_batch(LOAD_GEX, files={"extension.gex": gex}, profile=profile).report["status"] == "success"
    switch_on(profile.host)
    newer = newer_copy(gex, tmp_path / "newer.gex")
    again = run_gimp_batch(LOAD_GEX, files={"extension.gex": newer}, profile=profile)
    assert again.report["status"] == "success"
    versions = profile.host / "extensions" / EXTENSION_ID / "halloween-mask" / "VERSIONS.txt"
    assert not versions.read_text(encoding="utf-8").startswith("AI Halloween Mask 9.9.9"), "GIMP now upgrades in place"
    assert registered_from(profile.host) == [f"${{gimp_dir}}/{IN_EXTENSION}"]


def test_gimp_offers_no_way_to_switch_the_extension_on(gui_session, make_gimp_profile, run_gimp_batch, gex):
    """Measured: GIMP 3.0.4 and 3.2.6 install a .gex switched off, and their Manage Extensions dialog is in
    no menu (commented out in image-menu.ui) nor in Help ▸ Search and Run a Command. So the README and
    docs/install.md send Flatpak and Store users to the installer; this test fails the day GIMP offers the dialog."""
    profile = make_gimp_profile(installer=False)
    assert run_gimp_batch(LOAD_GEX, files={"extension.gex": gex}, profile=profile).report["status"] == "success"
    session = gui_session(files={"portrait.png": PORTRAIT}, env={"HM_IMAGE": "portrait.png"}, profile=profile)
    window = session.image_window(timeout=90)
    time.sleep(2)
    session.key("alt+h", wid=window, delay=1.0)
    session.key("s", delay=1.5)  # Help ▸ Search and Run a Command
    search = session.find_window("^Search Actions$", timeout=20)
    session.focus(search)
    session.xdotool("type", "--delay", "80", "extensions")
    time.sleep(1.5)
    session.screenshot("extensions-search")
    session.key("Return", delay=3.0)
    assert session.windows("Extensions") == [], "GIMP now opens Manage Extensions: update README and docs/install.md"
    session.flag("quit")
