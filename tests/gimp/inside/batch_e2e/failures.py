"""A group, a no-face photo and an empty layer among the selected: named and skipped; all failing: nothing added."""

from batch_lib import photo_layer, run_on, three_photos, tree
from gi.repository import Gimp
from hm import hm_write_report
from plugin_lib import PROC, scratch_left

report = {}
image, (a, b, c) = three_photos(third="landscape.png")
c.set_name("IMG_0042")
empty = Gimp.Layer.new(image, "Empty", 200, 200, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(empty, None, 0)
group = b.get_parent()
report["partial"] = run_on(PROC, image, [a, group, c, empty], mask_style="mask-3")
report["partial_tree"] = tree(image.get_layers())
image.delete()

image = Gimp.Image.new(900, 900, Gimp.ImageBaseType.RGB)  # every selected layer a landscape: nothing works
landscapes = []
for name, (x, y), width in (("L1", (0, 0), 640), ("L2", (300, 300), 600), ("L3", (200, 100), 560)):
    landscapes.append(photo_layer(image, name, x, y, file="landscape.png"))
    landscapes[-1].scale(width, width * 3 // 4, False)  # three different uploads
image.clean_all()
report["all"] = run_on(PROC, image, landscapes, mask_style="mask-3")
report["all_tree"] = tree(image.get_layers())
report["all_dirty"] = image.is_dirty()
report["scratch_left"] = scratch_left()
image.delete()

image, (a, b, c) = three_photos()
report["only_groups"] = run_on(PROC, image, [b.get_parent()], mask_style="mask-3")
image.delete()
hm_write_report(report)
