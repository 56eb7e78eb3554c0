"""Many photos at once in a real GIMP 3: every selected layer, every open image (issue 16).

Each selected layer gets its own result (or variants group) directly above it in its parent,
placed as a single run places it; the requests wait at the service together; a layer that
fails is named with its reason while the others get their results; layer groups and empty
layers are named and skipped; Filters ▸ AI ▸ Halloween Mask on All Open Images… does the same
for the selected layers of every open image. The emulator runs in this process.
"""

from __future__ import annotations

import re

import pytest
from emulator_support import make_no_face_png
from plugin_batch import SECRET_KEY
from test_history_e2e import kept
from test_plugin_e2e import assert_no_traceback, run_plugin
from test_variants_e2e import most_in_flight, result_pixels

pytestmark = pytest.mark.usefixtures("fresh_emulator")

NO_FACE_MESSAGE = "No usable face was found"


def plain(tree):
    """A layer tree with GIMP's uniqueness suffixes dropped: two results of one style in an image are
    named "Halloween Mask 7" and "Halloween Mask 7 #1" by GIMP itself."""
    if isinstance(tree, list):
        return [plain(item) for item in tree]
    return re.sub(r" #\d+$", "", tree)


def run_batch(run_gimp_batch, emu, profile, script):
    """Run ``script`` with the portrait and a photo with no face in it (landscape.png) in the work folder."""
    return run_plugin(run_gimp_batch, emu, profile, script, files={"landscape.png": make_no_face_png()})


def test_three_selected_layers_each_get_their_result_directly_above_them(run_gimp_batch, emu, gimp_profile):
    emu.configure(processing_seconds=2.0)  # long enough to see the tasks wait together
    result = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/three_layers.py")
    report = result.report
    assert report["run"]["status"] == "success", report["run"]["message"]
    assert report["run"]["values"] == ["Halloween Mask 7", ""]  # the first source's result; no failed layer
    # GIMP keeps layer names unique in an image: the second and third become "... #1", "... #2".
    made = ["Halloween Mask 7", "Halloween Mask 7 #1", "Halloween Mask 7 #2"]
    assert report["tree"] == [made[0], "A", ["Group", ["note", made[1], "B"]], made[2], "C", "Background"]
    for source, made in zip(report["sources"], report["results"], strict=True):
        assert made["parent"] == source["parent"]
        assert made["position"] == source["position"] - 1
        assert made["size"] == source["size"] and made["offsets"] == source["offsets"]
        assert made["provenance"]["style"] == 7 and made["provenance"]["region"] is None
    assert [s["offsets"] for s in report["sources"]] == [[20, 30], [560, 40], [300, 380]]
    assert [s["size"] for s in report["sources"]] == [[512, 512], [448, 448], [512, 512]]
    assert report["sources_same"], "a source layer's pixels changed"
    assert sorted(report["selected"]) == ["A", "B", "C"], "the sources should stay selected (for Repeat)"
    assert report["scratch_left"] == []

    # Three submits that waited at the service together; each layer holds its own task's result.
    # The single run to compare with re-uses the kept result of the same request: nothing sent.
    assert len(emu.requests_to("submit")) == 3
    assert "Halloween Mask reused the mask made on" in result.log
    entries, thumbnails = kept(result)
    assert len(entries) == 3 and sorted(thumbnails) == entries, "each layer's result is kept, with its thumbnail"
    assert sorted(made["provenance"]["history_entry"] for made in report["results"]) == entries
    tasks = emu.tasks
    batch_tasks = [tasks[made["provenance"]["task_id"]] for made in report["results"]]
    assert len({task.task_id for task in batch_tasks}) == 3
    assert most_in_flight(batch_tasks) >= 2, "the layers were not sent concurrently"
    for task, pixels in zip(batch_tasks, report["pixels"], strict=True):
        assert pixels == result_pixels(task)

    # A single run on the same layer places and paints its result the same way.
    assert report["single"]["status"] == "success"
    alone, batched = dict(report["single_result"]), dict(report["results"][1])
    for entry in (alone, batched):
        entry.pop("selected")
        entry.pop("name")
        entry["provenance"].pop("task_id")
        entry["provenance"].pop("created")
        entry["provenance"].pop("history_entry", None)  # the batch's result is kept in the history once
        entry["provenance"]["source"].pop("tattoo")  # a duplicated image's layers have tattoos of their own
    assert alone == batched
    assert report["single_pixels"] == report["pixels"][1]
    assert SECRET_KEY not in result.log
    assert_no_traceback(result.log)


def test_failed_and_skipped_layers_are_named_and_the_others_get_their_results(run_gimp_batch, emu, gimp_profile):
    result = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/failures.py")
    report = result.report
    partial = report["partial"]
    assert partial["status"] == "success", partial["message"]
    first, failed = partial["values"]
    assert first == "Halloween Mask 3"
    lines = failed.splitlines()
    assert len(lines) == 3, failed
    assert lines[0].startswith("'Group': ") and "group" in lines[0]
    assert lines[1].startswith("'IMG_0042': ") and NO_FACE_MESSAGE in lines[1]
    assert lines[2].startswith("'Empty': ") and "empty" in lines[2]
    assert plain(report["partial_tree"]) == [
        "Empty",
        "Halloween Mask 3",
        "A",
        ["Group", ["note", "B"]],
        "IMG_0042",
        "Background",
    ]
    assert "'IMG_0042': " in result.log and NO_FACE_MESSAGE in result.log  # the message GIMP shows
    # Only the photo and the landscape were sent: not the group, not the empty layer.
    assert len(emu.requests_to("submit")) == 2 + 3

    everything = report["all"]
    assert everything["status"] == "execution-error"
    assert [line.split(":")[0] for line in everything["message"].splitlines()[1:]] == ["'L1'", "'L2'", "'L3'"]
    assert report["all_tree"] == ["L3", "L2", "L1"] and not report["all_dirty"], "nothing may be inserted"
    assert report["scratch_left"] == []

    groups = report["only_groups"]
    assert groups["status"] == "calling-error" and "'Group'" in groups["message"]
    assert len(emu.requests_to("submit")) == 5, "a layer group was sent"
    assert_no_traceback(result.log)


def test_a_selection_limits_and_masks_each_layers_result(run_gimp_batch, emu, gimp_profile):
    from halloween_mask.region import Box, upload_box

    report = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/selection.py").report
    assert report["run"]["status"] == "success", report["run"]["message"]
    selection = Box(100, 100, 700, 300)
    for made, layer in zip(report["results"], (Box(20, 30, 512, 512), Box(560, 40, 448, 448)), strict=True):
        part = upload_box(selection, layer)
        assert made["provenance"]["region"] == part.as_dict()
        assert made["offsets"] == [part.x, part.y] and made["size"] == [part.width, part.height]
    assert report["masks"] == [True, True] and report["mask_max"] == [255, 255]
    assert len(emu.requests_to("submit")) == 2


def test_variants_on_two_layers_give_two_groups(run_gimp_batch, emu, gimp_profile):
    result = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/two_layers_variants.py")
    report = result.report
    assert report["run"]["status"] == "success", report["run"]["message"]
    assert report["run"]["values"] == ["Halloween Mask variants", "", ""]
    styles = ["Halloween Mask 3", "Halloween Mask 7"]
    group = ["Halloween Mask variants", styles]
    assert plain(report["tree"]) == [group, "A", ["Group", ["note", group, "B"]], "C", "Background"]
    for made, offsets in zip(report["children"], ([20, 30], [560, 40]), strict=True):
        assert [c["offsets"] for c in made] == [offsets, offsets]
    assert sorted(task.mask_style for task in list(emu.tasks.values())[:4]) == [3, 3, 7, 7]

    assert report["twelve"]["status"] == "success", report["twelve"]["message"]
    assert str(report["twelve_tree"]).count("Halloween Mask variants") == 3
    assert len(emu.requests_to("submit")) == 4 + 12
    entries, thumbnails = kept(result)
    assert len(entries) == 16 and sorted(thumbnails) == entries


def test_every_open_image_gets_its_results(run_gimp_batch, emu, gimp_profile):
    emu.configure(processing_seconds=1.0)
    report = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/all_images.py").report
    assert report["menu"] == ["<Image>/Filters/AI"]
    assert report["label"] == "Halloween Mask on _All Open Images..."
    assert report["args"][1:8] == [
        "mask-style",
        "template",
        "aspect-ratio",
        "placement",
        "deadline",
        "source",
        "template-layer",
    ]
    assert report["run"]["status"] == "success", report["run"]["message"]
    assert report["run"]["values"] == [""]
    made = "Halloween Mask 9"
    assert plain(report["trees"]) == [
        [made, "A", ["Group", ["note", "B"]], made, "C", "Background"],
        [made, "Background"],
        [made, "Photo"],
    ]
    assert report["dirty"] == [True, True, True]
    tasks = list(emu.tasks.values())
    assert len(tasks) == 4 and {task.mask_style for task in tasks} == {9}
    assert most_in_flight(tasks) >= 2


def test_a_killed_run_is_collected_by_the_next_and_each_mask_paid_once(run_gimp_batch, emu, gimp_profile):
    emu.configure(processing_seconds=4.0)
    result = run_batch(run_gimp_batch, emu, gimp_profile, "batch_e2e/killed.py")
    report = result.report
    assert report["first"]["status"] != "success"
    assert report["after_kill"] == ["A", ["Group", ["note", "B"]], "C", "Background"]
    assert report["again"]["status"] == "success", report["again"]["message"]
    made = "Halloween Mask 4"
    assert plain(report["tree"]) == [made, "A", ["Group", ["note", made, "B"]], made, "C", "Background"]
    assert len(emu.tasks) == 3 and len(emu.requests_to("submit")) == 3, "a mask was paid for twice"
    assert result.log.count("Halloween Mask collected the mask paid at") == 3
