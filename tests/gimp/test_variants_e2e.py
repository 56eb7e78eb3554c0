"""Halloween Mask Variants end to end in a real GIMP 3: several styles, one wait, one layer group.

The emulator runs in this process; it paints a different mask per style, so each variant
layer is compared pixel for pixel with the result the emulator made for that layer's style.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from halloween_mask_emulator import Failure
from PIL import Image
from plugin_batch import SECRET_KEY
from test_plugin_e2e import assert_no_traceback, run_plugin

pytestmark = pytest.mark.usefixtures("fresh_emulator")


def result_pixels(task) -> str:
    """The sha256 of the RGB pixels of the result the emulator made for ``task``."""
    with Image.open(io.BytesIO(task.result)) as result:
        return hashlib.sha256(result.convert("RGB").tobytes()).hexdigest()


def most_in_flight(tasks) -> int:
    spans = [(task.created, task.done_at) for task in tasks]
    return max(sum(start <= moment < end for start, end in spans) for moment, _end in spans)


def test_three_styles_become_one_group_above_the_source(run_gimp_batch, emu, gimp_profile):
    emu.configure(processing_seconds=2.0)  # long enough to see the tasks overlap
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "variants_e2e/group.py")
    report = result.report
    assert report["status"] == "success", report["message"]
    assert report["menu"] == ["<Image>/Filters/AI"] and report["label"] == "Halloween Mask _Variants..."
    assert report["args"][3:] == ["mask-styles", "aspect-ratio", "deadline", "reuse"]
    assert report["failed"] == ""

    # One group directly above the source, in the source's group, holding 3, 7, 12 in that order.
    assert report["returned"] == "Halloween Mask variants" and report["group_is_group"]
    assert report["siblings"] == ["top", "Halloween Mask variants", "face"]
    assert report["top_level"] == ["Group", "bg"]
    group, source = report["group"], report["source"]
    assert group["parent"] == "Group" and group["position"] == source["position"] - 1
    assert [c["name"] for c in report["children"]] == ["Halloween Mask 3", "Halloween Mask 7", "Halloween Mask 12"]
    assert report["visible"] == [True, True, True]
    for child in report["children"]:
        assert child["size"] == source["size"] == [512, 512] and child["offsets"] == source["offsets"] == [120, 90]
        assert child["parent"] == "Halloween Mask variants" and child["provenance"]["region"] is None
    assert report["source_same"], "the source layer's pixels changed"

    # Each layer holds exactly the emulator's result for its own style; the styles look different.
    tasks = emu.tasks
    assert sorted(task.mask_style for task in tasks.values()) == [3, 7, 12]
    assert len(emu.requests_to("submit")) == 3
    for child, pixels in zip(report["children"], report["pixels"], strict=True):
        task = tasks[child["provenance"]["task_id"]]
        assert child["name"] == f"Halloween Mask {task.mask_style}" == f"Halloween Mask {child['provenance']['style']}"
        assert pixels == result_pixels(task), f"{child['name']} does not hold its style's result"
    assert len(set(report["pixels"])) == 3
    assert most_in_flight(tasks.values()) >= 2, "the styles were not sent concurrently"
    assert report["scratch_left"] == []

    expected = {
        "empty": "No mask styles were given",
        "zero": "There is no mask style 0",
        "86": "There is no mask style 86: styles are numbered 1 to 85",
        "7,x": "'x' is not a style number",
        "13": "13 styles were given; at most 12",
    }
    for label, words in expected.items():
        status, message = report["bad"][label]
        assert status == "calling-error" and words in message and "Nothing was sent" in message, (label, message)
    assert report["after_bad"] == [["top", "face"], False]
    assert len(emu.tasks) == 3, "a bad style list reached the service"
    assert SECRET_KEY not in result.log
    assert_no_traceback(result.log)


def test_results_of_another_shape_open_as_one_new_image_with_the_group(run_gimp_batch, emu, gimp_profile):
    report = run_plugin(run_gimp_batch, emu, gimp_profile, "variants_e2e/other_shape.py").report
    assert report["status"] == "success", report["message"]
    assert report["siblings"] == ["top", "face"] and not report["dirty"], "the source image changed"
    ((width, height, layer_names),) = report["new_images"]
    assert abs(width / height - 9 / 16) < 0.01 and layer_names == ["Halloween Mask variants"]
    assert report["group_image_is_new"]
    assert [c["name"] for c in report["children"]] == ["Halloween Mask 3", "Halloween Mask 7"]
    assert all(c["size"] == [width, height] and c["offsets"] == [0, 0] for c in report["children"])
    assert [task.aspect_ratio for task in emu.tasks.values()] == ["9:16", "9:16"]


def test_a_failing_style_is_named_and_the_others_are_inserted(run_gimp_batch, emu, gimp_profile):
    emu.configure(failures_by_style={12: Failure("poll_error")})
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "variants_e2e/failures.py")
    partial, everything = result.report["partial"], result.report["all"]
    assert partial["status"] == "success", partial["message"]
    assert partial["children"] == ["Halloween Mask 3", "Halloween Mask 7"]
    assert partial["failed"].startswith("Mask 12: The service is busy") and "\n" not in partial["failed"]
    assert "Some mask styles did not work; the others were added:\nMask 12: The service is busy" in result.log

    assert everything["status"] == "execution-error"
    message = everything["message"]
    assert message.startswith("No mask style worked, so nothing was added:")
    reason, *details = message.splitlines()[1:]  # the same reason once, with its styles (issue 18 §7)
    assert reason.startswith("Masks 3, 7, 12: The service is busy") and reason.endswith("Nothing was charged.")
    assert [line.split(":")[0] for line in details] == ["  3", "  7", "  12"]
    assert everything["siblings"] == ["top", "face"] and not everything["dirty"] and everything["source_same"]
    assert everything["scratch_left"] == []
    assert_no_traceback(result.log)


def test_a_killed_run_is_collected_by_the_next_without_paying_twice(run_gimp_batch, emu, gimp_profile):
    emu.configure(processing_seconds=4.0)
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "variants_e2e/killed.py")
    report = result.report
    assert report["first"][0] != "success" and report["after_kill"] == ["top", "face"]
    assert report["status"] == "success", report["message"]
    assert report["children"] == [f"Halloween Mask {n}" for n in (3, 7, 12, 40)]
    styles = [task.mask_style for task in emu.tasks.values()]
    assert sorted(styles) == [3, 7, 12, 40], f"a style was paid for twice: {styles}"
    assert len(emu.requests_to("submit")) == 4
    assert result.log.count("from an earlier run") == 4
