"""The portrait in a window; a 16 x 16 and a 6000 x 4000 image (no windows) whose dialogs open on the
flags "tiny" and "huge"; reports each run's status, then waits for "quit"."""

from gi.repository import Gimp
from hm import hm_load, hm_wait_flag, hm_write_report
from plugin_lib import PROC

portrait = hm_load("portrait.png")
portrait.clean_all()
Gimp.Display.new(portrait)
Gimp.displays_flush()


def blank(width, height):
    """A clean RGB image of one layer, "photo"."""
    image = Gimp.Image.new(width, height, Gimp.ImageBaseType.RGB)
    layer = Gimp.Layer.new(image, "photo", width, height, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    image.clean_all()
    return image


others = {"tiny": blank(16, 16), "huge": blank(6000, 4000)}
proc = Gimp.get_pdb().lookup_procedure(PROC)
hm_write_report({"seq": 0})
for seq, step in enumerate(("tiny", "huge"), start=1):
    hm_wait_flag(step)
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", others[step])
    config.set_core_object_array("drawables", others[step].get_layers())
    status = proc.run(config).index(0).value_nick
    hm_write_report({"seq": seq, "status": status})
hm_wait_flag("quit", timeout=600)
for image in others.values():
    image.delete()
