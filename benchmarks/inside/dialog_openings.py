"""bench_gallery, bench_history_dialog: the portrait open, one procedure's dialog per "go-<n>" flag, timed."""

import time

from gi.repository import Gimp
from hm import hm_load, hm_params, hm_wait_flag, hm_write_report

image = hm_load("portrait.png")
Gimp.Display.new(image)
Gimp.displays_flush()
asked = []
hm_write_report({"asked": asked})
for n, name in enumerate(hm_params()["procedures"]):
    hm_wait_flag(f"go-{n}")
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", image.get_layers())
    asked.append(time.monotonic())
    proc.run(config)  # until the host presses Escape
    hm_write_report({"asked": asked})
hm_wait_flag("quit")
