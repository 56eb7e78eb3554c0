"""What the plug-in's end-to-end scripts share inside GIMP: pixels, layer facts, the emulator."""

import hashlib
import json
import os
import urllib.request

import gi

gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402  (after require_version, as GIMP's own plug-ins do)
from hm import hm_call  # noqa: E402

PROC = "python-fu-halloween-mask"
TEMP_DIR = os.environ["GIMP3_TEMPDIR"]


def px(drawable, fmt="R'G'B'A float"):
    """The drawable's pixels as bytes (float keeps 16/32-bit sources exact)."""
    rect = Gegl.Rectangle.new(0, 0, drawable.get_width(), drawable.get_height())
    return drawable.get_buffer().get(rect, 1.0, fmt, Gegl.AbyssPolicy.CLAMP)


def digest(drawable):
    return hashlib.sha256(px(drawable)).hexdigest()


def changed_box(source, result, threshold=250):
    """[x, y, w, h, centre x, centre y] of the pixels where result differs strongly from source.

    The emulator grades the whole picture a little and paints the mask over the face, so only
    strong differences (summed over R, G, B) count."""
    a, b = px(source, "R'G'B' u8"), px(result, "R'G'B' u8")
    width = source.get_width()
    xs, ys = [], []
    for i in range(0, len(a), 3):
        if abs(a[i] - b[i]) + abs(a[i + 1] - b[i + 1]) + abs(a[i + 2] - b[i + 2]) > threshold:
            p = i // 3
            xs.append(p % width)
            ys.append(p // width)
    if not xs:
        return None
    return [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1, sum(xs) / len(xs), sum(ys) / len(ys)]


def info(layer):
    """Structure of a layer: name, size, offsets, parent, position, parasite."""
    image = layer.get_image()
    parent = layer.get_parent()
    parasite = layer.get_parasite("halloween-mask-provenance")
    return {
        "name": layer.get_name(),
        "size": [layer.get_width(), layer.get_height()],
        "offsets": list(layer.get_offsets()[1:]),
        "parent": parent.get_name() if parent else None,
        "position": image.get_item_position(layer),
        "selected": [selected.get_name() for selected in image.get_selected_layers()],
        "provenance": json.loads(bytes(parasite.get_data()).decode()) if parasite else None,
        "parasite_flags": parasite.get_flags() if parasite else None,
    }


def names(image):
    return [layer.get_name() for layer in image.get_layers()]


def call(image, layer, **args):
    """Run the plug-in non-interactively with named arguments; (status, message)."""
    return hm_call(PROC, image, [layer], **args)


def scratch_left():
    return sorted(n for n in os.listdir(TEMP_DIR) if n.startswith("halloween-mask-"))


def emulator(changes=None, reset=False):
    """Reconfigure the emulator (it runs in the pytest process) through its control route."""
    base = os.environ["AILAB_API_BASE"]
    route = "/_emulator/reset" if reset else "/_emulator/config"
    data = json.dumps(changes or {}).encode()
    headers = {"Content-Type": "application/json", "ailabapi-api-key": os.environ["HM_EMULATOR_KEY"]}
    request = urllib.request.Request(base + route, data=data, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def images():
    return set(Gimp.get_images())
