"""The part of a layer uploaded for a selection: grown by a quarter per side, clipped to the layer."""

from __future__ import annotations

from halloween_mask.region import Box, upload_box

LAYER = Box(100, 50, 1000, 800)  # image pixels: an offset layer


def test_no_selection_or_one_missing_the_layer_means_the_whole_layer():
    assert upload_box(None, LAYER) is None
    assert upload_box(Box(0, 0, 0, 0), LAYER) is None
    assert upload_box(Box(0, 0, 100, 50), LAYER) is None  # touches the corner, no pixel in common
    assert upload_box(Box(1200, 900, 50, 50), LAYER) is None


def test_a_selection_inside_the_layer_grows_by_a_quarter_on_each_side():
    assert upload_box(Box(500, 300, 200, 100), LAYER) == Box(450, 275, 300, 150)


def test_the_margin_rounds_down_so_it_never_exceeds_a_quarter():
    assert upload_box(Box(500, 300, 203, 101), LAYER) == Box(450, 275, 303, 151)


def test_the_grown_box_is_clipped_to_the_layer():
    assert upload_box(Box(110, 60, 200, 200), LAYER) == Box(100, 50, 260, 260)
    assert upload_box(Box(1000, 750, 100, 100), LAYER) == Box(975, 725, 125, 125)


def test_only_the_part_over_the_layer_counts():
    # A selection hanging off the layer's left edge: its visible part is 50 px wide.
    assert upload_box(Box(0, 300, 150, 100), LAYER) == Box(100, 275, 62, 150)


def test_a_selection_covering_the_layer_gives_the_layer():
    assert upload_box(Box(0, 0, 5000, 5000), LAYER) == LAYER


def test_boxes_move_into_layer_coordinates():
    box = upload_box(Box(500, 300, 200, 100), LAYER)
    assert box.relative_to(LAYER) == Box(350, 225, 300, 150)
    assert Box.from_corners(1, 2, 11, 22) == Box(1, 2, 10, 20)
    assert box.as_dict() == {"x": 450, "y": 275, "width": 300, "height": 150}
