"""bench_variants: Variants against one style, interleaved; then the whole layer's upload and a face selection's."""

import time

from gi.repository import Gimp
from hm import hm_load, hm_params, hm_write_report
from plugin_lib import call, emulator, info
from variants_lib import variants

params = hm_params()
image = hm_load("photo.png")
layer = image.get_layers()[0]
report = {"gimp": Gimp.version(), "runs": [], "regions": []}


def timed(kind):
    """One single-style or variants run, paid anew (not the kept result of the last); its layer or group removed."""
    start = time.monotonic()
    if kind == "single":
        status = call(image, layer, mask_style=params["single"], reuse=False)
    else:
        status = variants(image, layer, params["styles"], reuse=False)[:2]
    seconds = time.monotonic() - start
    if status[0] != "success":
        raise RuntimeError(f"{kind}: {status}")
    image.remove_layer(image.get_layers()[0])
    report["runs"].append({"kind": kind, "seconds": seconds})


for n in range(params["runs"]):
    for kind in ("single", "variants") if n % 2 == 0 else ("variants", "single"):
        timed(kind)

# Upload bytes: the whole layer, then a rectangle over the face.
emulator({"queued_seconds": 0.0, "processing_seconds": 0.0})
for face in (None, params["face"]):
    if face is None:
        Gimp.Selection.none(image)
    else:
        image.select_rectangle(Gimp.ChannelOps.REPLACE, *face)
    status = call(image, layer, mask_style=params["single"], reuse=False)
    if status[0] != "success":
        raise RuntimeError(f"upload run: {status}")
    report["regions"].append(info(image.get_layers()[0])["provenance"]["region"])
    image.remove_layer(image.get_layers()[0])
image.delete()
hm_write_report(report)
