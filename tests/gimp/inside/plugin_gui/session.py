"""The GUI tests' session: the portrait in a window; the host's flags answered until "quit".

"snap" writes the image's state as the report; "select-top" selects the top layer (a person
clicking it in the Layers dock); "select" selects the ellipse ``params["ellipse"]`` (x, y,
width, height), as a person would with the Ellipse Select tool.
"""

import os
import time

from batch_lib import tree
from gi.repository import Gimp
from hm import hm_load, hm_params, hm_path, hm_write_report
from plugin_lib import digest, info, names, px, scratch_left

ellipse = hm_params().get("ellipse")
image = hm_load("portrait.png")
image.clean_all()
source = image.get_layers()[0]
Gimp.Display.new(image)
Gimp.displays_flush()
seq = 0


def parasite_text(parasite):
    return bytes(b % 256 for b in parasite.get_data()).decode(errors="replace")  # get_data() gives signed chars


def snap():
    global seq
    seq += 1
    top = image.get_layers()[0]
    mask = top.get_mask()
    hm_write_report(
        {
            "seq": seq,
            "names": names(image),
            "tree": tree(image.get_layers()),
            "dirty": image.is_dirty(),
            "selected": [layer.get_name() for layer in image.get_selected_layers()],
            "source": digest(source),
            "top": info(top),
            "children": [info(child) for child in top.get_children()] if top.is_group() else [],
            "has_mask": mask is not None,
            "mask_max": max(px(mask, "Y u8")) if mask is not None else None,
            "selection": Gimp.Selection.bounds(image)[1],
            "scratch_left": scratch_left(),
            "parasites": {name: parasite_text(image.get_parasite(name)) for name in image.get_parasite_list()},
        }
    )


def taken(flag):
    """Whether the host has set ``flag`` (removed here, so that it is answered once)."""
    if not os.path.exists(hm_path(flag)):
        return False
    os.remove(hm_path(flag))
    return True


while not os.path.exists(hm_path("quit")):
    if taken("select-top"):
        image.set_selected_layers([image.get_layers()[0]])
        Gimp.displays_flush()
    if taken("select"):
        image.select_ellipse(Gimp.ChannelOps.REPLACE, *ellipse)
        Gimp.displays_flush()
    if taken("snap"):
        snap()
    time.sleep(0.1)
