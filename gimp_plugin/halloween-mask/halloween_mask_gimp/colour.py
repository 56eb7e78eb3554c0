"""Colours and transparency of results in GIMP: a result is transparent where its source is.

Colours need no code of ours: GIMP converts a layer copied into the sRGB export image through the
source image's profile, and a loaded result (an untagged PNG, taken as sRGB) into the image's
profile (measured in GIMP 3.0.4 and 3.2.6 with an Adobe RGB image: tests/gimp/test_colour_e2e.py).
The export writes no colour under fully transparent pixels. But the service may drop the alpha
channel (the vendor documents none), so its result is opaque: ``keep_transparency`` gives the
result layer the source's transparency over the same pixels.
"""

from __future__ import annotations

import gi

gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402

# The source's alpha, read as it is, becomes the values of a layer mask (a mask takes them as Y);
# float keeps a 16- or 32-bit source's soft edges exact.
ALPHA_FORMAT, MASK_FORMAT = "A float", "Y float"
OPAQUE_MEAN = 254.999  # mean alpha (0-255) of a layer that is opaque but for a negligible speck


def has_transparency(drawable: Gimp.Drawable) -> bool:
    """Whether ``drawable`` has meaningful transparency (an unused alpha channel does not count)."""
    if not drawable.has_alpha():
        return False
    # GIMP 3.0 ignores the range for the alpha histogram, so judge by the mean alpha.
    _ok, mean, *_rest = drawable.histogram(Gimp.HistogramChannel.ALPHA, 0.0, 1.0)
    return mean < OPAQUE_MEAN


def keep_transparency(layer: Gimp.Layer, source: Gimp.Drawable) -> None:
    """Make ``layer`` (in place over ``source``, no mask yet) transparent where the source is.

    The source's alpha over the layer's pixels (none outside the source) is applied to the layer's
    own alpha, as Layer > Mask > Apply Layer Mask does; nothing happens for an opaque source.
    """
    if layer.get_mask() is not None or not has_transparency(source):
        return
    _ok, x, y = layer.get_offsets()
    _ok, source_x, source_y = source.get_offsets()
    width, height = layer.get_width(), layer.get_height()
    area = Gegl.Rectangle.new(x - source_x, y - source_y, width, height)
    alpha = source.get_buffer().get(area, 1.0, ALPHA_FORMAT, Gegl.AbyssPolicy.NONE)
    if not layer.has_alpha():
        layer.add_alpha()
    mask = layer.create_mask(Gimp.AddMaskType.WHITE)
    layer.add_mask(mask)
    buffer = mask.get_buffer()
    buffer.set(Gegl.Rectangle.new(0, 0, width, height), MASK_FORMAT, alpha)
    buffer.flush()
    mask.update(0, 0, width, height)
    layer.remove_mask(Gimp.MaskApplyMode.APPLY)
