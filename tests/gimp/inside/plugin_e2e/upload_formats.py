"""Opaque layers upload as JPEG, a layer with transparent pixels as PNG."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call

image = hm_load("portrait.png")
status_opaque = call(image, image.get_layers()[0], mask_style="mask-2")
layer = image.get_layers()[1]
layer.add_alpha()  # an alpha channel that is opaque everywhere: still a JPEG
status_alpha_opaque = call(image, layer, mask_style="mask-2")
image.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, 100, 100)
layer.edit_clear()
Gimp.Selection.none(image)
status_transparent = call(image, layer, mask_style="mask-2")
image.delete()
hm_write_report({"status": [status_opaque, status_alpha_opaque, status_transparent]})
