"""Self-test of the GIMP harness with a tiny probe plug-in (independent of the real plug-in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gimp_runner import GimpRunError

PORTRAIT = Path(__file__).parents[1] / "data" / "portrait-astronaut.png"
FIXTURES = Path(__file__).parent / "fixtures"

ROUND_TRIP = """
image = hm_load("in.png")
before = [layer.get_name() for layer in image.get_layers()]
status, message = hm_call("python-fu-hm-harness-probe", image, image.get_layers()[:1], label="probe-layer")
if status != "success":
    raise RuntimeError(f"probe failed: {status} {message}")
hm_save(image, "out.xcf")
image.delete()
reloaded = hm_load("out.xcf")
after = [layer.get_name() for layer in reloaded.get_layers()]
size = [reloaded.get_width(), reloaded.get_height()]
reloaded.delete()
failing = hm_load("in.png")
fail_status, fail_message = hm_call("python-fu-hm-harness-probe", failing, failing.get_layers()[:1], label="fail")
failing.delete()
hm_write_report({"before": before, "after": after, "size": size, "version": Gimp.version(),
                 "fail": [fail_status, fail_message], "python": sys.version})
"""


@pytest.fixture(scope="module")
def probe_profile(make_gimp_profile):
    return make_gimp_profile(extra_plugins=[FIXTURES / "hm-harness-probe"], installer=False)


def test_batch_round_trip(run_gimp_batch, probe_profile):
    result = run_gimp_batch(ROUND_TRIP, files={"in.png": PORTRAIT}, profile=probe_profile)
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
        run_gimp_batch("raise RuntimeError('boom from batch')", profile=probe_profile)
    assert "boom from batch" in str(error.value)


def test_environment_reaches_gimp(run_gimp_batch, probe_profile):
    code = 'hm_write_report({k: os.environ.get(k) for k in ("AILAB_API_BASE", "GIMP3_DIRECTORY", "HOME")})'
    result = run_gimp_batch(code, {"AILAB_API_BASE": "http://127.0.0.1:9"}, profile=probe_profile)
    assert result.report["AILAB_API_BASE"] == "http://127.0.0.1:9"
    assert result.report["GIMP3_DIRECTORY"].endswith("/profile")
    assert result.report["HOME"].endswith("/home")


def test_gui_opens_image_and_screenshots(gui_session, probe_profile):
    session = gui_session(env={"HM_IMAGE": "portrait.png"}, files={"portrait.png": PORTRAIT}, profile=probe_profile)
    assert session.wait_report("opened")["opened"] is True
    window = session.image_window(timeout=90)
    assert "512x512" in session.window_name(window)
    shot = session.screenshot("harness-image-window")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert session.close() == 0
    assert session.report()["layers"] == ["Background"]
