"""Pre-flight checks before any upload: format by magic bytes, bytes and pixels, image and template."""

from __future__ import annotations

import io

import pytest
from halloween_mask.errors import TooLargeError, UnsupportedFormatError
from halloween_mask.preflight import check_upload
from PIL import Image


def encode(size: tuple[int, int], fmt: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_formats(fmt: str, name: str) -> None:
    info = check_upload(encode((640, 480), fmt))
    assert (info.format, info.width, info.height) == (name, 640, 480)


@pytest.mark.parametrize("role", ["image", "template"])
def test_unsupported_formats_name_the_file_and_the_fix(role: str) -> None:
    for data in (encode((10, 10), "BMP"), encode((10, 10), "GIF"), b"%PDF-1.4", b""):
        with pytest.raises(UnsupportedFormatError, match=f"the {role} .*(JPEG, PNG or WEBP|empty)"):
            check_upload(data, role)


def test_damaged_header_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match=r"damaged|without"):
        check_upload(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_too_many_pixels_gives_the_figures() -> None:
    with pytest.raises(TooLargeError, match=r"4096x100 px .* at most 4095") as caught:
        check_upload(encode((4096, 100), "PNG"), "template")
    assert "the template" in str(caught.value)
    assert check_upload(encode((4095, 4095), "JPEG", quality=10)).width == 4095


def test_too_many_bytes_gives_the_figures() -> None:
    data = encode((100, 100), "PNG") + b"\0" * 10_000_000  # trailing bytes after IEND still count
    with pytest.raises(TooLargeError, match=r"10,000,\d+ bytes .*10,000,000"):
        check_upload(data)


def test_not_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        check_upload("photo.jpg")  # type: ignore[arg-type]
