"""A script opens the dialog with "Template image file" chosen and no file (as a person who clicked
that option and no file yet), on the flag "open-with-file-source"; then the portrait stays open for
the menu runs, and each "state" flag reports its layers and whether it is dirty, until "quit"."""

import os
import time

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_path, hm_wait_flag, hm_write_report
from plugin_lib import PROC, names

image = hm_load("portrait.png")
image.clean_all()
Gimp.Display.new(image)
Gimp.displays_flush()
hm_write_report({"seq": 0})
hm_wait_flag("open-with-file-source")
status, _message = hm_call(PROC, image, image.get_layers(), Gimp.RunMode.INTERACTIVE, source="file")
hm_write_report({"seq": 1, "status": status})
while not os.path.exists(hm_path("quit")):
    if os.path.exists(hm_path("state")):
        os.remove(hm_path("state"))
        hm_write_report({"seq": 2, "names": names(image), "dirty": image.is_dirty()})
    time.sleep(0.1)
