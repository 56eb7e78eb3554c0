"""A rectangle, a feathered ellipse, a selection beside the layer and none; then variants over a selection."""

from gi.repository import Gimp
from hm import hm_write_report
from plugin_lib import info, scratch_left
from selection_lib import large_photo, mask_report, selected_run
from variants_lib import variants

report = {}
report["rectangle"] = selected_run(lambda image: image.select_rectangle(Gimp.ChannelOps.REPLACE, 1200, 520, 420, 420))


def feathered_ellipse(image):
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 1230, 520, 360, 420)
    Gimp.Selection.feather(image, 40.0)


report["ellipse"] = selected_run(feathered_ellipse)
# A selection beside the layer (the image is larger): the whole layer, said in the log.
report["missed"] = selected_run(lambda image: image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 100, 100))
report["none"] = selected_run(lambda image: Gimp.Selection.none(image))

# Variants with a selection: every variant layer is placed at the box and masked.
image, photo = large_photo()
image.select_rectangle(Gimp.ChannelOps.REPLACE, 1200, 520, 420, 420)
status, message, group, failed = variants(image, photo, "3, 12")
report["variants"] = {
    "status": status,
    "message": message,
    "children": [dict(info(c), **mask_report(c)) for c in group.get_children()] if group else [],
}
image.delete()
report["scratch_left"] = scratch_left()
hm_write_report(report)
