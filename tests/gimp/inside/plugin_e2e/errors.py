"""Failures (no key, a wrong key, no credits, a server error, the deadline) leave the image as it was."""

import json
import os
import time

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, digest, emulator, names, scratch_left

report = {}
settings = os.environ["HALLOWEEN_MASK_SETTINGS"]


def store_key(key):
    os.makedirs(os.path.dirname(settings), exist_ok=True)
    fd = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"api_key": key}, handle)


def attempt(label, image, layer, **args):
    before_names, before = names(image), digest(layer)
    start = time.monotonic()
    status, message = call(image, layer, **args)
    report[label] = {
        "status": status,
        "message": message,
        "seconds": time.monotonic() - start,
        "unchanged": names(image) == before_names and digest(layer) == before,
        "dirty": image.is_dirty(),
        "scratch_left": scratch_left(),
    }


image = hm_load("portrait.png")
layer = image.get_layers()[0]
image.clean_all()
if os.path.exists(settings):
    os.unlink(settings)
attempt("no_key", image, layer, mask_style="mask-1")
store_key("not-the-right-key")
attempt("bad_key", image, layer, mask_style="mask-1")
store_key(os.environ["HM_GOOD_KEY"])
emulator({"credits": 0})
attempt("no_credits", image, layer, mask_style="mask-1")
emulator({"credits": 10000, "failure": "poll_error"})
attempt("server_500", image, layer, mask_style="mask-1")
emulator({"failure": None, "processing_seconds": 30.0})
attempt("timeout", image, layer, mask_style="mask-1", deadline=2)
emulator({"processing_seconds": 0.0})
blank = Gimp.Image.new(400, 300, Gimp.ImageBaseType.RGB)
plain = Gimp.Layer.new(blank, "plain", 400, 300, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
blank.insert_layer(plain, None, 0)
blank.clean_all()
attempt("no_face", blank, plain, mask_style="mask-1")
blank.delete()
# After all that, a normal run still works.
attempt("recovered", image, layer, mask_style="mask-1")
image.delete()
hm_write_report(report)
