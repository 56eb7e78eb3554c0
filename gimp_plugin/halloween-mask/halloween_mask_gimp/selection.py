"""The image's selection, read for an upload: which part of the source layer to send."""

from __future__ import annotations

from gi.repository import Gimp
from halloween_mask.region import Box, upload_box


def layer_box(layer: Gimp.Layer) -> Box:
    """Where ``layer`` lies in the image, in image pixels."""
    _ok, x, y = layer.get_offsets()
    return Box(x, y, layer.get_width(), layer.get_height())


def selection_box(image: Gimp.Image) -> Box | None:
    """The bounding box of the image's selection, or ``None`` when nothing is selected."""
    _ok, non_empty, x1, y1, x2, y2 = Gimp.Selection.bounds(image)
    return Box.from_corners(x1, y1, x2, y2) if non_empty else None


def upload_region(image: Gimp.Image, layer: Gimp.Layer) -> tuple[Box | None, bool]:
    """The part of ``layer`` to upload (image pixels; ``None``: all of it), and whether a selection missed it."""
    selected = selection_box(image)
    region = upload_box(selected, layer_box(layer))
    return region, selected is not None and region is None
