"""The default GUI session: open HM_IMAGE in a window, report, wait for the quit flag."""

import os

from gi.repository import Gimp
from hm import hm_load, hm_wait_flag, hm_write_report

image = hm_load(os.environ["HM_IMAGE"]) if os.environ.get("HM_IMAGE") else None
if image is not None:
    Gimp.Display.new(image)
    Gimp.displays_flush()
hm_write_report({"opened": image is not None})
hm_wait_flag("quit", timeout=float(os.environ.get("HM_GUI_TIMEOUT", "300")))
if image is not None:
    hm_write_report({"opened": True, "layers": [layer.get_name() for layer in image.get_layers()]})
