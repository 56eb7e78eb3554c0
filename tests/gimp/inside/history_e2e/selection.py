"""A result made for a selection, removed, then inserted from the history: back in its box, with its mask."""

from gi.repository import Gimp
from history_lib import history, submits
from hm import hm_load, hm_write_report
from plugin_lib import call, digest, info

image = hm_load("portrait.png")
source = image.get_layers()[0]
image.select_rectangle(Gimp.ChannelOps.REPLACE, 96, 64, 320, 352)
report = {"run": call(image, source, mask_style="mask-9")}
first = image.get_layers()[0]
report["first"], first_digest = info(first), digest(first)
first_masked = first.get_mask() is not None
image.remove_layer(first)
report["insert"] = history(image, [source])[:2]
again = image.get_layers()[0]
report["inserted"], report["same_pixels"] = info(again), digest(again) == first_digest
report["mask"] = [first_masked, again.get_mask() is not None]
report["submits"] = submits()
image.delete()
hm_write_report(report)
