"""Load, call the probe plug-in (once to succeed, once to fail), save as XCF, reload."""

import sys

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_save, hm_write_report

PROBE = "python-fu-hm-harness-probe"

image = hm_load("in.png")
before = [layer.get_name() for layer in image.get_layers()]
status, message = hm_call(PROBE, image, image.get_layers()[:1], label="probe-layer")
if status != "success":
    raise RuntimeError(f"probe failed: {status} {message}")
hm_save(image, "out.xcf")
image.delete()
reloaded = hm_load("out.xcf")
after = [layer.get_name() for layer in reloaded.get_layers()]
size = [reloaded.get_width(), reloaded.get_height()]
reloaded.delete()
failing = hm_load("in.png")
fail_status, fail_message = hm_call(PROBE, failing, failing.get_layers()[:1], label="fail")
failing.delete()
hm_write_report(
    {
        "before": before,
        "after": after,
        "size": size,
        "version": Gimp.version(),
        "fail": [fail_status, fail_message],
        "python": sys.version,
    }
)
