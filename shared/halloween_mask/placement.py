"""Where a result goes and what it is called: pure decisions the GIMP plug-in acts on.

A result with the source layer's shape becomes a new layer over it, scaled back to the
source's size; a result of another shape (a fixed aspect ratio the source does not have)
opens as a new image rather than being stretched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from . import __version__
from .i18n import _
from .region import Box

ASPECT_TOLERANCE = 0.02  # relative; covers rounding when the API or the upload fit resizes
PARASITE_NAME = "halloween-mask-provenance"


@dataclass(frozen=True)
class Placement:
    """``"layer"``: insert over the source at ``width`` x ``height``; ``"image"``: open a new image."""

    target: str
    width: int
    height: int


def same_shape(width_a: int, height_a: int, width_b: int, height_b: int, tolerance: float = ASPECT_TOLERANCE) -> bool:
    """Whether two sizes have the same aspect ratio within ``tolerance`` (relative)."""
    ratio_a, ratio_b = width_a / height_a, width_b / height_b
    return abs(ratio_a - ratio_b) <= tolerance * ratio_a


def place_result(source_size: tuple[int, int], result_size: tuple[int, int], new_image: bool = False) -> Placement:
    """Where a ``result_size`` result of a ``source_size`` layer goes.

    ``new_image`` forces a new image; otherwise a result of the source's shape goes over the
    source at the source's size, and anything else into a new image at its own size.
    """
    if not new_image and same_shape(*source_size, *result_size):
        return Placement("layer", *source_size)
    return Placement("image", *result_size)


def layer_name(style: int | None) -> str:
    """ "Halloween Mask 7" for a style, "Halloween Mask (template)" for a template, in the user's language."""
    return _("Halloween Mask {number}").format(number=style) if style is not None else _("Halloween Mask (template)")


def provenance(
    style: int | None, aspect_ratio: str, task_id: str, when: datetime | None = None, region: Box | None = None
) -> bytes:
    """The JSON payload of the provenance parasite: what made the layer; never the key.

    ``region`` is the part of the image that was uploaded (image pixels), ``null`` for the whole layer.
    """
    when = when or datetime.now(timezone.utc)
    record = {
        "generator": "AI Halloween Mask (AILabTools)",
        "style": style if style is not None else "template",
        "aspect_ratio": aspect_ratio,
        "task_id": task_id,
        "region": region.as_dict() if region is not None else None,
        "created": when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "plugin_version": __version__,
    }
    return json.dumps(record, sort_keys=True).encode()
