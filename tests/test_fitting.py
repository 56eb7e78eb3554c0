"""fit_for_upload: oversize or foreign images become uploadable, with a notice saying what changed."""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from emulator_support import PORTRAIT
from halloween_mask.errors import UnsupportedFormatError
from halloween_mask.imageformat import read_image_info
from halloween_mask.preflight import check_upload
from halloween_mask_cli.fitting import fit_for_upload
from halloween_mask_emulator.detect import find_face
from halloween_mask_emulator.renderer import decode
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
    fitted = fit_for_upload(data)
    assert (fitted.data, fitted.notice, fitted.size) == (data, None, (300, 200))


def test_an_oversize_photo_is_scaled_and_reencoded_as_jpeg() -> None:
    data = encode(photo(5000, 3000), "PNG")
    fitted = fit_for_upload(data)
    info, notice = check_upload(fitted.data), fitted.notice
    assert (info.format, info.width, info.height) == ("jpeg", 4095, 2457) and fitted.size == (5000, 3000)
    assert "5000x3000 to 4095x2457" in notice and "JPEG" in notice


def test_transparency_that_matters_is_kept() -> None:
    image = photo(4200, 600, "RGBA")
    image.putalpha(Image.linear_gradient("L").resize(image.size))
    fitted = fit_for_upload(encode(image, "PNG"))
    info = check_upload(fitted.data)
    assert info.format in ("png", "webp") and max(info.width, info.height) == 4095
    assert Image.open(io.BytesIO(fitted.data)).mode == "RGBA"
    assert fitted.notice


@pytest.mark.parametrize("fmt", ["TIFF", "BMP"])
def test_formats_the_service_does_not_take_are_converted(fmt: str) -> None:
    fitted = fit_for_upload(encode(photo(64, 48), fmt))
    assert read_image_info(fitted.data).format == "jpeg"
    assert f"converted from {fmt} to JPEG" in fitted.notice


def test_sixteen_bit_grayscale_keeps_its_tones() -> None:
    array = np.tile(np.linspace(0, 65535, 256, dtype=np.uint16), (16, 1))
    fitted = fit_for_upload(encode(Image.fromarray(array), "TIFF"))
    decoded = np.asarray(Image.open(io.BytesIO(fitted.data)).convert("L"))
    assert decoded[:, 0].mean() < 10 and decoded[:, -1].mean() > 245


def test_unreadable_data_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        fit_for_upload(b"not an image at all")


# -- every mode the service may not read, the test portrait in each ------------------------------


def _portrait() -> Image.Image:
    with Image.open(PORTRAIT) as image:
        return image.convert("RGB")


def _grey16(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.uint16) * 257


def _rgb16_png(image: Image.Image) -> bytes:
    """A 48-bit PNG (Pillow writes none: OpenCV does, in BGR order)."""
    pixels = np.asarray(image, dtype=np.uint16)[:, :, ::-1] * 257
    return cv2.imencode(".png", pixels)[1].tobytes()


USER_FILES: dict[str, Callable[[Image.Image], bytes]] = {  # a user's file in each mode, and a format that stores it
    "I;16 PNG": lambda im: encode(Image.fromarray(_grey16(im)), "PNG"),
    "I;16B TIFF": lambda im: encode(Image.frombytes("I;16B", im.size, _grey16(im).astype(">u2").tobytes()), "TIFF"),
    "I TIFF": lambda im: encode(Image.fromarray(_grey16(im).astype(np.int32), "I"), "TIFF"),
    "16-bit RGB PNG": _rgb16_png,
    "CMYK JPEG": lambda im: encode(im.convert("CMYK"), "JPEG", quality=95),
    "CMYK TIFF": lambda im: encode(im.convert("CMYK"), "TIFF"),
    "P PNG": lambda im: encode(im.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
    "P PNG with transparency": lambda im: encode(
        im.convert("P", palette=Image.Palette.ADAPTIVE), "PNG", transparency=0
    ),
    "L PNG": lambda im: encode(im.convert("L"), "PNG"),
    "L JPEG": lambda im: encode(im.convert("L"), "JPEG", quality=95),
    "LA PNG": lambda im: encode(im.convert("LA"), "PNG"),
    "1 PNG (dithered)": lambda im: encode(im.convert("1"), "PNG"),
    "F TIFF (0-255)": lambda im: encode(im.convert("F"), "TIFF"),
    "F TIFF (0-1)": lambda im: encode(Image.fromarray(np.asarray(im.convert("F")) / 255, "F"), "TIFF"),
    "animated GIF": lambda im: encode(im, "GIF", save_all=True, append_images=[im.rotate(20)]),
}


@pytest.mark.parametrize("mode", USER_FILES)
def test_every_mode_becomes_8bit_rgb_with_its_tones_and_the_face_found(mode: str) -> None:
    portrait = _portrait()
    fitted = fit_for_upload(USER_FILES[mode](portrait))
    info = check_upload(fitted.data)
    with Image.open(io.BytesIO(fitted.data)) as upload:
        assert upload.mode in ("RGB", "RGBA"), f"uploaded as {upload.format} {upload.mode}"
        assert info.format != "png" or fitted.data[24] == 8, "a 16-bit PNG was uploaded"
    received = decode(fitted.data)  # as the emulator (and any 8-bit decoder) reads it
    grey, expected = np.asarray(received.convert("L"), dtype=float), np.asarray(portrait.convert("L"), dtype=float)
    assert abs(grey.mean() - expected.mean()) < 8, f"tones moved: mean {grey.mean():.0f}, not {expected.mean():.0f}"
    assert (grey >= 250).mean() < 0.05, f"{(grey >= 250).mean():.0%} of the pixels turned white"
    assert find_face(received) is not None, "the emulator's detector finds no face in the upload"
    assert fitted.notice and "so the service can read it" in fitted.notice
    assert fitted.size == portrait.size


def test_an_animation_or_pages_say_only_the_first_is_used() -> None:
    portrait = _portrait()
    fitted = fit_for_upload(USER_FILES["animated GIF"](portrait))
    assert "only its first frame of 2 is used" in fitted.notice
    pages = encode(portrait, "TIFF", save_all=True, append_images=[portrait.rotate(90)] * 2)
    assert "It has 3 pages: only the first is used" in fit_for_upload(pages).notice


def test_a_camera_mpo_jpeg_goes_as_it_is() -> None:
    portrait = _portrait()
    mpo = encode(portrait, "MPO", save_all=True, append_images=[portrait.resize((128, 128))])
    assert Image.open(io.BytesIO(mpo)).n_frames == 2  # the photo, then a second picture
    fitted = fit_for_upload(mpo)
    assert (fitted.data, fitted.notice) == (mpo, None)


def test_an_upright_size_is_reported_for_a_turned_jpeg() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees to view
    fitted = fit_for_upload(encode(photo(300, 200), "JPEG", exif=exif.tobytes()))
    info = read_image_info(fitted.data)
    assert fitted.size == (200, 300) == (info.width, info.height), "sent turned upright (issue 17 section 4)"
    assert "turned upright" in fitted.notice
