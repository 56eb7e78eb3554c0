"""Diagnostics and the log in a real GIMP 3 (issue 17 §6), headless: the report a script gets, and what a run logs.

The Diagnostics procedure returns the same report as its dialog (plus the connection test when asked):
GIMP's and its Python's versions, the profile, the plug-in folder, the settings (never the key), a
timed credits query to the configured endpoint only. A run of the plug-in appends to the user's log
in its state folder: GIMP's version, the task and the service's ids, the outcome; never the key.
"""

from __future__ import annotations

import re

import pytest
from gimp_runner import GimpProfile
from plugin_batch import PORTRAIT, SECRET_KEY, plugin_env

pytestmark = pytest.mark.usefixtures("fresh_emulator")


def test_the_report_and_the_log_from_inside_gimp(run_gimp_batch, emu, gimp_profile: GimpProfile, gimp_root):
    settings = f"{gimp_profile.home_inside}/diagnostics-settings.json"
    result = run_gimp_batch(
        "diagnostics_e2e/diagnose.py", plugin_env(emu.base_url, settings), files={"portrait.png": PORTRAIT}
    )
    report = result.report
    assert report["menu"] == ["<Image>/Filters/AI"] and "Diagnostics" in report["label"]
    status, quiet = report["reports"]["False"]
    assert status == "success"
    version = report["version"]
    assert f"GIMP {version}, Python 3." in quiet and "PyGObject" in quiet
    assert "profile: " in quiet and "plug-ins/halloween-mask (installed version: " in quiet
    assert f"endpoint: {emu.base_url}" in quiet and "API key: set (from AILAB_API_KEY)" in quiet
    assert "Connection test" not in quiet, "nothing is sent unless asked"
    status, tested = report["reports"]["True"]
    assert status == "success" and "credits query: ok in" in tested and "masks left" in tested
    credits_queries = [r for r in emu.requests if r.path == "/api/common/query-credits"]
    assert len(credits_queries) == 1, "the connection test asks for the credits once, and only when asked"
    for text in (quiet, tested):
        assert SECRET_KEY not in text and gimp_profile.home_inside not in text

    assert report["run"] == ["success", None]
    folder = gimp_profile.dir.host / "home" / ".local" / "state" / "halloween-mask" / "log"
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, "the run left no log in the user's state folder"
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    (task_id,) = emu.tasks
    assert "run started: GIMP python-fu-halloween-mask (noninteractive); halloween-mask " in text
    assert f"GIMP {version}" in text and task_id in text
    assert re.search(r"request [0-9a-f-]{36}, log [0-9a-f]{32}", text)
    assert re.search(r"run ended: success after \d+\.\d s", text)
    assert "uploading" in text  # the plug-in's own lines too
    for path in files:
        assert SECRET_KEY.encode() not in path.read_bytes()
