"""Selections in a real GIMP 3: only the part around the selection is sent, the result masked by it.

A large offset layer holds the portrait scaled up; a rectangle and a feathered ellipse over
the face are uploaded as their bounding box grown by a quarter per side (the emulator logs
the upload's size), the result sits exactly at that box, and its layer mask is the selection.
"""

from __future__ import annotations

import pytest
from halloween_mask.region import Box, upload_box
from test_plugin_e2e import assert_no_traceback, run_plugin
from test_variants_e2e import result_pixels

LAYER = Box(200, 150, 3000, 2400)  # the photo layer inside a 3400x2800 image
FACE_SELECTION = Box(1200, 520, 420, 420)  # over the face of the portrait scaled to 1600 px at 700,300


pytestmark = pytest.mark.usefixtures("fresh_emulator")


def test_only_the_selected_part_is_sent_and_the_result_is_masked_by_it(run_gimp_batch, emu, gimp_profile):
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "selection_e2e/selected_parts.py")
    report = result.report
    tasks = list(emu.tasks.values())
    assert len(tasks) == 6

    for label, task in (("rectangle", tasks[0]), ("ellipse", tasks[1])):
        case = report[label]
        assert case["status"] == "success", (label, case["message"])
        box = upload_box(Box(*case["bounds"]), LAYER)
        assert task.image_size == (box.width, box.height), f"{label}: the upload is not the grown, clipped box"
        assert case["new"]["offsets"] == [box.x, box.y] and case["new"]["size"] == [box.width, box.height], label
        assert case["new"]["provenance"]["region"] == box.as_dict(), label
        assert case["pixels"] == result_pixels(task), f"{label}: the layer does not hold the result as sent"
        assert case["mask"] and case["off_by"] <= 1, f"{label}: the layer mask is not the selection"
        assert case["new"]["name"] == "Halloween Mask 7" and case["names"] == ["Halloween Mask 7", "photo"], label
        assert case["source_same"], f"{label}: the source layer's pixels changed"
    # 25 % of 420 px is 105 px on each side.
    assert Box(*report["rectangle"]["bounds"]) == FACE_SELECTION and tasks[0].image_size == (630, 630)
    assert report["rectangle"]["new"]["offsets"] == [1095, 415]
    assert report["rectangle"]["min_max"] == [0, 255] and not report["rectangle"]["soft"]
    assert report["ellipse"]["soft"], "the feathered edge of the selection was lost"
    # The emulator found the face inside the part it was sent.
    assert all(task.face_box is not None for task in tasks[:2])

    for label, task in (("missed", tasks[2]), ("none", tasks[3])):
        case = report[label]
        assert case["status"] == "success", (label, case["message"])
        assert task.image_size == (3000, 2400), f"{label}: not the whole layer"
        assert case["new"]["offsets"] == [200, 150] and case["new"]["size"] == [3000, 2400], label
        assert case["mask"] is None and case["new"]["provenance"]["region"] is None, label
    assert result.log.count("the selection does not touch the layer, so the whole layer is uploaded") == 1

    variants = report["variants"]
    assert variants["status"] == "success", variants["message"]
    assert [c["name"] for c in variants["children"]] == ["Halloween Mask 3", "Halloween Mask 12"]
    for child in variants["children"]:
        assert child["offsets"] == [1095, 415] and child["size"] == [630, 630]
        assert child["mask"] and child["off_by"] <= 1 and child["provenance"]["region"]["width"] == 630
    assert [task.image_size for task in tasks[4:]] == [(630, 630)] * 2
    assert report["scratch_left"] == []
    assert_no_traceback(result.log)
