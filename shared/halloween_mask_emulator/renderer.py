"""The emulator's stand-in for the vendor's model: decode, find the face, paint the mask, crop, encode.

``render`` is what a task runs once; ``preview_jpeg`` draws the style previews the vendor hosts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from halloween_mask.styles import ratio_of
from PIL import Image, ImageOps

from .detect import Box, find_face
from .paint import Look, look_for_style, look_for_template, paint_mask

PREVIEW_SIDE = 256


class NoFaceFound(Exception):
    """The detector found no face: the task answers ERROR_NO_FACE_IN_FILE."""


class UndecodableImage(Exception):
    """Pillow could not decode the bytes: the submit answers FILE_DECODING_FAILURE."""


@dataclass(frozen=True)
class Rendered:
    png: bytes
    face_box: Box
    size: tuple[int, int]


def decode(data: bytes) -> Image.Image:
    """A fully decoded RGB image with its EXIF orientation applied, or ``UndecodableImage``.

    Only the numbers count, as in a service that documents neither colour profiles nor alpha: an
    embedded profile is ignored (and not passed on to the result), an alpha channel dropped, so
    whatever colour hides under transparent pixels shows.
    """
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
            image.info.clear()
            return image
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UndecodableImage(str(exc)) from exc


def render(
    image: Image.Image,
    *,
    style: int | None = None,
    template: Image.Image | None = None,
    template_bytes: bytes = b"",
    aspect_ratio: str = "auto",
    output_size: tuple[int, int] | None = None,
    face_box: Box | None = None,
) -> Rendered:
    """Paint style ``style`` (or the look of ``template``) over the face; ``NoFaceFound`` without one."""
    box = face_box or find_face(image)
    if box is None:
        raise NoFaceFound("pic not has face")
    if style is not None:
        look: Look = look_for_style(style)
    elif template is not None:
        look = look_for_template(template, template_bytes)
    else:
        raise ValueError("a style or a template is needed")
    result = crop_to_ratio(paint_mask(image, box, look), box, aspect_ratio)
    if output_size is not None and result.size != tuple(output_size):
        result = result.resize(tuple(output_size), Image.Resampling.LANCZOS)
    return Rendered(encode_png(result), box, result.size)


def crop_to_ratio(image: Image.Image, box: Box, aspect_ratio: str) -> Image.Image:
    """The largest crop of ``image`` with the requested ratio, centred on the face where it fits."""
    ratio = ratio_of(aspect_ratio)
    if ratio is None:
        return image
    width, height = image.size
    face_x, face_y = box.center
    if width / height > ratio:
        new_w = max(1, round(height * ratio))
        left = min(max(0, round(face_x - new_w / 2)), width - new_w)
        return image.crop((left, 0, left + new_w, height))
    new_h = max(1, round(width / ratio))
    top = min(max(0, round(face_y - new_h / 2)), height - new_h)
    return image.crop((0, top, width, top + new_h))


def encode_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # fast; the bytes are the same on every run
    return out.getvalue()


@lru_cache(maxsize=128)
def preview_jpeg(style: int) -> bytes:
    """A square preview of mask style ``style`` on a dark backdrop, like the vendor's preview JPGs."""
    look = look_for_style(style)
    backdrop = Image.new("RGB", (PREVIEW_SIDE, PREVIEW_SIDE), (24, 20, 28))
    side = PREVIEW_SIDE // 2
    painted = paint_mask(backdrop, Box(side // 2, round(side * 0.55), side, side), look)
    out = io.BytesIO()
    painted.save(out, "JPEG", quality=88)
    return out.getvalue()
