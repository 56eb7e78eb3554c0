"""Halloween Mask on All Open Images: its menu entry and arguments, then a run over three images."""

from batch_lib import IMAGES_PROC, run_on, three_photos, tree
from gi.repository import Gimp
from hm import hm_load, hm_write_report

first, (a, b, c) = three_photos()
first.set_selected_layers([a, c])
second = hm_load("portrait.png")
third = hm_load("portrait.png")
third.get_layers()[0].set_name("Photo")
for image, side in ((second, 400), (third, 480)):  # pictures unlike the first image's, so four different uploads
    image.scale(side, side)
    image.clean_all()
proc = Gimp.get_pdb().lookup_procedure(IMAGES_PROC)
report = {
    "menu": list(proc.get_menu_paths()),
    "label": proc.get_menu_label(),
    "args": [a.name for a in proc.get_arguments()],
    "run": run_on(IMAGES_PROC, None, [], mask_style="mask-9"),
    "trees": [tree(i.get_layers()) for i in (first, second, third)],
    "dirty": [i.is_dirty() for i in (first, second, third)],
}
for image in (first, second, third):
    image.delete()
hm_write_report(report)
