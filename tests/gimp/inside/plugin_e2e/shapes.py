"""A layer over the size limit, a template file, and an aspect ratio that opens a new image."""

import time

from gi.repository import Gio
from hm import hm_load, hm_path, hm_write_report
from plugin_lib import call, digest, images, info, names, scratch_left
from selection_lib import portrait_on_white

report = {}

# A 5000x3000 layer with the portrait in the middle: fitted for upload, the result scaled back.
image, big = portrait_on_white((5000, 3000), "big", (0, 0, 5000, 3000), 2800, (1100, 100))
before = digest(big)
start = time.monotonic()
report["big"] = {
    "status": call(image, big, mask_style="mask-3"),
    "seconds": time.monotonic() - start,
    "new": info(image.get_layers()[0]),
    "source": info(big),
    "source_same": digest(big) == before,
}
image.delete()

# A template image instead of a style (a WEBP the plug-in must pass through as is).
image = hm_load("portrait.png")
source = image.get_layers()[0]
report["template"] = {
    "status": call(image, source, mask_style="template", template=Gio.File.new_for_path(hm_path("template.png"))),
    "new": info(image.get_layers()[0]),
}
image.delete()

# A fixed aspect ratio the source does not have: a new image; the source image untouched.
image = hm_load("portrait.png")
image.clean_all()  # a freshly loaded image counts as dirty in batch mode
source = image.get_layers()[0]
known = images()
report["ratio"] = {
    "status": call(image, source, mask_style="mask-5", aspect_ratio="9x16"),
    "names": names(image),
    "dirty": image.is_dirty(),
}
new_images = list(images() - known)
report["ratio"]["new_images"] = [[i.get_width(), i.get_height(), names(i), i.is_dirty()] for i in new_images]
report["ratio"]["new"] = info(new_images[0].get_layers()[0]) if new_images else None
for extra in new_images:
    extra.delete()

# The same shape, but placement "new-image" asked for.
known = images()
report["forced"] = {"status": call(image, source, mask_style="mask-5", placement="new-image"), "names": names(image)}
new_images = list(images() - known)
report["forced"]["new_images"] = [[i.get_width(), i.get_height(), names(i)] for i in new_images]
for extra in new_images:
    extra.delete()
image.delete()
report["scratch_left"] = scratch_left()
hm_write_report(report)
