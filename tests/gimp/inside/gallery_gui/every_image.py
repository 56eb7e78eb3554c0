"""The portrait in a window; each "snap" flag reports every open image's layers (name, provenance) until "quit"."""

import os
import time

from gi.repository import Gimp
from hm import hm_load, hm_path, hm_write_report

PARASITE = "halloween-mask-provenance"

image = hm_load("portrait.png")
image.clean_all()
Gimp.Display.new(image)
Gimp.displays_flush()
seq = 0
hm_write_report({"seq": seq})
while not os.path.exists(hm_path("quit")):
    if os.path.exists(hm_path("snap")):
        os.remove(hm_path("snap"))
        seq += 1
        layers = {
            str(each.get_id()): [[layer.get_name(), bool(layer.get_parasite(PARASITE))] for layer in each.get_layers()]
            for each in Gimp.get_images()
        }
        hm_write_report({"seq": seq, "portrait": str(image.get_id()), "images": layers})
    time.sleep(0.1)
