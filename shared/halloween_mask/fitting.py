"""Make any image Pillow can read fit the service's limits (command line only: needs Pillow).

Imported lazily by the CLI, never on the client path the GIMP plug-in uses.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import TooLargeError, UnsupportedFormatError
from .imageformat import MAX_SIDE, MAX_UPLOAD_BYTES, NotAnImageError, limit_problems, read_image_info

JPEG_QUALITY = 92
SHRINK_STEP = 0.85  # each retry scales the longer side by this much
MIN_SIDE = 256  # below this a portrait is useless: give up instead


def fit_for_upload(data: bytes) -> tuple[bytes, str | None]:
    """``data`` unchanged if the service takes it as is; else a downscaled/re-encoded copy and a notice.

    Opaque images become JPEG (quality 92); images whose transparency matters become PNG, or WEBP
    when a PNG would be too large.
    """
    try:
        if not limit_problems(read_image_info(data), len(data)):
            return data, None
    except NotAnImageError:
        pass  # another format (TIFF, BMP ...): convert it if Pillow can read it
    try:
        with Image.open(io.BytesIO(data)) as opened:
            source_format = opened.format or "image"
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsupportedFormatError(f"the image cannot be read ({type(exc).__name__})") from None

    image = _to_8bit(image)
    original = image.size
    keep_alpha = image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] < 255
    scale = min(1.0, MAX_SIDE / max(original))
    while True:
        size = tuple(min(MAX_SIDE, max(1, round(side * scale))) for side in original)
        resized = image if size == original else image.resize(size, Image.Resampling.LANCZOS)
        encoded, label = _encode(resized, keep_alpha)
        if len(encoded) < MAX_UPLOAD_BYTES:
            break
        scale *= SHRINK_STEP
        if max(size) * SHRINK_STEP < MIN_SIDE:
            raise TooLargeError(f"the image cannot be made smaller than {MAX_UPLOAD_BYTES:,} bytes")
    same = label.split()[0] == source_format
    changes = [f"re-encoded as {label}" if same else f"converted from {source_format} to {label}"]
    if size != original:
        changes.insert(0, f"scaled from {original[0]}x{original[1]} to {size[0]}x{size[1]} px")
    return encoded, f"The image was {' and '.join(changes)} ({len(encoded):,} bytes) to fit the service's limits."


def _to_8bit(image: Image.Image) -> Image.Image:
    """RGB or RGBA (8 bits per channel) from any mode, keeping transparency and 16-bit tones."""
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        high = 65535 if image.mode.startswith("I;16") or image.getextrema()[1] > 255 else 255
        image = image.convert("I").point(lambda v: v * 255 / high).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def _encode(image: Image.Image, keep_alpha: bool) -> tuple[bytes, str]:
    if not keep_alpha:
        return _save(
            image.convert("RGB"), "JPEG", quality=JPEG_QUALITY, optimize=True
        ), f"JPEG (quality {JPEG_QUALITY})"
    png = _save(image, "PNG", optimize=True)
    if len(png) < MAX_UPLOAD_BYTES:
        return png, "PNG"
    return _save(image, "WEBP", quality=JPEG_QUALITY, method=4), f"WEBP (quality {JPEG_QUALITY})"


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
