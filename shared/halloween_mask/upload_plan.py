"""What to upload for a layer: format, quality and pixel size that fit the API's limits.

Pure arithmetic, no GIMP and no Pillow: the GIMP plug-in asks here what to export, exports it
with GIMP's own exporters, and asks again (``shrink``) if the file came out too big.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .errors import InvalidArgumentError, TooLargeError
from .imageformat import MAX_SIDE, MAX_UPLOAD_BYTES

JPEG_QUALITY = 95  # high enough for >= 40 dB PSNR on photos, a fraction of a PNG's bytes
MIN_JPEG_QUALITY = 80  # below this, fewer pixels look better than more artefacts
QUALITY_STEP = 5
BYTE_MARGIN = 0.92  # aim a little under the limit when shrinking, so one retry usually suffices
MIN_SIDE = 16


@dataclass(frozen=True)
class UploadPlan:
    """Encode the layer as ``format`` ("jpeg" or "png") at ``width`` x ``height``."""

    format: str
    width: int
    height: int
    quality: int = JPEG_QUALITY  # JPEG only, 0-100

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format


def fit_size(width: int, height: int, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) so both sides are at most ``max_side``."""
    if width <= 0 or height <= 0:
        raise InvalidArgumentError(f"empty layer: {width}x{height}")
    scale = min(1.0, max_side / max(width, height))
    if scale == 1.0:
        return width, height
    return max(1, min(max_side, round(width * scale))), max(1, min(max_side, round(height * scale)))


def plan_upload(width: int, height: int, transparent: bool) -> UploadPlan:
    """The first attempt: PNG when the layer has meaningful transparency, else a high-quality JPEG.

    ``transparent`` means some pixel is not fully opaque; an alpha channel that is opaque
    everywhere does not count (a photo with an unused alpha channel still goes as JPEG).
    """
    fitted_width, fitted_height = fit_size(width, height)
    return UploadPlan("png" if transparent else "jpeg", fitted_width, fitted_height)


def shrink(plan: UploadPlan, size: int, limit: int = MAX_UPLOAD_BYTES) -> UploadPlan | None:
    """The next attempt after ``plan`` encoded to ``size`` bytes; ``None`` when it already fits.

    A JPEG first gives up a little quality (down to ``MIN_JPEG_QUALITY``), then pixels; a PNG
    gives up pixels, by the square root of the byte overshoot (bytes grow with area).
    """
    if size < limit:
        return None
    if plan.format == "jpeg" and plan.quality - QUALITY_STEP >= MIN_JPEG_QUALITY and size < 1.5 * limit:
        return replace(plan, quality=plan.quality - QUALITY_STEP)
    scale = min(0.95, math.sqrt(limit * BYTE_MARGIN / size))
    width, height = round(plan.width * scale), round(plan.height * scale)
    if min(width, height) < MIN_SIDE:
        raise TooLargeError(f"it cannot be made smaller than {limit:,} bytes")
    return replace(plan, width=width, height=height)
