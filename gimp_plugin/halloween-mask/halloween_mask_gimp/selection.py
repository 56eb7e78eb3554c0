"""The image's selection, read for an upload: which part of the source layer to send, and the
selection's values over that part, kept from the start of the run for the result's layer mask
(so a selection changed or dropped while the service works does not change the result)."""

from __future__ import annotations

from dataclasses import dataclass

import gi

gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402
from halloween_mask.region import Box, upload_box  # noqa: E402

# GIMP's own "Add Layer Mask > Selection" copies the selection's values as they are: the
# selection reads them as Y', a layer mask takes them as Y. Float keeps feathered edges exact.
SELECTION_FORMAT, MASK_FORMAT = "Y' float", "Y float"


@dataclass(frozen=True)
class SelectedPart:
    """The part of the layer uploaded (image pixels) and the selection's values over it, row by row."""

    box: Box
    values: bytes


def layer_box(layer: Gimp.Layer) -> Box:
    """Where ``layer`` lies in the image, in image pixels."""
    _ok, x, y = layer.get_offsets()
    return Box(x, y, layer.get_width(), layer.get_height())


def selection_box(image: Gimp.Image) -> Box | None:
    """The bounding box of the image's selection, or ``None`` when nothing is selected."""
    _ok, non_empty, x1, y1, x2, y2 = Gimp.Selection.bounds(image)
    return Box.from_corners(x1, y1, x2, y2) if non_empty else None


def selected_part(image: Gimp.Image, layer: Gimp.Layer) -> tuple[SelectedPart | None, bool]:
    """The part of ``layer`` to upload (``None``: all of it), and whether a selection missed the layer."""
    selected = selection_box(image)
    box = upload_box(selected, layer_box(layer))
    if box is None:
        return None, selected is not None
    values = image.get_selection().get_buffer().get(_rectangle(box), 1.0, SELECTION_FORMAT, Gegl.AbyssPolicy.NONE)
    return SelectedPart(box, bytes(values)), False


def add_selection_mask(layer: Gimp.Layer, part: SelectedPart) -> None:
    """Give ``layer`` (placed at ``part.box``) a layer mask holding the selection kept in ``part``."""
    mask = layer.create_mask(Gimp.AddMaskType.BLACK)
    layer.add_mask(mask)
    buffer = mask.get_buffer()
    buffer.set(Gegl.Rectangle.new(0, 0, part.box.width, part.box.height), MASK_FORMAT, part.values)
    buffer.flush()
    mask.update(0, 0, part.box.width, part.box.height)


def _rectangle(box: Box) -> Gegl.Rectangle:
    return Gegl.Rectangle.new(box.x, box.y, box.width, box.height)
