"""Two layers under one selection: each result limited to its part of the selection and masked by it."""

from batch_lib import above, run_on, three_photos
from gi.repository import Gimp
from hm import hm_write_report
from plugin_lib import PROC, info, px

image, (a, b, c) = three_photos()
image.select_rectangle(Gimp.ChannelOps.REPLACE, 100, 100, 700, 300)  # over A and B (not C's face)
run = run_on(PROC, image, [a, b], mask_style="mask-5")
report = {
    "run": run,
    "results": [info(above(layer)) for layer in (a, b)],
    "masks": [above(layer).get_mask() is not None for layer in (a, b)],
    "mask_max": [max(px(above(layer).get_mask(), "Y u8")) for layer in (a, b)],
}
image.delete()
hm_write_report(report)
