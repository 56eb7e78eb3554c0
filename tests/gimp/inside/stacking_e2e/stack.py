"""Single and variants runs over two layers, Repeat Last, then a saved and reloaded XCF: where results go."""

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_save, hm_write_report
from plugin_lib import PROC, call, info, names
from variants_lib import variants

image = hm_load("portrait.png")
photo = image.get_layers()[0]
photo.set_name("Photo")
other = Gimp.Layer.new_from_drawable(photo, image)
other.set_name("Other")
image.insert_layer(other, None, 0)
image.clean_all()
report = {"runs": {}}


def selected():
    return [layer.get_name() for layer in image.get_selected_layers()]


def run(label, layer, go):
    image.set_selected_layers([layer])
    report["runs"][label] = {
        "status": go(layer),
        "names": names(image),
        "selected": selected(),
    }


run("first", photo, lambda layer: call(image, layer, mask_style="mask-7"))
run("variants", photo, lambda layer: variants(image, layer, "2, 3")[:2])
run("over other", other, lambda layer: call(image, layer, mask_style="mask-4"))
run("third", photo, lambda layer: call(image, layer, mask_style="mask-5"))
# What Filters > Repeat Last sends: the layers selected now.
report["repeat_sends"] = selected()
report["repeat"] = hm_call(PROC, image, image.get_selected_layers(), mask_style="mask-6")
report["names"] = names(image)
report["selected"] = selected()
report["layers"] = [info(layer) for layer in image.get_layers()]
report["children"] = [info(child) for child in image.get_layers()[4].get_children()]
report["photo_tattoo"] = photo.get_tattoo()

# Saved and reloaded, the results are still known as results over the photo.
hm_save(image, "stack.xcf")
image.delete()
image = hm_load("stack.xcf")
photo = next(layer for layer in image.get_layers() if layer.get_name() == "Photo")
report["reloaded"] = call(image, photo, mask_style="mask-8")
report["reloaded_names"] = names(image)
image.delete()
hm_write_report(report)
