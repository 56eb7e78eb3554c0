"""Export one drawable for upload with GIMP's own exporters, fitted to the API's limits."""

from __future__ import annotations

from pathlib import Path

from gi.repository import Gimp, Gio
from halloween_mask import tempfiles
from halloween_mask.errors import ErrorKind, HalloweenMaskError
from halloween_mask.i18n import N_
from halloween_mask.region import Box
from halloween_mask.upload_plan import UploadPlan, plan_upload, shrink

_OPAQUE_MEAN = 254.999  # mean alpha (0-255) of a layer that is opaque but for a negligible speck

# Export settings per format: no thumbnails or metadata (nothing private leaves the machine,
# fewer bytes, no time stamp: the same layer is the same upload), fast PNG compression, no colour
# kept under fully transparent pixels (a service that drops alpha would show it), JPEG without
# chroma subsampling for a faithful face. No profile: the export image is sRGB, and GIMP converts
# the layer into it through the source image's profile (colour.py).
_EXPORTERS = {
    "jpeg": ("file-jpeg-export", {"progressive": False, "optimize": True, "sub-sampling": "sub-sampling-1x1"}),
    "png": (
        "file-png-export",
        {"compression": 6, "bkgd": False, "phys": False, "time": False, "save-transparent": False},
    ),
}
_NO_METADATA = ("include-exif", "include-iptc", "include-xmp", "include-color-profile", "include-thumbnail")


class ExportError(HalloweenMaskError):
    """GIMP's exporter refused the layer."""

    kind = ErrorKind.BAD_INPUT
    advice = N_(
        "GIMP could not export the layer for upload. Try Image > Mode > RGB or Layer > Flatten, "
        "then run Halloween Mask again."
    )


def export_for_upload(drawable: Gimp.Drawable, directory: Path, part: Box | None = None) -> tuple[Path, UploadPlan]:
    """Write ``drawable`` (any type, depth, offset or group) to a scratch file the API accepts.

    The layer is copied into a throw-away 8-bit RGB image (indexed and grayscale become RGB),
    cropped there to ``part`` (in the drawable's own pixels) if given, scaled if needed, and
    exported as JPEG, or PNG when it has real transparency. The source is never touched.
    Returns the file and the plan it was written with.
    """
    scratch = Gimp.Image.new(drawable.get_width(), drawable.get_height(), Gimp.ImageBaseType.RGB)
    try:
        scratch.undo_disable()
        layer = Gimp.Layer.new_from_drawable(drawable, scratch)
        scratch.insert_layer(layer, None, 0)
        layer.set_offsets(0, 0)
        layer.set_visible(True)
        layer.set_opacity(100.0)
        layer.set_mode(Gimp.LayerMode.NORMAL)
        if part is not None:
            scratch.crop(part.width, part.height, part.x, part.y)
        plan = plan_upload(scratch.get_width(), scratch.get_height(), _has_transparency(layer))
        while True:
            if (scratch.get_width(), scratch.get_height()) != (plan.width, plan.height):
                _scale(scratch, plan.width, plan.height)
            path = tempfiles.scratch_path(directory, plan.extension)
            try:
                _export(scratch, path, plan)
                next_plan = shrink(plan, path.stat().st_size)
            except BaseException:
                tempfiles.remove(path)
                raise
            if next_plan is None:
                return path, plan
            tempfiles.remove(path)
            plan = next_plan
    finally:
        scratch.delete()


def _scale(image: Gimp.Image, width: int, height: int) -> None:
    """Scale with cubic interpolation, whatever the user's default is (None would alias the face)."""
    Gimp.context_push()
    try:
        Gimp.context_set_interpolation(Gimp.InterpolationType.CUBIC)
        image.scale(width, height)
    finally:
        Gimp.context_pop()


def _has_transparency(layer: Gimp.Layer) -> bool:
    """Whether the layer has meaningful transparency (an unused alpha channel does not count)."""
    if not layer.has_alpha():
        return False
    # GIMP 3.0 ignores the range for the alpha histogram, so judge by the mean alpha.
    _ok, mean, *_rest = layer.histogram(Gimp.HistogramChannel.ALPHA, 0.0, 1.0)
    return mean < _OPAQUE_MEAN


def _export(image: Gimp.Image, path: Path, plan: UploadPlan) -> None:
    name, settings = _EXPORTERS[plan.format]
    procedure = Gimp.get_pdb().lookup_procedure(name)
    config = procedure.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_property("file", Gio.File.new_for_path(str(path)))
    for prop in _NO_METADATA:
        config.set_property(prop, False)
    for prop, value in settings.items():
        config.set_property(prop, value)
    if plan.format == "jpeg":
        config.set_property("quality", plan.quality / 100)
    status = procedure.run(config).index(0)
    if status != Gimp.PDBStatusType.SUCCESS or not path.is_file():
        raise ExportError(f"the {plan.format.upper()} exporter answered {status.value_nick}")
