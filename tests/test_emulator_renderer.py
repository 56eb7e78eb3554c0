"""The emulator's renderer: face detection, 85 distinct deterministic masks, aspect ratios, speed."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from halloween_mask.styles import ASPECT_RATIOS, STYLE_COUNT, ratio_of
from halloween_mask_emulator.detect import Box, find_face
from halloween_mask_emulator.paint import look_for_style, paint_mask
from halloween_mask_emulator.renderer import NoFaceFound, UndecodableImage, decode, preview_jpeg, render
from PIL import Image


@pytest.fixture(scope="module")
def portrait(portrait_bytes: bytes) -> Image.Image:
    return decode(portrait_bytes)


@pytest.fixture(scope="module")
def face(portrait: Image.Image) -> Box:
    box = find_face(portrait)
    assert box is not None
    return box


def test_face_found_on_the_astronaut(face: Box) -> None:
    # Eileen Collins' face sits in the upper middle of the 512x512 portrait.
    cx, cy = face.center
    assert 170 < cx < 280 and 60 < cy < 170 and 60 < face.w < 160


def test_no_face_on_a_landscape(no_face_bytes: bytes) -> None:
    image = decode(no_face_bytes)
    assert find_face(image) is None
    with pytest.raises(NoFaceFound):
        render(image, style=1)


def test_no_face_on_flat_and_noise_images() -> None:
    rng = np.random.default_rng(1)
    for image in (
        Image.new("RGB", (300, 300), (90, 20, 20)),
        Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)),
    ):
        assert find_face(image) is None


def test_undecodable_bytes() -> None:
    with pytest.raises(UndecodableImage):
        decode(b"\x89PNG\r\n\x1a\n" + b"\0" * 50)


def test_85_styles_are_distinct(portrait: Image.Image, face: Box) -> None:
    digests = {
        hashlib.sha256(paint_mask(portrait, face, look_for_style(n)).tobytes()).hexdigest()
        for n in range(1, STYLE_COUNT + 1)
    }
    assert len(digests) == STYLE_COUNT
    assert len({look_for_style(n).base for n in range(1, STYLE_COUNT + 1)}) == STYLE_COUNT


def test_rendering_is_deterministic(portrait: Image.Image) -> None:
    assert render(portrait, style=9).png == render(portrait.copy(), style=9).png
    assert preview_jpeg.__wrapped__(4) == preview_jpeg.__wrapped__(4)


def test_the_mask_covers_the_face(portrait: Image.Image, face: Box) -> None:
    result = np.asarray(Image.open(io.BytesIO(render(portrait, style=7, face_box=face).png)), dtype=np.int16)
    diff = np.abs(result - np.asarray(portrait, dtype=np.int16)).sum(axis=2)
    inside = diff[face.y : face.y + face.h, face.x : face.x + face.w].mean()
    outside = diff[:, : face.x // 2].mean()
    assert inside > 60 and inside > 3 * outside


@pytest.mark.parametrize("ratio", ASPECT_RATIOS)
def test_aspect_ratio(portrait: Image.Image, face: Box, ratio: str) -> None:
    rendered = render(portrait, style=2, aspect_ratio=ratio, face_box=face)
    width, height = Image.open(io.BytesIO(rendered.png)).size
    assert (width, height) == rendered.size
    if ratio == "auto":
        assert (width, height) == portrait.size
    else:
        assert abs(width / height - ratio_of(ratio)) < 2 / min(width, height)
        assert max(width, height) == 512  # the largest crop


def test_crop_keeps_the_face(face: Box) -> None:
    wide = Image.new("RGB", (1600, 400), (80, 80, 80))
    box = Box(1300, 100, 150, 150)
    out = Image.open(io.BytesIO(render(wide, style=1, aspect_ratio="1:1", face_box=box).png))
    assert out.size == (400, 400)
    assert np.asarray(out)[:, 200:].std() > np.asarray(out)[:, :40].std()  # the mask is in the right part


def test_template_look_follows_the_template(portrait: Image.Image, face: Box) -> None:
    def with_template(colour: tuple[int, int, int]) -> bytes:
        template = Image.new("RGB", (64, 64), colour)
        out = io.BytesIO()
        template.save(out, "PNG")
        return render(portrait, template=template, template_bytes=out.getvalue(), face_box=face).png

    orange, green = with_template((230, 120, 10)), with_template((20, 200, 40))
    assert orange != green
    centre = Image.open(io.BytesIO(orange)).getpixel((int(face.center[0]), int(face.y + 0.1 * face.h)))
    assert centre[0] > centre[2]  # orange-ish where the template's colour was painted


def test_output_size_option(portrait: Image.Image, face: Box) -> None:
    assert render(portrait, style=3, output_size=(200, 100), face_box=face).size == (200, 100)


def test_previews_differ_per_style() -> None:
    previews = {preview_jpeg(n) for n in range(1, STYLE_COUNT + 1)}
    assert len(previews) == STYLE_COUNT
