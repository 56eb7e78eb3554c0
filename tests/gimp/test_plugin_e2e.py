"""The plug-in end to end in a real GIMP 3: installed by the installer, called through the PDB.

Each test is one headless GIMP run that batches several checks and writes a JSON report; the
emulator runs in this process on 127.0.0.1 and records what the plug-in sent.
"""

from __future__ import annotations

import re

import pytest
from gimp_runner import GimpProfile
from plugin_batch import PORTRAIT, SECRET_KEY, plugin_env

pytestmark = pytest.mark.usefixtures("fresh_emulator")


@pytest.fixture(scope="module")
def profile(gimp_profile: GimpProfile) -> GimpProfile:
    """The session's profile, with the plug-in installed by the real installer."""
    return gimp_profile


def run_plugin(run_gimp_batch, emu, profile, script, *, key_in_env=True, files=None, **env):
    """Run ``script`` (under inside/) with the plug-in pointed at the emulator."""
    settings = f"{profile.home_inside}/halloween-mask-settings.json"
    environment = plugin_env(emu.base_url, settings, key_in_env=key_in_env, **env)
    return run_gimp_batch(script, environment, files={"portrait.png": PORTRAIT, **(files or {})}, profile=profile)


def assert_no_traceback(log: str) -> None:
    plugin_lines = [line for line in log.splitlines() if "halloween" in line.lower()]
    assert "Traceback" not in log, log[-4000:]
    assert not any("unexpected error" in line for line in plugin_lines), log[-4000:]


def test_portrait_gets_a_masked_layer_above_the_source(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/portrait.py")
    report = result.report
    assert report["status"] == "success", report["message"]
    assert report["menu"] == ["<Image>/Filters/AI"]
    # New arguments come last, so scripts that pass arguments by position keep working.
    assert report["args"][3:] == [
        "mask-style",
        "template",
        "aspect-ratio",
        "placement",
        "deadline",
        "source",
        "template-layer",
        "reuse",
    ]

    new, source = report["new"], report["source"]
    assert report["names"] == ["Halloween Mask 7", source["name"]]
    assert new["size"] == source["size"] == [512, 512]
    assert new["offsets"] == source["offsets"] == [0, 0]
    assert new["parent"] is None and new["position"] == 0 and source["position"] == 1
    assert new["selected"] == [source["name"]], "the source is not the selected layer after the run"
    assert report["source_same"], "the source layer's pixels changed"
    assert report["dirty"]

    ((task_id, task),) = emu.tasks.items()
    assert task.mask_style == 7 and task.aspect_ratio == "auto" and task.image_size == (512, 512)
    provenance = new["provenance"]
    assert provenance["style"] == 7 and provenance["task_id"] == task_id and provenance["aspect_ratio"] == "auto"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", provenance["created"])
    assert new["parasite_flags"] & 1, "the provenance parasite is not persistent"
    assert report["reloaded"] == report["names"] and report["reloaded_provenance"] == provenance

    # The mask sits on the face the emulator found: the changed region overlaps the face box.
    face = task.face_box
    x, y, w, h, centre_x, centre_y = report["changed"]
    assert face.x <= centre_x <= face.x + face.w and face.y <= centre_y <= face.y + face.h
    overlap_w = min(x + w, face.x + face.w) - max(x, face.x)
    overlap_h = min(y + h, face.y + face.h) - max(y, face.y)
    assert overlap_w > 0.6 * face.w and overlap_h > 0.6 * face.h, (report["changed"], face)
    assert w * h < 0.25 * 512 * 512, "the mask is not confined to the face"

    submit = [r for r in emu.requests_to("submit") if r.status == 200]
    assert len(submit) == 1 and 0 < submit[0].file_sizes["image"] < 10_000_000
    assert report["scratch_left"] == []

    assert report["two_layers"][0] == "calling-error" and "No layer is selected" in report["two_layers"][1]
    assert report["no_template"][0] == "calling-error" and "template" in report["no_template"][1]
    status, message = report["env_key_refused"]
    assert status == "execution-error" and "rejected" in message and "AILAB_API_KEY" in message
    layer_names, dirty = report["after_bad_calls"]
    assert len(layer_names) == 2 and not any(name.startswith("Halloween") for name in layer_names) and not dirty
    assert len(emu.tasks) == 1, "a bad call reached the service"

    # The key is nowhere in the saved XCF or GIMP's log. (Non-interactive runs write no
    # last-values file; test_plugin_gui checks the one an interactive run writes.)
    assert SECRET_KEY.encode() not in (result.work / "result.xcf").read_bytes()
    assert SECRET_KEY not in result.log
    assert_no_traceback(result.log)


def test_every_layer_kind(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/layer_kinds.py")
    report = result.report
    for label in ("group", "grayscale", "indexed", "16-bit", "32-bit float", "alpha"):
        case = report[label]
        assert case["status"] == "success", (label, case["message"])
        assert case["source_same"], f"{label}: the source layer's pixels changed"
        new, source = case["new"], case["source"]
        assert new["name"] == "Halloween Mask 12", label
        assert new["size"] == source["size"] and new["offsets"] == source["offsets"], label
        assert new["parent"] == source["parent"] and new["position"] == source["position"] - 1, label
        assert new["selected"] == [source["name"]], label
    assert report["group"]["source"]["offsets"] == [120, 90] and report["group"]["new"]["parent"] == "Group"
    assert report["group"]["added"] == 3  # top, the new layer, face
    assert report["indexed"]["base_type"] == "indexed" and report["16-bit"]["precision"] == "u16-non-linear"

    uploads = [r.file_sizes["image"] for r in emu.requests_to("submit")]
    assert len(uploads) == 6 and len(emu.tasks) == 6
    assert all(task.image_size == (512, 512) for task in emu.tasks.values())
    assert report["scratch_left"] == []
    assert_no_traceback(result.log)


def test_upload_formats(run_gimp_batch, emu, profile):
    """Opaque layers go as JPEG, a transparent one as PNG (seen from the emulator's side)."""
    result = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/upload_formats.py")
    assert [s[0] for s in result.report["status"]] == ["success"] * 3, result.report
    formats = re.findall(r"uploading \d+x\d+ (\w+)", result.log)
    assert formats == ["jpeg", "jpeg", "png"], result.log[-3000:]


def test_big_layer_template_and_new_image(run_gimp_batch, emu, profile):
    template = PORTRAIT.read_bytes()
    result = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/shapes.py", files={"template.png": template})
    report = result.report
    tasks = list(emu.tasks.values())

    big = report["big"]
    assert big["status"][0] == "success", big["status"]
    assert big["new"]["size"] == big["source"]["size"] == [5000, 3000] and big["new"]["offsets"] == [0, 0]
    assert big["source_same"]
    assert tasks[0].image_size == (4095, 2457), "the upload was not fitted to the 4095 px limit"

    template_case = report["template"]
    assert template_case["status"][0] == "success", template_case["status"]
    assert template_case["new"]["name"] == "Halloween Mask (template)"  # an older script's mask-style "template"
    assert template_case["new"]["provenance"]["style"] == "template"
    assert tasks[1].template_used and tasks[1].mask_style is None
    submit = [r for r in emu.requests_to("submit") if r.status == 200][1]
    assert submit.file_sizes.get("image_template") == len(template), "the template was re-encoded needlessly"

    ratio = report["ratio"]
    assert ratio["status"][0] == "success", ratio["status"]
    assert len(ratio["names"]) == 1 and not ratio["dirty"], "the source image changed"
    ((width, height, layer_names, _dirty),) = ratio["new_images"]
    assert abs(width / height - 9 / 16) < 0.01 and layer_names == ["Halloween Mask 5"]
    assert ratio["new"]["provenance"]["aspect_ratio"] == "9:16"
    assert tasks[2].aspect_ratio == "9:16"

    forced = report["forced"]
    assert forced["status"][0] == "success" and len(forced["names"]) == 1
    assert forced["new_images"] == [[512, 512, ["Halloween Mask 5"]]]
    assert report["scratch_left"] == []
    assert_no_traceback(result.log)


EXPECTED_ERRORS = {
    "no_key": ("calling-error", "No AILabTools API key is configured"),
    "bad_key": ("execution-error", "The API key was rejected"),
    "no_credits": ("execution-error", "out of API credits"),
    "server_500": ("execution-error", "had an internal problem"),
    "timeout": ("execution-error", "did not finish in time"),
    "no_face": ("execution-error", "No usable face was found"),
}


def test_errors_leave_the_image_as_it_was(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/errors.py", key_in_env=False, HM_GOOD_KEY=SECRET_KEY)
    report = result.report
    for label, (status, words) in EXPECTED_ERRORS.items():
        case = report[label]
        assert case["status"] == status, (label, case)
        assert words in case["message"], (label, case["message"])
        assert case["unchanged"] and not case["dirty"], f"{label}: the image or its undo history changed"
        assert case["scratch_left"] == [], f"{label}: temp files left: {case['scratch_left']}"
        assert "Traceback" not in case["message"]
    assert "AILAB_API_KEY" in report["no_key"]["message"]
    assert report["timeout"]["seconds"] < 15
    assert report["recovered"]["status"] == "success"
    assert SECRET_KEY not in result.log and "not-the-right-key" not in result.log
    assert_no_traceback(result.log)


LAST_VALUES = """# settings

(mask-style "mask-5")
(template NULL)
(aspect-ratio "auto")
(placement "new-image")
(deadline 600)

# end of settings
"""


def test_repeat_last_uses_the_remembered_values_even_without_windows(run_gimp_batch, emu, profile):
    last = profile.host / "plug-in-settings" / "GimpProcedureConfigRun-python-fu-halloween-mask.last"
    last.parent.mkdir(exist_ok=True)
    last.write_text(LAST_VALUES)  # as an interactive run with these choices leaves it
    try:
        report = run_plugin(run_gimp_batch, emu, profile, "plugin_e2e/repeat.py").report
    finally:
        last.unlink()  # the GUI tests share this profile and expect GIMP's defaults
    assert report["status"] == "success", report["message"]
    assert [task.mask_style for task in emu.tasks.values()] == [5]
    assert report["new"] == [["Halloween Mask 5"]] and report["new_size"] == [[512, 512]]
    assert report["names"] == ["Background"] and not report["dirty"]


def test_repeat_last_without_a_key_or_a_display_says_how_to_configure_one(run_gimp_batch, emu, profile):
    result = run_plugin(
        run_gimp_batch,
        emu,
        profile,
        "plugin_e2e/repeat_without_key.py",
        key_in_env=False,
        HALLOWEEN_MASK_SETTINGS="/nonexistent/halloween-mask-settings.json",
    )
    status, message, layer_names, dirty = result.report["result"]
    assert status == "calling-error" and "AILAB_API_KEY" in message, message
    assert layer_names == ["Background"] and not dirty and not emu.tasks
    assert_no_traceback(result.log)


def test_wait_at_most_holds_when_the_service_answers_a_byte_at_a_time(run_gimp_batch, profile):
    from client_support import POLL, drip_server, fake_service

    with drip_server() as server:
        fake_service(server, PORTRAIT.read_bytes(), slow=POLL, per_byte=0.1)  # the answer alone: 15 s
        result = run_plugin(run_gimp_batch, server, profile, "plugin_e2e/dripped.py")
    report = result.report
    assert report["status"] == "execution-error" and "did not finish in time" in report["message"]
    assert report["seconds"] < 6, f"a 2 s 'Wait at most' took {report['seconds']:.1f} s"
    assert report["layers"] == 1 and not report["dirty"]
    assert_no_traceback(result.log)
