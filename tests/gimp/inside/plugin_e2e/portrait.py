"""Mask 7 on the portrait: the new layer, the source untouched, the XCF round trip, calling errors."""

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_save, hm_write_report
from plugin_lib import PROC, call, changed_box, digest, emulator, info, names, scratch_left

image = hm_load("portrait.png")
source = image.get_layers()[0]
before = digest(source)
proc = Gimp.get_pdb().lookup_procedure(PROC)
status, message = call(image, source, mask_style="mask-7", aspect_ratio="auto")
layers = image.get_layers()
report = {
    "args": [a.name for a in proc.get_arguments()],
    "menu": list(proc.get_menu_paths()),
    "status": status,
    "message": message,
    "names": names(image),
    "new": info(layers[0]),
    "source": info(source),
    "source_same": digest(source) == before,
    "changed": changed_box(source, layers[0]),
    "dirty": image.is_dirty(),
    "scratch_left": scratch_left(),
}
hm_save(image, "result.xcf")
image.delete()
# The saved file keeps the layer and its provenance.
reloaded = hm_load("result.xcf")
report["reloaded"] = names(reloaded)
report["reloaded_provenance"] = info(reloaded.get_layers()[0])["provenance"]
reloaded.delete()
# Two layers selected, and a template style without a file: CALLING_ERROR, nothing changed.
image = hm_load("portrait.png")
extra = Gimp.Layer.new_from_drawable(image.get_layers()[0], image)
image.insert_layer(extra, None, 0)
image.clean_all()
report["two_layers"] = hm_call(PROC, image, [], mask_style="mask-1")  # no layer: several are fine (issue 16)
report["no_template"] = call(image, extra, mask_style="template")
emulator({"api_keys": ["another-key"]})  # the key in GIMP's environment is refused
report["env_key_refused"] = call(image, extra, mask_style="mask-1")
report["after_bad_calls"] = [names(image), image.is_dirty()]
image.delete()
hm_write_report(report)
