"""Colours and transparency come back as they went, in a real GIMP 3 (issue 17 section 4).

- An image with an Adobe RGB profile: the upload is the picture in sRGB (as GIMP shows it), and the
  result layer looks like the source where the mask does not reach (both read through GIMP's own
  colour management, in sRGB).
- An RGBA cut-out with magenta hidden under its transparent background: no magenta reaches the
  service, and the result layer is transparent where the source is.
- The EXIF orientation: the plug-in sends the pixels as GIMP shows them and no EXIF, so the
  service cannot turn them again (a batch ``Gimp.file_load`` does not apply the tag; GIMP's File >
  Open asks, as set in Preferences > Image Import & Export: either way the result matches the layer).
- The same image sent twice is the same upload, byte for byte: the second run pays nothing.

The emulator only grades the picture where the mask does not reach (a blend toward the style's dark
colour), so the reference is its own rendering of the source as GIMP shows it, with the face box it
found in the upload.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from plugin_batch import plugin_env
from test_plugin_e2e import assert_no_traceback

sys.path.insert(0, str(Path(__file__).parents[1]))  # the tests' own helpers
from colour_support import (
    channel_error,
    encode,
    from_srgb,
    portrait_rgb,
    rgb_profile,
    transparent_portrait,
    truth_srgb,
)
from halloween_mask_emulator.paint import look_for_style
from halloween_mask_emulator.renderer import render

STYLE = 7
ADOBE = "Adobe RGB (1998)"
# How far off the colours may be (0-255, per channel, smoothed over 2 px: see channel_error). The
# upload is a JPEG at quality 95 without chroma subsampling; the result is read back through GIMP.
COLOUR_ERROR = 6

pytestmark = pytest.mark.usefixtures("fresh_emulator")


def tagged_jpeg() -> bytes:
    """The portrait stored upright, tagged "turn it upside down to show it" (EXIF orientation 3)."""
    exif = Image.Exif()
    exif[0x0112] = 3
    return encode(portrait_rgb(), "JPEG", quality=95, exif=exif.tobytes())


def raw(path: Path, mode: str, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes(mode, size, path.read_bytes())


def unmasked(expected: Image.Image, truth: Image.Image) -> np.ndarray:
    """Where the emulator's mask (and a margin round it) does not reach in ``expected``."""
    look = look_for_style(STYLE)
    graded = Image.blend(truth, Image.new("RGB", truth.size, look.dark), look.tint)
    painted = np.abs(np.asarray(expected, dtype=int) - np.asarray(graded, dtype=int)).max(axis=-1) > 2
    reach = Image.fromarray(painted.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(15))
    return np.asarray(reach) == 0


_RUNS: dict[str, tuple] = {}  # one GIMP run per series serves every test of this module


@pytest.fixture
def colour_run(run_gimp_batch, emu, gimp_profile, gimp_root):
    """(GIMP's run, the files it opened, the submits the emulator logged, (face box, result) per task)."""
    if gimp_root.series not in _RUNS:
        adobe = rgb_profile(ADOBE)
        files = {
            "adobe.png": encode(from_srgb(portrait_rgb(), adobe), "PNG", icc_profile=adobe),
            "cutout.png": encode(transparent_portrait(), "PNG"),
            "upside-down-tag.jpg": tagged_jpeg(),
        }
        settings = f"{gimp_profile.home_inside}/halloween-mask-settings.json"
        result = run_gimp_batch("colour_e2e/run.py", plugin_env(emu.base_url, settings), files=files)
        tasks = [(task.face_box, task.result) for task in emu.tasks.values()]
        _RUNS[gimp_root.series] = (result, files, emu.requests_to("submit"), tasks)
    return _RUNS[gimp_root.series]


def test_an_adobe_rgb_image_is_sent_as_srgb_and_its_result_looks_like_it(colour_run) -> None:
    result, files, _submits, tasks = colour_run
    report = result.report
    assert report["profile"] and ADOBE in report["profile"], f"GIMP did not keep the profile: {report['profile']}"
    assert report["adobe"]["status"] == "success", report["adobe"]["message"]
    size = tuple(report["adobe"]["result"]["size"])
    shown = raw(result.work / "adobe-source.rgb", "RGB", size)
    truth = truth_srgb(Image.open(io.BytesIO(files["adobe.png"])))
    assert channel_error(shown, truth) <= 2, "GIMP shows the test picture differently from its profile"
    expected_png = render(truth, style=STYLE, face_box=tasks[0][0]).png
    expected = Image.open(io.BytesIO(expected_png)).convert("RGB")
    where = unmasked(expected, truth)
    assert 0.3 < where.mean() < 0.95
    service_saw = Image.open(io.BytesIO(tasks[0][1])).convert("RGB")  # rendered from what was uploaded
    sent_error = channel_error(service_saw, expected, where)
    layer = raw(result.work / "adobe-result.rgb", "RGB", size)
    error = channel_error(layer, expected, where)
    print(f"Adobe RGB in GIMP: upload {sent_error}/255 off, result layer {error}/255 off where the mask does not reach")
    assert sent_error <= COLOUR_ERROR, f"the upload is {sent_error}/255 off the picture's colours"
    assert error <= COLOUR_ERROR, f"where the mask does not reach, the result layer is {error}/255 off the source"
    assert_no_traceback(result.log)


def test_the_same_image_twice_is_the_same_request_and_paid_once(colour_run) -> None:
    result, _files, submits, _tasks = colour_run
    assert result.report["again"]["status"] == "success", result.report["again"]["message"]
    # The plug-in's ledger finds the paid task by the upload's bytes: a different upload (a time
    # stamp, a freshly made profile) would be a new request and a second submit.
    assert len(submits) == 4, "the second run of the same image paid again: its upload differed"
    digests = [submit.file_digests["image"] for submit in submits]
    assert len(set(digests)) == 4


def test_a_transparent_background_stays_transparent_and_hides_nothing(colour_run) -> None:
    result, files, _submits, tasks = colour_run
    report = result.report
    assert report["cutout"]["status"] == "success", report["cutout"]["message"]
    cutout = Image.open(io.BytesIO(files["cutout.png"]))
    alpha_in = np.asarray(cutout)[..., 3].astype(int)
    service_saw = np.asarray(Image.open(io.BytesIO(tasks[1][1])).convert("RGB"), dtype=int)
    red, green, blue = service_saw[..., 0], service_saw[..., 1], service_saw[..., 2]
    magenta = (red - green > 80) & (blue - green > 80) & (alpha_in == 0)  # graded toward dark, still magenta
    assert magenta.sum() == 0, f"{magenta.sum()} magenta pixels reached the service"
    layer = np.asarray(raw(result.work / "cutout-result.rgba", "RGBA", cutout.size), dtype=int)
    assert report["cutout"]["alpha"], "the result layer has no alpha channel"
    assert layer[..., 3][alpha_in == 0].max() == 0, "the transparent background came back opaque"
    assert np.abs(layer[..., 3] - alpha_in).max() <= 2, "the soft edge lost its transparency"


def test_a_selected_part_of_a_cut_out_keeps_its_transparency_under_the_selection_mask(colour_run) -> None:
    result, files, _submits, _tasks = colour_run
    part = result.report["cutout_part"]
    assert part["status"] == "success", part["message"]
    x, y = part["result"]["offsets"]
    width, height = part["result"]["size"]
    assert part["mask"], "the selection mask is missing"
    alpha_in = np.asarray(Image.open(io.BytesIO(files["cutout.png"])))[y : y + height, x : x + width, 3].astype(int)
    layer = np.asarray(raw(result.work / "cutout-part.rgba", "RGBA", (width, height)), dtype=int)
    assert layer[..., 3][alpha_in == 0].max() == 0, "the part's result is opaque where the source is transparent"
    assert np.abs(layer[..., 3] - alpha_in).max() <= 2


def test_what_gimp_shows_is_sent_whatever_the_exif_orientation(colour_run) -> None:
    result, _files, submits, tasks = colour_run
    tagged = result.report["tagged"]
    assert tagged["status"] == "success", f"the face was not found: the service turned it? {tagged['message']}"
    size = tuple(tagged["result"]["size"])
    shown = raw(result.work / "tagged-source.rgb", "RGB", size)
    expected = Image.open(io.BytesIO(render(shown, style=STYLE, face_box=tasks[3][0]).png)).convert("RGB")
    layer = raw(result.work / "tagged-result.rgb", "RGB", size)
    error = channel_error(layer, expected, unmasked(expected, shown))
    assert error <= COLOUR_ERROR, f"the result layer is {error}/255 off the picture as GIMP shows it"
    assert len(submits) == 4 and result.report["scratch_left"] == []
    assert_no_traceback(result.log)
