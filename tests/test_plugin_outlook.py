"""What the dialog says before OK about the part it sends (issue 18 §4, §5)."""

from __future__ import annotations

from halloween_mask_gimp.outlook import MIN_FACE_SIDE, outlook


def test_a_plain_photo_needs_no_word():
    assert outlook(512, 512, "auto", False) == []
    assert outlook(600, 800, "3:4", False) == []  # the ratio it already has: a layer as usual


def test_a_ratio_the_layer_does_not_have_opens_a_new_image():
    (line,) = outlook(512, 512, "16:9", False)
    assert line.startswith("Aspect ratio 16:9:") and "new image" in line
    assert outlook(512, 512, "16:9", True) == []  # the person chose a new image anyway


def test_below_the_face_size_it_says_no_face_before_anything_is_paid():
    (line,) = outlook(16, 16, "auto", False)
    assert "16 x 16 px" in line and f"{MIN_FACE_SIDE} px" in line
    assert outlook(MIN_FACE_SIDE, 300, "auto", False) == []


def test_a_large_photo_is_scaled_down_and_back():
    (line,) = outlook(6000, 4000, "auto", False)
    assert "4095\u00a0x\u00a02730\u00a0px" in line and "scaled back to 6000\u00a0x\u00a04000\u00a0px" in line
    lines = outlook(6000, 4000, "1:1", False)
    assert len(lines) == 2 and "scaled back" not in lines[1]
