"""Selections in a real GIMP 3: only the part around the selection is sent, the result masked by it.

A large offset layer holds the portrait scaled up; a rectangle and a feathered ellipse over
the face are uploaded as their bounding box grown by a quarter per side (the emulator logs
the upload's size), the result sits exactly at that box, and its layer mask is the selection.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from halloween_mask.region import Box, upload_box
from PIL import Image
from plugin_batch import PLUGIN_LIB, PORTRAIT, plugin_env
from test_plugin_e2e import assert_no_traceback
from test_variants_e2e import VARIANTS_LIB

LAYER = Box(200, 150, 3000, 2400)  # the photo layer inside a 3400x2800 image
FACE_SELECTION = Box(1200, 520, 420, 420)  # over the face of the portrait scaled to 1600 px at 700,300

SELECTION_LIB = r'''
def large_photo():
    """A 3400x2800 image with one 3000x2400 layer at 200,150: white, the portrait scaled to 1600 px at 700,300."""
    portrait = hm_load("portrait.png")
    image = Gimp.Image.new(3400, 2800, Gimp.ImageBaseType.RGB)
    photo = Gimp.Layer.new(image, "photo", 3000, 2400, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(photo, None, 0)
    photo.set_offsets(200, 150)
    photo.fill(Gimp.FillType.WHITE)
    face = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
    image.insert_layer(face, None, 0)
    face.scale(1600, 1600, False)
    face.set_offsets(700, 300)
    photo = image.merge_down(face, Gimp.MergeType.CLIP_TO_BOTTOM_LAYER)
    photo.set_name("photo")
    portrait.delete()
    image.clean_all()
    return image, photo


def selection_bounds(image):
    _ok, non_empty, x1, y1, x2, y2 = Gimp.Selection.bounds(image)
    return [x1, y1, x2 - x1, y2 - y1] if non_empty else None


def mask_report(layer):
    """The layer's mask against the selection under it: the largest difference of their values (0-255)."""
    mask = layer.get_mask()
    if mask is None:
        return {"mask": None}
    _ok, x, y = layer.get_offsets()
    selection = layer.get_image().get_selection()
    rect = Gegl.Rectangle.new(x, y, layer.get_width(), layer.get_height())
    # GIMP copies the selection's values into the mask as they are (Layer > Mask > Add Layer Mask >
    # Selection does the same); the selection stores them as Y', a mask of an 8-bit image as Y.
    under = selection.get_buffer().get(rect, 1.0, "Y' u8", Gegl.AbyssPolicy.NONE)
    values = px(mask, "Y u8")
    return {"mask": True, "off_by": max(abs(a - b) for a, b in zip(values, under)),
            "soft": len(set(values)) > 2, "min_max": [min(values), max(values)]}


def selected_run(select):
    image, photo = large_photo()
    before = digest(photo)
    select(image)
    bounds = selection_bounds(image)
    status, message = call(image, photo, mask_style="mask-7", reuse=False)  # each case is sent
    new = image.get_layers()[0]
    result = {"status": status, "message": message, "bounds": bounds, "new": info(new),
              "pixels": hashlib.sha256(px(new, "R'G'B' u8")).hexdigest(), "source_same": digest(photo) == before,
              "names": names(image)}
    result.update(mask_report(new))
    image.delete()
    return result
'''

SELECTION_RUN = r"""
report = {}
report["rectangle"] = selected_run(lambda image: image.select_rectangle(Gimp.ChannelOps.REPLACE, 1200, 520, 420, 420))


def feathered_ellipse(image):
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 1230, 520, 360, 420)
    Gimp.Selection.feather(image, 40.0)


report["ellipse"] = selected_run(feathered_ellipse)
# A selection beside the layer (the image is larger): the whole layer, said in the log.
report["missed"] = selected_run(lambda image: image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 100, 100))
report["none"] = selected_run(lambda image: Gimp.Selection.none(image))

# Variants with a selection: every variant layer is placed at the box and masked.
image, photo = large_photo()
image.select_rectangle(Gimp.ChannelOps.REPLACE, 1200, 520, 420, 420)
status, message, group, failed = variants(image, photo, "3, 12")
report["variants"] = {"status": status, "message": message,
                      "children": [dict(info(c), **mask_report(c)) for c in group.get_children()] if group else []}
image.delete()
report["scratch_left"] = scratch_left()
hm_write_report(report)
"""


pytestmark = pytest.mark.usefixtures("fresh_emulator")


def result_pixels(task) -> str:
    with Image.open(io.BytesIO(task.result)) as result:
        return hashlib.sha256(result.convert("RGB").tobytes()).hexdigest()


def test_only_the_selected_part_is_sent_and_the_result_is_masked_by_it(run_gimp_batch, emu, gimp_profile):
    settings = f"{gimp_profile.home_inside}/halloween-mask-settings.json"
    result = run_gimp_batch(
        PLUGIN_LIB + VARIANTS_LIB + SELECTION_LIB + SELECTION_RUN,
        plugin_env(emu.base_url, settings),
        files={"portrait.png": PORTRAIT},
    )
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
