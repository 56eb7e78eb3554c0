"""bench_batch: the plug-in on eight photo layers against one, interleaved, each run with a style of its own."""

import time

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_params, hm_write_report
from plugin_lib import PROC

params = hm_params()
image = hm_load("photo.png")
photo = image.get_layers()[0]
layers = [photo]
for number in range(1, params["layers"]):
    layer = Gimp.Layer.new_from_drawable(photo, image)
    image.insert_layer(layer, None, 0)
    layer.brightness_contrast(0.01 * number, 0.0)  # a different picture: a different upload and task
    layer.set_name(f"photo {number + 1}")
    layers.append(layer)
image.clean_all()
report = {"gimp": Gimp.version(), "runs": []}
styles = iter(range(10, 86))


def timed(kind):
    """One run on all the layers ("eight") or the first ("one"); its results removed again."""
    chosen = layers if kind == "eight" else layers[:1]
    before = set(image.get_layers())
    start = time.monotonic()
    status = hm_call(PROC, image, chosen, mask_style=f"mask-{next(styles)}")
    seconds = time.monotonic() - start
    if status[0] != "success":
        raise RuntimeError(f"{kind}: {status}")
    made = [layer for layer in image.get_layers() if layer not in before]
    if len(made) != len(chosen):
        raise RuntimeError(f"{kind}: {len(made)} results for {len(chosen)} layers")
    for layer in made:
        image.remove_layer(layer)
    report["runs"].append({"kind": kind, "seconds": seconds})


for n in range(params["runs"]):
    for kind in ("one", "eight") if n % 2 == 0 else ("eight", "one"):
        timed(kind)
image.delete()
hm_write_report(report)
