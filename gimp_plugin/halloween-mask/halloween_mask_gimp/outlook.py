"""What the dialog says will happen to what it sends, before OK (issue 18 §4, §5).

``outlook(width, height, ratio, new_image)`` gives the lines for the part that goes: that a fixed
aspect ratio the layer does not have opens the result as a new image; that a layer is too small
for a face to be found; that a large one is sent scaled down to the service's limit and its result
scaled back. No Gimp or Gtk here, so it is tested on its own.
"""

from __future__ import annotations

from halloween_mask.i18n import _
from halloween_mask.imageformat import MAX_SIDE
from halloween_mask.placement import same_shape
from halloween_mask.upload_plan import fit_size

# The smallest face a detector finds: the emulator's Haar cascade has a 24 x 24 px window and looks
# for nothing smaller (detect.py: minSize 24); AILabTools documents no minimum for this endpoint
# (its error list has ERROR_SMALL_FACE_SIZE, no number). A part narrower than this holds no face.
MIN_FACE_SIDE = 24


def outlook(width: int, height: int, ratio: str, new_image: bool) -> list[str]:
    """The lines the dialog shows under "Sends …" for a ``width`` x ``height`` part (none: all is plain)."""
    lines = []
    shaped = ratio != "auto" and not same_shape(width, height, *_ratio(ratio))
    if shaped and not new_image:
        text = _("Aspect ratio {ratio}: the result has another shape than the layer, so it opens as a new image.")
        lines.append(text.format(ratio=ratio))
    if min(width, height) < MIN_FACE_SIDE:
        text = _(
            "Too small for a face to be found ({width} x {height} px; a face needs at least {side} px): "
            "the service would answer “no face”."
        )
        lines.append(text.format(width=width, height=height, side=MIN_FACE_SIDE))
    if max(width, height) > MAX_SIDE:
        sent = fit_size(width, height)
        text = (
            _("Larger than the service takes: sent scaled down to {sent}, the result is scaled back to {size}.")
            if not (shaped or new_image)
            else _("Larger than the service takes: sent scaled down to {sent}.")
        )
        lines.append(text.format(sent=_size(*sent), size=_size(width, height)))
    return lines


def _ratio(ratio: str) -> tuple[int, int]:
    width, height = ratio.replace("x", ":").split(":")
    return int(width), int(height)


def _size(width: int, height: int) -> str:
    """``"4095 x 2730 px"`` with no-break spaces: a size is never split over two lines."""
    return f"{width}\u00a0x\u00a0{height}\u00a0px"
