"""Colours and transparency come back as they went (command line): issue 17 section 4.

A wide-gamut (Adobe RGB, ProPhoto) or CMYK photo goes to the service in sRGB, converted through its
embedded profile, and its result comes back in the input's space with the input's profile; an RGBA
cut-out keeps its transparency and uploads no colour hidden under it; the EXIF orientation is
applied before upload; and the upload of the same input is the same bytes on every run, so the
second run pays nothing. The service is the real emulator on loopback.

"Where the mask does not reach" the emulator only grades the picture (a blend toward the style's
dark colour); the reference is therefore the emulator's own rendering of the picture a
colour-managed viewer shows (``truth_srgb``), with the face box the emulator found in the upload.
"""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from colour_support import (
    MAGENTA,
    RGB_SPACES,
    channel_error,
    cmyk_profile,
    encode,
    from_srgb,
    icc_profile_of,
    portrait_rgb,
    rgb_profile,
    transparent_portrait,
    truth_srgb,
    turned_jpeg,
)
from halloween_mask_cli import main
from halloween_mask_cli.fitting import fit_for_upload
from halloween_mask_emulator import Emulator
from halloween_mask_emulator.detect import find_face
from halloween_mask_emulator.paint import look_for_style
from halloween_mask_emulator.renderer import decode, render
from PIL import ExifTags, Image, ImageCms, ImageFilter, ImageOps

STYLE = 7
# How far off the colours may be (0-255, per channel, smoothed over 2 px: see channel_error). The
# test portrait saved as a JPEG at quality 92 (the upload's, chroma subsampled) is 6 off by this measure.
UPLOAD_ERROR = 8
RESULT_ERROR = 10  # the result, once more through 8-bit values in the input's space (and a JPEG for -o .jpg)


def wide_gamut_jpeg(space: str) -> bytes:
    profile = rgb_profile(space)
    return encode(from_srgb(portrait_rgb(), profile), "JPEG", quality=95, icc_profile=profile)


def cmyk_jpeg() -> bytes:
    """The portrait's naive CMYK values (what a careless conversion would take them back to), tagged
    with a press profile under which they look quite different."""
    return encode(portrait_rgb().convert("CMYK"), "JPEG", quality=95, icc_profile=cmyk_profile())


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reference(truth: Image.Image, service: Emulator) -> tuple[Image.Image, np.ndarray]:
    """The emulator's result for the true colours (the only task's face box), and where its mask does not reach."""
    (task,) = service.tasks.values()
    expected = Image.open(io.BytesIO(render(truth, style=STYLE, face_box=task.face_box).png)).convert("RGB")
    look = look_for_style(STYLE)
    graded = Image.blend(truth, Image.new("RGB", truth.size, look.dark), look.tint)
    painted = np.asarray(expected, dtype=int) - np.asarray(graded, dtype=int)
    mask = Image.fromarray((np.abs(painted).max(axis=-1) > 2).astype(np.uint8) * 255)
    reach = np.asarray(mask.filter(ImageFilter.MaxFilter(15))) > 0  # the mask and a margin round it
    assert 0.05 < reach.mean() < 0.7, "the mask should cover part of the picture"
    return expected, ~reach


def apply(source: Path, out: Path) -> None:
    assert main(["apply", str(source), "--style", str(STYLE), "-o", str(out)]) == 0


# -- wide gamut and CMYK ----------------------------------------------------------------------


@pytest.mark.parametrize("space", list(RGB_SPACES))
def test_a_wide_gamut_photo_is_uploaded_in_srgb(space: str) -> None:
    data = wide_gamut_jpeg(space)
    truth = truth_srgb(opened(data))
    assert channel_error(decode(data), truth) > 20, "the test photo should look wrong when its profile is ignored"
    fitted = fit_for_upload(data)
    received = decode(fitted.data)  # as the emulator (like any service that ignores profiles) reads it
    error = channel_error(received, truth)
    assert error <= UPLOAD_ERROR, f"the upload is {error:.0f}/255 off the photo's colours"
    assert "icc_profile" not in opened(fitted.data).info, "the upload carries a profile"
    assert fitted.notice and space in fitted.notice and "sRGB" in fitted.notice


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
@pytest.mark.parametrize("space", list(RGB_SPACES))
def test_a_wide_gamut_result_comes_back_in_the_photos_space(
    service: Emulator, tmp_path: Path, space: str, suffix: str
) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(wide_gamut_jpeg(space))
    out = tmp_path / f"out{suffix}"
    apply(source, out)
    with Image.open(out) as result:
        result.load()
    assert result.info.get("icc_profile") == rgb_profile(space), "the result lost the photo's profile"
    expected, unmasked = reference(truth_srgb(opened(source.read_bytes())), service)
    error = channel_error(truth_srgb(result), expected, unmasked)
    assert error <= RESULT_ERROR, f"where the mask does not reach, the result is {error:.0f}/255 off"


def test_a_cmyk_jpeg_is_converted_through_its_profile(service: Emulator, tmp_path: Path) -> None:
    data = cmyk_jpeg()
    truth = truth_srgb(opened(data))
    assert channel_error(opened(data).convert("RGB"), truth) > 30, "a naive conversion should be far off"
    fitted = fit_for_upload(data)
    assert channel_error(decode(fitted.data), truth) <= UPLOAD_ERROR
    source, out = tmp_path / "press.jpg", tmp_path / "out.png"
    source.write_bytes(data)
    apply(source, out)
    expected, unmasked = reference(truth, service)
    with Image.open(out) as result:
        error = channel_error(truth_srgb(result), expected, unmasked)
    assert error <= RESULT_ERROR, f"where the mask does not reach, the result is {error:.0f}/255 off"


# -- transparency -----------------------------------------------------------------------------


def test_no_colour_hidden_under_transparent_pixels_is_uploaded() -> None:
    cutout = transparent_portrait()
    hidden = np.asarray(cutout)[..., 3] == 0
    fitted = fit_for_upload(encode(cutout, "PNG"))
    upload = np.asarray(opened(fitted.data).convert("RGBA"))
    assert (upload[..., 3][hidden] == 0).all(), "transparent pixels must stay transparent in the upload"
    seen = np.asarray(decode(fitted.data), dtype=int)  # a service that drops the alpha channel sees this
    magenta = (np.abs(seen - MAGENTA).max(axis=-1) < 60).sum()
    assert magenta == 0, f"{magenta} magenta pixels were uploaded"
    assert find_face(decode(fitted.data)) is not None


def test_transparent_parts_stay_transparent_in_the_result(service: Emulator, tmp_path: Path) -> None:
    cutout = transparent_portrait()
    source, out = tmp_path / "cutout.png", tmp_path / "out.png"
    cutout.save(source)
    apply(source, out)
    with Image.open(out) as result:
        result = result.convert("RGBA")
    alpha_in, alpha_out = np.asarray(cutout)[..., 3].astype(int), np.asarray(result)[..., 3].astype(int)
    assert alpha_out[alpha_in == 0].max() == 0, "the transparent background came back opaque"
    assert np.abs(alpha_out - alpha_in).max() <= 2, "the soft edge lost its transparency"
    on_white = Image.alpha_composite(Image.new("RGBA", result.size, "white"), result)
    seen = np.asarray(on_white.convert("RGB"), dtype=int)
    assert (seen[alpha_in == 0] == 255).all(), "the hidden colour shows through the background"
    edge = (alpha_in > 0) & (alpha_in < 255)
    assert (np.abs(seen[edge] - MAGENTA).max(axis=-1) < 60).sum() == 0, "magenta shows at the soft edge"


# -- orientation ------------------------------------------------------------------------------


def test_the_exif_orientation_is_applied_before_upload() -> None:
    data = turned_jpeg()
    fitted = fit_for_upload(data)
    upload = opened(fitted.data)
    assert upload.getexif().get(ExifTags.Base.Orientation, 1) == 1, "the service is left to turn it"
    upright = ImageOps.exif_transpose(opened(data))
    assert channel_error(upload, upright) <= UPLOAD_ERROR, "the uploaded pixels are not upright"
    assert fitted.size == upload.size and fitted.notice and "upright" in fitted.notice


# -- the same bytes on every run --------------------------------------------------------------

PREPARED = {
    "Adobe RGB JPEG": lambda: wide_gamut_jpeg("Adobe RGB (1998)"),
    "ProPhoto PNG with transparency": lambda: encode(
        from_srgb(transparent_portrait(), rgb_profile("ProPhoto RGB")),
        "PNG",
        icc_profile=rgb_profile("ProPhoto RGB"),
    ),
    "CMYK JPEG": cmyk_jpeg,
    "turned JPEG": turned_jpeg,
    "RGBA cut-out": lambda: encode(transparent_portrait(), "PNG"),
}


def test_the_same_input_makes_the_same_upload_every_time() -> None:
    first = {name: fit_for_upload(make()).data for name, make in PREPARED.items()}
    time.sleep(1.1)  # a time stamp or a freshly made profile (its creation date) would differ now
    for name, make in PREPARED.items():
        again = fit_for_upload(make()).data
        assert again == first[name], f"{name}: the upload changed between runs"
        info = opened(again).info
        assert not {"icc_profile", "exif", "xmp"} & set(info), f"{name}: the upload carries {sorted(info)}"


def test_two_runs_of_a_colour_managed_photo_pay_once(service: Emulator, tmp_path: Path) -> None:
    data = encode(
        from_srgb(transparent_portrait(), rgb_profile("Adobe RGB (1998)")),
        "PNG",
        icc_profile=rgb_profile("Adobe RGB (1998)"),
    )
    source = tmp_path / "photo.png"
    source.write_bytes(data)
    apply(source, tmp_path / "first.png")
    time.sleep(1.1)
    apply(source, tmp_path / "second.png")
    assert len(service.requests_to("submit")) == 1, "the second run paid again"
    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "second.png").read_bytes()


# -- what goes as it is -----------------------------------------------------------------------


def test_a_photo_tagged_srgb_or_opaque_rgba_goes_as_it_is() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = encode(portrait_rgb(), "JPEG", quality=95, icc_profile=srgb)
    opaque = encode(portrait_rgb().convert("RGBA"), "PNG")
    for data in (tagged, opaque):
        fitted = fit_for_upload(data)
        assert (fitted.data, fitted.notice, fitted.original.plain) == (data, None, True)


def test_a_damaged_profile_is_taken_as_srgb_without_a_traceback(service: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "odd.jpg"
    source.write_bytes(encode(portrait_rgb(), "JPEG", quality=95, icc_profile=b"not a profile" * 20))
    assert fit_for_upload(source.read_bytes()).notice is None
    apply(source, tmp_path / "out.png")
    assert (tmp_path / "out.png").is_file()


def test_a_palette_cut_out_keeps_its_transparency(service: Emulator, tmp_path: Path) -> None:
    cutout = transparent_portrait()
    palette = cutout.quantize(256, method=Image.Quantize.FASTOCTREE)  # a palette with alpha entries (tRNS)
    source, out = tmp_path / "palette.png", tmp_path / "out.png"
    palette.save(source)
    hidden = np.asarray(Image.open(source).convert("RGBA"))[..., 3] == 0
    assert hidden.mean() > 0.3
    apply(source, out)
    with Image.open(out) as result:
        assert np.asarray(result.convert("RGBA"))[..., 3][hidden].max() == 0


def test_a_grey_photo_goes_through_its_grey_profile_and_a_profile_of_another_space_is_ignored() -> None:
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(1.0 * 256))  # linear: far from sRGB's tones
    grey = icc_profile_of(b"GRAY", "Linear grey (tests)", {b"kTRC": curve})
    data = encode(portrait_rgb().convert("L"), "JPEG", quality=95, icc_profile=grey)
    fitted = fit_for_upload(data)
    assert channel_error(decode(fitted.data), truth_srgb(opened(data))) <= UPLOAD_ERROR
    assert "Linear grey (tests)" in fitted.notice
    mismatched = encode(portrait_rgb(), "JPEG", quality=95, icc_profile=cmyk_profile())  # a CMYK profile on RGB
    fitted = fit_for_upload(mismatched)
    assert channel_error(decode(fitted.data), opened(mismatched)) <= UPLOAD_ERROR and fitted.original.plain
