"""Selections: a large photo with a face to select, and what a result over a selection looks like."""

import hashlib

from gi.repository import Gegl, Gimp
from hm import hm_load
from plugin_lib import call, digest, info, names, px


def portrait_on_white(size, name, box, face_side, face_at):
    """An image of ``size`` with one white layer ``name`` at ``box`` (x, y, w, h) holding the portrait scaled to
    ``face_side`` px at ``face_at`` (image coordinates); (image, layer), clean."""
    portrait = hm_load("portrait.png")
    image = Gimp.Image.new(*size, Gimp.ImageBaseType.RGB)
    x, y, width, height = box
    photo = Gimp.Layer.new(image, name, width, height, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(photo, None, 0)
    photo.set_offsets(x, y)
    photo.fill(Gimp.FillType.WHITE)
    face = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
    image.insert_layer(face, None, 0)
    face.scale(face_side, face_side, False)
    face.set_offsets(*face_at)
    photo = image.merge_down(face, Gimp.MergeType.CLIP_TO_BOTTOM_LAYER)
    photo.set_name(name)
    portrait.delete()
    image.clean_all()
    return image, photo


def large_photo():
    """A 3400x2800 image with one 3000x2400 layer at 200,150: white, the portrait scaled to 1600 px at 700,300."""
    return portrait_on_white((3400, 2800), "photo", (200, 150, 3000, 2400), 1600, (700, 300))


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
    return {
        "mask": True,
        "off_by": max(abs(a - b) for a, b in zip(values, under, strict=False)),
        "soft": len(set(values)) > 2,
        "min_max": [min(values), max(values)],
    }


def selected_run(select):
    image, photo = large_photo()
    before = digest(photo)
    select(image)
    bounds = selection_bounds(image)
    status, message = call(image, photo, mask_style="mask-7", reuse=False)  # each case is sent
    new = image.get_layers()[0]
    result = {
        "status": status,
        "message": message,
        "bounds": bounds,
        "new": info(new),
        "pixels": hashlib.sha256(px(new, "R'G'B' u8")).hexdigest(),
        "source_same": digest(photo) == before,
        "names": names(image),
    }
    result.update(mask_report(new))
    image.delete()
    return result
