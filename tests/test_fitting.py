"""fit_for_upload: oversize or foreign images become uploadable, with a notice saying what changed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from halloween_mask.errors import UnsupportedFormatError
from halloween_mask.fitting import fit_for_upload
from halloween_mask.imageformat import read_image_info
from halloween_mask.preflight import check_upload
from PIL import Image


def photo(width: int, height: int, mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(1)
    gradient = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    noise = rng.normal(0, 40, (height, width, 3)).astype(np.float32)
    image = Image.fromarray(np.clip(gradient + noise, 0, 255).astype(np.uint8), "RGB")
    return image.convert(mode)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_an_acceptable_image_is_returned_unchanged() -> None:
    data = encode(photo(300, 200), "JPEG")
    assert fit_for_upload(data) == (data, None)


def test_an_oversize_photo_is_scaled_and_reencoded_as_jpeg() -> None:
    data = encode(photo(5000, 3000), "PNG")
    fitted, notice = fit_for_upload(data)
    info = check_upload(fitted)
    assert (info.format, info.width, info.height) == ("jpeg", 4095, 2457)
    assert "5000x3000 to 4095x2457" in notice and "JPEG" in notice


def test_transparency_that_matters_is_kept() -> None:
    image = photo(4200, 600, "RGBA")
    image.putalpha(Image.linear_gradient("L").resize(image.size))
    fitted, notice = fit_for_upload(encode(image, "PNG"))
    info = check_upload(fitted)
    assert info.format in ("png", "webp") and max(info.width, info.height) == 4095
    assert Image.open(io.BytesIO(fitted)).mode in ("RGBA", "LA")
    assert notice


@pytest.mark.parametrize("fmt", ["TIFF", "BMP"])
def test_formats_the_service_does_not_take_are_converted(fmt: str) -> None:
    fitted, notice = fit_for_upload(encode(photo(64, 48), fmt))
    assert read_image_info(fitted).format == "jpeg"
    assert f"converted from {fmt}" in notice


def test_sixteen_bit_grayscale_keeps_its_tones() -> None:
    array = np.tile(np.linspace(0, 65535, 256, dtype=np.uint16), (16, 1))
    fitted, _ = fit_for_upload(encode(Image.fromarray(array), "TIFF"))
    decoded = np.asarray(Image.open(io.BytesIO(fitted)).convert("L"))
    assert decoded[:, 0].mean() < 10 and decoded[:, -1].mean() > 245


def test_unreadable_data_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        fit_for_upload(b"not an image at all")
