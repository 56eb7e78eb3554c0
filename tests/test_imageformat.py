"""Reading format and size, and checking a file is whole, without Pillow; checked against what Pillow writes."""

from __future__ import annotations

import io

import pytest
from halloween_mask.imageformat import (
    DamagedImageError,
    NotAnImageError,
    check_complete,
    read_image_info,
    sniff_format,
)
from PIL import Image

FORMATS = pytest.mark.parametrize(
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


def encode(size: tuple[int, int], fmt: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "purple").save(out, fmt, **options)
    return out.getvalue()


def noisy(size: tuple[int, int], fmt: str, mode: str = "RGB", **options: object) -> bytes:
    """A picture with detail, so that its encoded data is long and varied (stuffed bytes, many chunks)."""
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert(mode).save(out, fmt, **options)
    return out.getvalue()


@FORMATS
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


@FORMATS
def test_whole_files_pass_even_with_trailing_bytes(fmt: str, mode: str, options: dict, name: str) -> None:
    data = noisy((123, 457), fmt, mode, **options)
    assert check_complete(data) == read_image_info(data)
    assert check_complete(data + b"\0" * 32).format == name  # encoders may append trailers; decoders skip them


@FORMATS
def test_files_cut_short_are_damaged(fmt: str, mode: str, options: dict, name: str) -> None:
    data = noisy((123, 457), fmt, mode, **options)
    for length in (40, len(data) // 4, len(data) // 2, len(data) - 9, len(data) - 1):
        with pytest.raises(DamagedImageError, match=name.upper()):
            check_complete(data[:length])


def test_a_damaged_png_chunk_fails_its_crc() -> None:
    data = bytearray(noisy((64, 64), "PNG"))
    data[len(data) // 2] ^= 0xFF  # inside the image data; length unchanged
    with pytest.raises(DamagedImageError, match="CRC"):
        check_complete(bytes(data))


def test_an_end_marker_in_the_jpeg_metadata_does_not_count() -> None:
    """EXIF thumbnails carry their own FFD9: the end must come after the image's scan data."""
    data = noisy((64, 64), "JPEG", exif=b"Exif\x00\x00" + b"\xff\xd8\xff\xd9" * 8)
    assert check_complete(data).format == "jpeg"
    with pytest.raises(DamagedImageError, match="end-of-image"):
        check_complete(data[:-2])


def test_a_webp_shorter_than_its_riff_size_is_damaged() -> None:
    data = noisy((64, 64), "WEBP")
    with pytest.raises(DamagedImageError, match="RIFF header says"):
        check_complete(data[:-1])


def test_bytes_that_are_no_image_are_not_called_damaged() -> None:
    with pytest.raises(NotAnImageError) as caught:
        check_complete(b"<html>502 Bad Gateway</html>")
    assert not isinstance(caught.value, DamagedImageError)
