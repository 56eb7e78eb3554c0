"""Make any image Pillow can read fit the service's limits (command line only: needs Pillow).

Imported lazily by the CLI, never on the client path the GIMP plug-in uses. Only still, 8-bit
RGB or RGBA JPEG, PNG and WEBP files within the limits, sRGB (or untagged), upright and opaque,
go as they are: every decoder reads those alike. Anything else (16-bit, greyscale, palette, CMYK,
bitmap, float, animated, another format) is converted to 8-bit RGB(A) first, with its tones
scaled rather than clipped; an embedded profile is applied (to sRGB), the EXIF orientation too,
and transparent pixels hide no colour (``colour``: the result gets the profile and alpha back).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import struct
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from halloween_mask.errors import TooLargeError, UnsupportedFormatError
from halloween_mask.imageformat import (
    MAX_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    NotAnImageError,
    limit_problems,
    read_image_info,
)
from PIL import ExifTags, Image, ImageFilter, ImageOps, UnidentifiedImageError

from . import colour
from .errors import OutputError

log = logging.getLogger(__name__)

JPEG_QUALITY = 92
SHRINK_STEP = 0.85  # each retry scales the longer side by this much
MAX_DECODE_PIXELS = MAX_PIXELS  # the most pixels decoded to scale down (the client's cap for every image)
MAX_INPUT_BYTES = 256 * 2**20  # a file larger than this is refused by its size, before it is read
# What Pillow's decoders raise for a damaged or hostile file (a truncated IHDR, a bad PPM header,
# "broken PNG file" ...): each becomes one line naming the file, never a traceback.
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    IndexError,
    TypeError,
)
_pillow = threading.Lock()  # warnings are caught per file: catch_warnings is not thread-safe
MIN_SIDE = 256  # below this a portrait is useless: give up instead
DESCREEN_RADIUS = 0.7  # px; a 1-bit image's dither becomes the grey tones it stands for
PNG_BIT_DEPTH = 24  # offset of the bit depth in a PNG (signature, IHDR length, type, width, height)
SIXTEEN_BIT = 65535
MODE_NAMES = {  # Pillow's modes in words; "" for the ones every decoder reads
    "RGB": "",
    "RGBA": "",
    "1": "1-bit",
    "L": "grey",
    "LA": "grey with alpha",
    "P": "palette",
    "PA": "palette with alpha",
    "CMYK": "CMYK",
    "I": "32-bit grey",
    "F": "floating-point grey",
}


@dataclass(frozen=True)
class Fitted:
    """What to upload, and what the user is told about it."""

    data: bytes
    notice: str | None  # None when ``data`` is the file as it was, or the same picture without hidden colour
    size: tuple[int, int]  # the picture's size before any scaling, as the user sees it
    original: colour.Original = field(default_factory=colour.Original)  # what the results get back

    def give_back(self, results: Sequence[bytes]) -> list[bytes]:
        """The service's results in the photo's colour space and with its transparency (see ``colour``)."""
        try:
            with _decoding():
                return [colour.give_back(data, self.original) for data in results]
        except (TooLargeError, UnsupportedFormatError) as error:  # what Pillow made of the result, in one line
            raise OutputError(f"the result cannot be given back in the photo's colours: {error.detail}") from None


def read_for_upload(path: Path) -> Fitted:
    """``fit_for_upload`` of a file, refused by its size and (when large) by its header before it is read whole.

    ``OSError`` if it cannot be read; ``TooLargeError`` / ``UnsupportedFormatError`` naming why not.
    """
    size = os.stat(path).st_size
    if size > MAX_INPUT_BYTES:
        raise TooLargeError(
            f"the file is {size:,} bytes, more than the {MAX_INPUT_BYTES:,} a photo may have here; it was not read"
        )
    if size > MAX_UPLOAD_BYTES:  # worth a look at the header before reading it all
        with _decoding(), Image.open(path):
            pass
    return fit_for_upload(Path(path).read_bytes())


def fit_for_upload(data: bytes) -> Fitted:
    """``data`` unchanged if the service reads it as is, else a converted, maybe downscaled copy (see ``_fit``).

    Whatever Pillow makes of a damaged file is an ``UnsupportedFormatError`` in one sentence; its
    warnings are logged, never printed raw.
    """
    with _decoding():
        return _fit(data)


@contextlib.contextmanager
def _decoding() -> Iterator[None]:
    """Pillow at work on one file: its errors become one sentence, its warnings go to the log."""
    with _pillow, warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            yield
        except Image.DecompressionBombError:  # Pillow's own bound, checked as it reads the header
            raise TooLargeError(
                f"the image has over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} MP, more than can be scaled down here: "
                "scale it down first"
            ) from None
        except (TooLargeError, UnsupportedFormatError):
            raise
        except DECODE_ERRORS as error:
            reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            raise UnsupportedFormatError(f"the image cannot be read ({reason})") from None
        finally:
            for warning in warned:
                log.info("the image decoder warned: %s", warning.message)


def _fit(data: bytes) -> Fitted:
    """``data`` unchanged if the service reads it as is; else a converted, maybe downscaled copy.

    Opaque images become JPEG (quality 92); images whose transparency matters become PNG, or WEBP
    when a PNG would be too large.
    """
    with Image.open(io.BytesIO(data)) as opened:  # reads the header only
        readable = _service_reads(data, opened)
        if readable and colour.sent_as_is(opened):
            return Fitted(data, None, _upright_size(opened))
        source_format, opened_mode = opened.format or "image", opened.mode
        dropped = _dropped_frames(opened)
        full_size = _upright_size(opened, _plan_decoding(opened))
        turned, applied = colour.turned(opened), colour.foreign_profile(opened)
        ImageOps.exif_transpose(opened, in_place=True)  # no second copy of a large picture
        opened.load()
        image, profile = colour.to_srgb(opened)

    image, alpha = colour.without_hidden_colour(to_8bit_rgb(image))
    encoded, label, size = _encode_within_limits(image)
    changes = []
    if size != full_size:
        changes.append(f"scaled from {full_size[0]}x{full_size[1]} to {size[0]}x{size[1]} px")
    if turned:
        changes.append("turned upright as its EXIF orientation says")
    if applied is not None:
        name = colour.profile_name(applied)
        back = f"the result comes back in {name}" if profile is not None else "the result is sRGB"
        changes.append(f"converted from {name} to sRGB ({back})")
    if not readable:
        kind = _describe(source_format, opened_mode, data)
        changes.append(f"re-encoded as {label}" if kind == label.split()[0] else f"converted from {kind} to {label}")
    if size != full_size or len(data) >= MAX_UPLOAD_BYTES:
        reason = "to fit the service's limits"
    else:
        reason = "so the service can read it" if not readable else "so the service sees it as you do"
    # Only transparency cleaned up (nothing the user sees changed): no notice.
    notice = f"The image was {' and '.join(changes)} ({len(encoded):,} bytes) {reason}." if changes else ""
    return Fitted(encoded, (notice + dropped) or None, full_size, colour.Original(profile, alpha))


def _dropped_frames(image: Image.Image) -> str:
    """What the notice says when only the first frame or page is sent ("" when nothing is left out).

    An MPO (a camera JPEG with a preview or depth map after it) is a JPEG whose first picture is the photo.
    """
    frames = getattr(image, "n_frames", 1)
    if frames == 1 or image.format == "MPO":
        return ""
    if image.format == "TIFF":
        return f" It has {frames} pages: only the first is used."
    return f" It is an animation: only its first frame of {frames} is used."


def _plan_decoding(image: Image.Image) -> tuple[int, int]:
    """Before any pixel is decoded: a large JPEG is read at a reduced scale (still over the upload
    size), and an image that would still take more than ``MAX_DECODE_PIXELS`` is refused.

    Returns the size the file's header gives.
    """
    header_size = image.size
    if image.format in ("JPEG", "MPO") and max(image.size) > MAX_SIDE:
        scale = MAX_SIDE / max(image.size)
        image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    if image.width * image.height > MAX_DECODE_PIXELS:
        raise TooLargeError(
            f"the image is {image.width}x{image.height} px ({image.width * image.height / 1e6:.0f} MP); "
            f"at most {MAX_DECODE_PIXELS / 1e6:.0f} MP can be scaled down here: scale it down first"
        )
    return header_size


def _encode_within_limits(image: Image.Image) -> tuple[bytes, str, tuple[int, int]]:
    """The encoded upload, its format label and its size: scaled down until it is under the limits."""
    keep_alpha = image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255
    scale = min(1.0, MAX_SIDE / max(image.size))
    while True:
        size = (min(MAX_SIDE, max(1, round(image.width * scale))), min(MAX_SIDE, max(1, round(image.height * scale))))
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        encoded, label = _encode(resized, keep_alpha)
        if len(encoded) < MAX_UPLOAD_BYTES:
            return encoded, label, size
        scale *= SHRINK_STEP
        if max(size) * SHRINK_STEP < MIN_SIDE:
            raise TooLargeError(f"the image cannot be made smaller than {MAX_UPLOAD_BYTES:,} bytes")


def _service_reads(data: bytes, image: Image.Image) -> bool:
    """Whether ``data`` is a still, 8-bit RGB(A) JPEG, PNG or WEBP within the limits."""
    try:
        info = read_image_info(data)
    except NotAnImageError:
        return False  # another format (TIFF, BMP, GIF ...)
    if limit_problems(info, len(data)) or image.mode not in ("RGB", "RGBA") or _dropped_frames(image):
        return False
    return info.format != "png" or data[PNG_BIT_DEPTH] == 8  # Pillow opens a 16-bit RGB PNG as "RGB"


def _describe(source_format: str, mode: str, data: bytes) -> str:
    """``PNG (16-bit grey)``, ``JPEG (CMYK)``, ``TIFF``: the file's format, and its mode unless 8-bit RGB(A)."""
    if source_format == "PNG" and mode in ("RGB", "RGBA") and data[PNG_BIT_DEPTH] == 16:
        return f"PNG (16-bit {mode})"
    label = MODE_NAMES.get(mode, "16-bit grey" if mode.startswith("I;16") else mode)
    return f"{source_format} ({label})" if label else source_format


def _upright_size(image: Image.Image, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """Width and height (``size``, default the image's) once the EXIF orientation is applied."""
    width, height = size or image.size
    turned = image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
    return (height, width) if turned else (width, height)


def to_8bit_rgb(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency, 8 bits per channel, from any mode.

    16-bit and 32-bit grey are scaled to 8 bits (not clipped), float grey from its 0-1 or 0-255
    or 16-bit range, and a 1-bit image's dither is smoothed into the tones it stands for.
    """
    transparent = image.mode in ("RGBA", "RGBa", "LA", "PA") or "transparency" in image.info
    if image.mode == "1":
        image = image.convert("L").filter(ImageFilter.GaussianBlur(DESCREEN_RADIUS))
    elif image.mode.startswith("I") or image.mode == "F":
        white = _white_level(image)
        image = image.convert("F").point(lambda value: value * 255 / white).convert("L")
    wanted = "RGBA" if transparent else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _white_level(image: Image.Image) -> float:
    """The value that stands for white in a 16-bit, 32-bit integer or float grey image."""
    if image.mode.startswith("I;16"):
        return SIXTEEN_BIT
    highest = image.getextrema()[1]
    if image.mode == "F" and highest <= 1.0:
        return 1.0  # normalised floats (TIFF, EXR exports)
    return SIXTEEN_BIT if highest > 255 else 255


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
