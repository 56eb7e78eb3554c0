"""Three selected photo layers in a window; more images on "more-images"; every image's layer tree on "snap"."""

import os
import time

from batch_lib import three_photos, tree
from gi.repository import Gimp
from hm import hm_load, hm_path, hm_take_flag, hm_write_report

image, _ = three_photos()
Gimp.Display.new(image)
Gimp.displays_flush()
images = [image]
seq = 0
while not os.path.exists(hm_path("quit")):
    if hm_take_flag("more-images"):
        for side in (400, 480):  # pictures unlike the first image's layers
            other = hm_load("portrait.png")
            other.scale(side, side)
            other.clean_all()
            Gimp.Display.new(other)
            images.append(other)
        Gimp.displays_flush()
    if hm_take_flag("snap"):
        seq += 1
        hm_write_report(
            {
                "seq": seq,
                "ids": [i.get_id() for i in images],
                "trees": [tree(i.get_layers()) for i in images],
                "selected": sorted(layer.get_name() for layer in image.get_selected_layers()),
            }
        )
    time.sleep(0.1)
