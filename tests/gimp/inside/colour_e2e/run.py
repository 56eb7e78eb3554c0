"""Mask the Adobe RGB portrait (twice), the cut-out (whole and a part) and the EXIF-tagged JPEG; dump their pixels."""

from gi.repository import Gimp
from hm import hm_load, hm_path, hm_write_report
from plugin_lib import call, info, px, scratch_left


def dump(name, drawable, fmt):
    """Write the drawable's pixels, as GIMP shows them in ``fmt``, to ``name`` in the work folder."""
    with open(hm_path(name), "wb") as handle:
        handle.write(bytes(px(drawable, fmt)))


report = {}

image = hm_load("adobe.png")
profile = image.get_color_profile()
report["profile"] = profile.get_label() if profile else None
source = image.get_layers()[0]
dump("adobe-source.rgb", source, "R'G'B' u8")  # as GIMP shows it, in sRGB
status, message = call(image, source, mask_style="mask-7")
result = image.get_layers()[0]
report["adobe"] = {"status": status, "message": message, "result": info(result)}
dump("adobe-result.rgb", result, "R'G'B' u8")
status, message = call(image, source, mask_style="mask-7")  # the same again: the same upload
report["again"] = {"status": status, "message": message}
image.delete()

image = hm_load("cutout.png")
source = image.get_layers()[0]
report["cutout_source_alpha"] = source.has_alpha()
status, message = call(image, source, mask_style="mask-7")
result = image.get_layers()[0]
report["cutout"] = {"status": status, "message": message, "result": info(result), "alpha": result.has_alpha()}
dump("cutout-result.rgba", result, "R'G'B'A u8")
image.delete()

image = hm_load("cutout.png")  # the same with a selection: the part's result keeps the source's alpha too
source = image.get_layers()[0]
image.select_rectangle(Gimp.ChannelOps.REPLACE, 40, 20, 340, 340)
status, message = call(image, source, mask_style="mask-9")
result = image.get_layers()[0]
report["cutout_part"] = {
    "status": status,
    "message": message,
    "result": info(result),
    "mask": result.get_mask() is not None,
}
dump("cutout-part.rgba", result, "R'G'B'A u8")
image.delete()

image = hm_load("upside-down-tag.jpg")
source = image.get_layers()[0]
dump("tagged-source.rgb", source, "R'G'B' u8")
status, message = call(image, source, mask_style="mask-7")
result = image.get_layers()[0]
report["tagged"] = {"status": status, "message": message, "result": info(result)}
dump("tagged-result.rgb", result, "R'G'B' u8")
image.delete()

report["scratch_left"] = scratch_left()
hm_write_report(report)
