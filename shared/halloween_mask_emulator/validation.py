"""Submit validation: missing fields, style, aspect ratio, then each file; each problem is an ``ApiError``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from halloween_mask.imageformat import NotAnImageError, read_image_info, sniff_format
from halloween_mask.styles import ASPECT_RATIOS, STYLE_COUNT
from PIL import Image
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from .config import MAX_SIDE_EXCLUSIVE, MAX_UPLOAD_BYTES
from .renderer import UndecodableImage, decode

_STYLE = re.compile(r"[1-9][0-9]?")


class ApiError(Exception):
    """Answer error ``code`` (its HTTP status comes from the vendor's table)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class SubmitRequest:
    image: Image.Image
    mask_style: int | None
    template: Image.Image | None
    template_bytes: bytes
    template_ignored: bool
    aspect_ratio: str


def parse_submit(
    form: ImmutableMultiDict[str, str], files: ImmutableMultiDict[str, FileStorage], invalid_style_code: str
) -> SubmitRequest:
    """The validated submit, or ``ApiError`` for the first problem found."""
    image_data = _file_bytes(files, "image")
    if not image_data:
        raise ApiError("MISSING_PARAMETERS", "image is required")
    template_data = _file_bytes(files, "image_template")
    style_text = form.get("mask_style")
    if style_text is None and not template_data:
        raise ApiError("MISSING_PARAMETERS", "mask_style or image_template is required")
    style = None
    if style_text is not None:
        if not _STYLE.fullmatch(style_text) or int(style_text) > STYLE_COUNT:
            raise ApiError(invalid_style_code, f"mask_style must be 1 to {STYLE_COUNT}")
        style = int(style_text)
    aspect_ratio = form.get("aspect_ratio") or "auto"
    if aspect_ratio not in ASPECT_RATIOS:
        raise ApiError("ERROR_INVALID_PARAMETER", f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}")
    image = check_image(image_data, "image")
    template = None
    if style is None:
        template = check_image(template_data, "image_template")
    return SubmitRequest(
        image=image,
        mask_style=style,
        template=template,
        template_bytes=template_data if template is not None else b"",
        template_ignored=style is not None and bool(template_data),
        aspect_ratio=aspect_ratio,
    )


def check_image(data: bytes, name: str) -> Image.Image:
    """The decoded image, after the size, format, resolution and decoding checks."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError("FILE_SIZE_EXCEEDS_LIMIT", f"{name} is larger than 10 MB")
    if sniff_format(data) is None:
        raise ApiError("UNSUPPORTED_FILE_TYPES")
    try:
        info = read_image_info(data)
    except NotAnImageError as exc:
        raise ApiError("FILE_DECODING_FAILURE", f"{name}: {exc}") from exc
    if info.width >= MAX_SIDE_EXCLUSIVE or info.height >= MAX_SIDE_EXCLUSIVE:
        raise ApiError("FILE_RESOLUTION_EXCEEDS_LIMITS", f"{name} must be less than 4096x4096px")
    try:
        return decode(data)
    except UndecodableImage as exc:
        raise ApiError("FILE_DECODING_FAILURE", f"{name} could not be decoded") from exc


def _file_bytes(files: ImmutableMultiDict[str, FileStorage], name: str) -> bytes:
    storage = files.get(name)
    return storage.read() if storage is not None else b""
