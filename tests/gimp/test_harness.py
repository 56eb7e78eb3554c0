"""Self-test of the GIMP harness with a tiny probe plug-in (independent of the real plug-in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gimp_runner import GimpRunError

PORTRAIT = Path(__file__).parents[1] / "data" / "portrait-astronaut.png"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def probe_profile(make_gimp_profile):
    return make_gimp_profile(extra_plugins=[FIXTURES / "hm-harness-probe"], installer=False)


def test_batch_round_trip(run_gimp_batch, probe_profile):
    result = run_gimp_batch("harness/round_trip.py", files={"in.png": PORTRAIT}, profile=probe_profile)
    report = result.report
    assert report["version"].startswith("3.")
    assert report["before"] == ["Background"]
    assert report["after"] == ["probe-layer", *report["before"]]
    assert report["size"] == [512, 512]
    assert report["fail"] == ["execution-error", "asked to fail"]
    assert (result.work / "out.xcf").read_bytes()[:9] == b"gimp xcf "
    assert "[hm-harness-probe] inserted layer probe-layer" in result.log


def test_batch_code_exception_fails_the_run(run_gimp_batch, probe_profile):
    with pytest.raises(GimpRunError, match="exited 64") as error:
        run_gimp_batch("harness/raises.py", profile=probe_profile)
    assert "boom from batch" in str(error.value)
    assert 'harness/raises.py", line 3' in str(error.value)  # the traceback names the real file


def test_environment_reaches_gimp(run_gimp_batch, probe_profile):
    env = {"AILAB_API_BASE": "http://127.0.0.1:9"}
    result = run_gimp_batch("harness/environment.py", env, profile=probe_profile, params={"style": 7})
    assert result.report["AILAB_API_BASE"] == "http://127.0.0.1:9"
    assert result.report["GIMP3_DIRECTORY"].endswith("/profile")
    assert result.report["HOME"].endswith("/home")
    assert result.report["params"] == {"style": 7}


def test_gui_opens_image_and_screenshots(gui_session, probe_profile):
    session = gui_session(env={"HM_IMAGE": "portrait.png"}, files={"portrait.png": PORTRAIT}, profile=probe_profile)
    assert session.wait_report("opened")["opened"] is True
    window = session.image_window(timeout=90)
    assert "512x512" in session.window_name(window)
    shot = session.screenshot("harness-image-window")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert session.close() == 0
    assert session.report()["layers"] == ["Background"]
