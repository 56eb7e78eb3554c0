"""Reading format and size without Pillow, checked against what Pillow writes."""

from __future__ import annotations

import io

import pytest
from halloween_mask.imageformat import NotAnImageError, read_image_info, sniff_format
from PIL import Image


def encode(size: tuple[int, int], fmt: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "purple").save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mode", "options", "name"),
    [
        ("JPEG", "RGB", {}, "jpeg"),
        ("JPEG", "L", {"progressive": True}, "jpeg"),
        ("JPEG", "RGB", {"exif": b"Exif\x00\x00" + b"\x00" * 64}, "jpeg"),
        ("PNG", "RGBA", {}, "png"),
        ("PNG", "P", {}, "png"),
        ("WEBP", "RGB", {"quality": 80}, "webp"),
        ("WEBP", "RGB", {"lossless": True}, "webp"),
        ("WEBP", "RGBA", {"quality": 80}, "webp"),
    ],
)
@pytest.mark.parametrize("size", [(1, 1), (123, 457), (4095, 17)])
def test_sizes_match_pillow(fmt: str, mode: str, options: dict, name: str, size: tuple[int, int]) -> None:
    info = read_image_info(encode(size, fmt, mode, **options))
    assert (info.format, info.width, info.height) == (name, *size)
    assert info.mime_type == f"image/{name}" and info.extension in ("jpg", "png", "webp")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a......",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 4,
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"RIFF\0\0\0\0WEBPXXXX",
    ],
)
def test_unreadable_bytes(data: bytes) -> None:
    with pytest.raises(NotAnImageError):
        read_image_info(data)


def test_sniff_ignores_extensions_and_reads_bytes_only() -> None:
    assert sniff_format(encode((5, 5), "PNG")) == "png"
    assert sniff_format(encode((5, 5), "TIFF")) is None
