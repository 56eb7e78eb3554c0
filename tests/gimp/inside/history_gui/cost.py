"""One kept result of style 7 (its layer removed), then the dialog opened interactively on "open-0"
(style 7), "open-1" (style 7) and "open-2" (Variants 3, 7, 12); reports each run's status and layers."""

from gi.repository import Gimp
from hm import hm_load, hm_wait_flag, hm_write_report
from plugin_lib import PROC, call, names
from variants_lib import VARIANTS

image = hm_load("portrait.png")
source = image.get_layers()[0]
first_run = call(image, source, mask_style="mask-7")
assert first_run[0] == "success", first_run
image.remove_layer(image.get_layers()[0])
Gimp.Display.new(image)
Gimp.displays_flush()
report = {"ready": names(image)}
hm_write_report(report)
proc = Gimp.get_pdb().lookup_procedure(PROC)
variants = Gimp.get_pdb().lookup_procedure(VARIANTS)
for n in range(3):
    hm_wait_flag(f"open-{n}")
    chosen = proc if n < 2 else variants
    config = chosen.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [source])
    if n < 2:
        config.set_property("mask-style", "mask-7")
    else:
        config.set_property("mask-styles", "3, 7, 12")
    report[f"run-{n}"] = chosen.run(config).index(0).value_nick
    report[f"names-{n}"] = names(image)
    hm_write_report(report)
hm_wait_flag("quit", timeout=300)
