"""The release zip, installed the way a person without Python does it: extracted, nothing else.

The zip is built once per session with ``install.py --zip`` into ``artifacts/release/`` (the CI
artifact), extracted into the ``plug-ins`` folder of a fresh profile of each GIMP version, and
the filter then runs there against the emulator on the bundled client and dependencies alone
(the roots have no python3-requests).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from artifact_support import publish
from gimp_runner import INSTALLER, RELEASE_ARTIFACTS
from plugin_batch import PORTRAIT, plugin_env


@pytest.fixture(scope="session")
def release_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``halloween-mask-<version>-gimp3.zip``, built by the installer's --zip (copied to ``artifacts/release/``)."""
    out = tmp_path_factory.mktemp("release")  # this worker's own: another may build the same zip now
    command = [sys.executable, str(INSTALLER), "--zip", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (archive,) = out.glob("halloween-mask-*-gimp3.zip")
    publish(archive, RELEASE_ARTIFACTS, "*.zip")
    return archive


def test_extracted_zip_runs_the_filter(make_gimp_profile, run_gimp_batch, release_zip, gimp_root, emu, fresh_emulator):
    profile = make_gimp_profile(release_zip=release_zip)
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json")
    result = run_gimp_batch("release/filter_run.py", env, files={"portrait.png": PORTRAIT}, profile=profile)
    report = result.report
    assert report["gimp"].startswith(f"{gimp_root.series}.")
    assert not report["gimp_python_has_requests"], "GIMP's Python has requests: the bundle is not what runs"
    assert report["status"] == "success", f"{report['message']}\n{result.log[-4000:]}"
    assert report["names"] == ["Halloween Mask 7", "Background"]
    assert report["top"]["provenance"]["style"] == 7
    assert [task.mask_style for task in emu.tasks.values()] == [7]
    assert "Traceback" not in result.log
