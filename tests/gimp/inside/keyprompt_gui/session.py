"""The portrait in a window; its layer names on each "snap" flag, until "quit"."""

import os
import time

from gi.repository import Gimp
from hm import hm_load, hm_path, hm_write_report
from plugin_lib import names

image = hm_load("portrait.png")
image.clean_all()
Gimp.Display.new(image)
Gimp.displays_flush()
seq = 0
while not os.path.exists(hm_path("quit")):
    if os.path.exists(hm_path("snap")):
        os.remove(hm_path("snap"))
        seq += 1
        hm_write_report({"seq": seq, "names": names(image)})
    time.sleep(0.1)
