"""A service that answers a byte at a time: the wait-at-most deadline still holds."""

import time

from hm import hm_load, hm_write_report
from plugin_lib import call

image = hm_load("portrait.png")
layer = image.get_layers()[0]
image.clean_all()
start = time.monotonic()
status, message = call(image, layer, mask_style="mask-1", deadline=2)
hm_write_report(
    {
        "status": status,
        "message": message,
        "seconds": time.monotonic() - start,
        "layers": len(image.get_layers()),
        "dirty": image.is_dirty(),
    }
)
image.delete()
