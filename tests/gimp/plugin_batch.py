"""Batch-code helpers for the plug-in's end-to-end tests (run inside GIMP after BATCH_PRELUDE).

``PLUGIN_LIB`` defines functions the tests' batch code calls; ``plugin_env`` the environment
that points the plug-in at the in-process emulator.
"""

from __future__ import annotations

from pathlib import Path

PROC = "python-fu-halloween-mask"
SECRET_KEY = "hm-test-key-7f3a9c-do-not-leak"  # distinctive, so a grep for it means something
PORTRAIT = Path(__file__).parents[1] / "data" / "portrait-astronaut.png"
# The upload notice counts as seen (its own tests pass HALLOWEEN_MASK_UPLOAD_NOTICE="" to meet it).
NOTICE_SEEN = {"HALLOWEEN_MASK_UPLOAD_NOTICE": "accepted"}


def plugin_env(base_url: str, settings_inside: str, *, key_in_env: bool = True, **extra: str) -> dict[str, str]:
    """GIMP's environment: emulator endpoint, key (env or settings file only), settings path."""
    env = {"AILAB_API_BASE": base_url, "HALLOWEEN_MASK_SETTINGS": settings_inside, **NOTICE_SEEN, **extra}
    env["HM_EMULATOR_KEY"] = SECRET_KEY  # for the emulator's control routes, which want one of its keys
    if key_in_env:
        env["AILAB_API_KEY"] = SECRET_KEY
    return env


PLUGIN_LIB = r'''
import hashlib
import urllib.request
gi_require = __import__("gi").require_version
gi_require("Gegl", "0.4")
from gi.repository import Gegl

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
        "selected": [l.get_name() for l in image.get_selected_layers()],
        "provenance": json.loads(bytes(parasite.get_data()).decode()) if parasite else None,
        "parasite_flags": parasite.get_flags() if parasite else None,
    }


def names(image):
    return [l.get_name() for l in image.get_layers()]


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
    request = urllib.request.Request(base + route, data=data, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "ailabapi-api-key": os.environ["HM_EMULATOR_KEY"]})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def images():
    return set(Gimp.get_images())
'''
