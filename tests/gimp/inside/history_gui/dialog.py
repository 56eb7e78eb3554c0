"""Two kept results (style 3 from another image, style 7 from this one, its layer removed), then the
History dialog opened interactively on the flags "open" and "open-again"; reports what it inserted."""

from gi.repository import Gimp
from hm import hm_load, hm_wait_flag, hm_write_report
from plugin_lib import call, digest, info, names

other = hm_load("other.png")
other_run = call(other, other.get_layers()[0], mask_style="mask-3")
assert other_run[0] == "success", other_run
other.delete()
image = hm_load("portrait.png")
source = image.get_layers()[0]
assert call(image, source, mask_style="mask-7")[0] == "success"
first = image.get_layers()[0]
first_digest, first_info = digest(first), info(first)
image.remove_layer(first)
Gimp.Display.new(image)
Gimp.displays_flush()
hm_write_report({"ready": names(image)})
hm_wait_flag("open")
proc = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask-history")
config = proc.create_config()
config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
config.set_property("image", image)
config.set_core_object_array("drawables", [source])
result = proc.run(config)
top = image.get_layers()[0]
report = {
    "ready": True,
    "status": result.index(0).value_nick,
    "inserted": names(image),
    "top": info(top),
    "first": first_info,
    "same_pixels": digest(top) == first_digest,
}
hm_write_report(report)
hm_wait_flag("undone")
report["after_undo"] = names(image)
hm_write_report(report)
hm_wait_flag("open-again")
report["again"] = proc.run(config).index(0).value_nick
hm_write_report(report)
hm_wait_flag("quit", timeout=300)
