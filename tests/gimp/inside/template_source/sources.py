"""Each source through the PDB, as a script calls it: a template layer, a template file (with a style
also set), a style with a template file given, and each template source without its template."""

from gi.repository import Gio
from hm import hm_load, hm_path, hm_write_report
from plugin_lib import call, names

image = hm_load("portrait.png")
source = image.get_layers()[0]
other = hm_load("template.png")  # another open image: its layer is the template
template_file = Gio.File.new_for_path(hm_path("template.png"))
report = {}
report["layer"] = call(image, source, source="layer", template_layer=other.get_layers()[0])
report["layer_name"] = image.get_layers()[0].get_name()
report["file_with_style_set"] = call(image, source, source="file", template=template_file, mask_style="mask-9")
report["style_with_template_given"] = call(image, source, mask_style="mask-9", template=template_file)
report["layer_missing"] = call(image, source, source="layer")
report["file_missing"] = call(image, source, source="file")
report["names"] = names(image)
other.delete()
image.delete()
hm_write_report(report)
