"""The upload plan: which format and size the plug-in exports for a layer."""

import pytest
from halloween_mask.errors import TooLargeError
from halloween_mask.imageformat import MAX_SIDE, MAX_UPLOAD_BYTES
from halloween_mask.upload_plan import JPEG_QUALITY, MIN_JPEG_QUALITY, UploadPlan, fit_size, plan_upload, shrink


@pytest.mark.parametrize(
    ("size", "fitted"),
    [
        ((512, 512), (512, 512)),
        ((4095, 4095), (4095, 4095)),
        ((4096, 4096), (4095, 4095)),
        ((5000, 3000), (4095, 2457)),
        ((3000, 5000), (2457, 4095)),
        ((20000, 10), (4095, 2)),
    ],
)
def test_fit_size_keeps_the_shape_under_the_side_limit(size, fitted):
    assert fit_size(*size) == fitted
    assert max(fit_size(*size)) <= MAX_SIDE


def test_fit_size_never_upscales_and_rejects_empty_layers():
    assert fit_size(3, 7) == (3, 7)
    with pytest.raises(ValueError):
        fit_size(0, 10)


def test_an_opaque_layer_goes_as_high_quality_jpeg():
    plan = plan_upload(4000, 3000, transparent=False)
    assert plan == UploadPlan("jpeg", 4000, 3000, JPEG_QUALITY)
    assert plan.extension == "jpg"
    assert JPEG_QUALITY >= 90


def test_a_transparent_layer_goes_as_png_fitted():
    plan = plan_upload(5000, 3000, transparent=True)
    assert (plan.format, plan.width, plan.height, plan.extension) == ("png", 4095, 2457, "png")


def test_shrink_returns_none_when_the_file_fits():
    assert shrink(UploadPlan("jpeg", 100, 100), MAX_UPLOAD_BYTES - 1) is None


def test_a_slightly_large_jpeg_first_loses_quality_then_pixels():
    plan = UploadPlan("jpeg", 4000, 3000)
    qualities = []
    while plan.width == 4000:
        qualities.append(plan.quality)
        plan = shrink(plan, MAX_UPLOAD_BYTES + 1)
    assert qualities == list(range(JPEG_QUALITY, MIN_JPEG_QUALITY - 1, -5))
    assert plan.width < 4000 and plan.quality == MIN_JPEG_QUALITY
    assert plan.width / plan.height == pytest.approx(4 / 3, rel=0.01)


def test_a_much_too_large_png_loses_pixels_by_the_square_root_of_the_overshoot():
    plan = shrink(UploadPlan("png", 4000, 4000), 4 * MAX_UPLOAD_BYTES)
    assert plan.format == "png"
    assert plan.width == plan.height
    assert 1800 <= plan.width <= 2000  # sqrt(0.92 / 4) * 4000 = 1918


def test_shrink_gives_up_on_absurd_sizes_with_a_message_for_the_user():
    with pytest.raises(TooLargeError, match="too large for the service"):
        shrink(UploadPlan("png", 20, 20), 100 * MAX_UPLOAD_BYTES)
