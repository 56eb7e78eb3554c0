"""The plug-in's labels in GIMP's language, and its advice and result layer's name from two runs."""

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_write_report
from plugin_lib import PROC

proc = Gimp.get_pdb().lookup_procedure(PROC)
style_arg = next(arg for arg in proc.get_arguments() if arg.get_name() == "mask-style")
report = {
    "menu_label": proc.get_menu_label(),
    "menu_paths": list(proc.get_menu_paths()),
    "blurb": proc.get_blurb(),
    "style_nick": style_arg.get_nick(),
}
image = hm_load("portrait.png")
layer = image.get_layers()[0]
report["status"], report["error"] = hm_call(PROC, image, [layer], mask_style="mask-2")  # fails: no face
report["made"] = hm_call(PROC, image, [layer], mask_style="mask-3")
report["layer_name"] = image.get_layers()[0].get_name()
hm_write_report(report)
