"""Recognise JPEG, PNG and WEBP by their bytes and read their size, without Pillow.

The GIMP plug-in runs on GIMP's own Python, which has no Pillow, so the pre-flight checks that
guard every upload read headers by hand: just enough to know format, width and height.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# Limits as documented, read strictly so that either reading of "10 MB" and "less than 4096x4096"
# passes: under 10,000,000 bytes and at most 4095 px on each side.
MAX_UPLOAD_BYTES = 10_000_000
MAX_SIDE = 4095

MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg", "png" or "webp"
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


class NotAnImageError(ValueError):
    """The bytes are not a JPEG, PNG or WEBP we can read the size of."""


def sniff_format(data: bytes) -> str | None:
    """``"jpeg"``, ``"png"``, ``"webp"`` by magic bytes, or ``None``."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_image_info(data: bytes) -> ImageInfo:
    """Format and pixel size of an encoded image; ``NotAnImageError`` if unreadable."""
    fmt = sniff_format(data)
    try:
        if fmt == "png":
            width, height = _png_size(data)
        elif fmt == "jpeg":
            width, height = _jpeg_size(data)
        elif fmt == "webp":
            width, height = _webp_size(data)
        else:
            raise NotAnImageError("not a JPEG, PNG or WEBP image")
    except (struct.error, IndexError) as exc:
        raise NotAnImageError(f"damaged {fmt.upper()} header") from exc
    if width <= 0 or height <= 0:
        raise NotAnImageError(f"{fmt.upper()} header gives an empty image")
    return ImageInfo(fmt, width, height)


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise NotAnImageError("PNG without an IHDR chunk")
    return struct.unpack(">II", data[16:24])


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise NotAnImageError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise NotAnImageError("JPEG without a frame header")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise NotAnImageError("WEBP VP8 frame without a start code")
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise NotAnImageError("WEBP VP8L without a signature")
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise NotAnImageError("unknown WEBP chunk")


def limit_problems(info: ImageInfo, size: int) -> list[str]:
    """What breaks the API's limits, in words; empty when the image may be uploaded as is."""
    problems = []
    if size >= MAX_UPLOAD_BYTES:
        problems.append(f"{size:,} bytes is not under the limit of {MAX_UPLOAD_BYTES:,} bytes")
    if info.width > MAX_SIDE or info.height > MAX_SIDE:
        problems.append(f"{info.width}x{info.height} px is over the limit of {MAX_SIDE} px per side")
    return problems
