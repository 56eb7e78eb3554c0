"""Every kind of layer as a source: offset in a group, greyscale, indexed, high bit depth, alpha."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, digest, info, names, scratch_left
from variants_lib import offset_portrait_in_a_group

report = {}


def check(label, image, source, **args):
    before_names = names(image)
    before = digest(source)
    status, message = call(image, source, mask_style="mask-12", reuse=False, **args)  # each kind is sent
    parent = source.get_parent()
    siblings = parent.get_children() if parent else image.get_layers()
    index = siblings.index(source)
    new = siblings[index - 1] if index > 0 else None
    report[label] = {
        "status": status,
        "message": message,
        "source": info(source),
        "new": info(new) if new is not None else None,
        "source_same": digest(source) == before,
        "added": len(names(image)) - len(before_names) if parent is None else len(siblings),
        "base_type": image.get_base_type().value_nick,
        "precision": image.get_precision().value_nick,
    }
    image.delete()


# An offset layer inside a group, with a layer above it in the group.
image, layer = offset_portrait_in_a_group()
check("group", image, layer)

image = hm_load("portrait.png")
image.convert_grayscale()
check("grayscale", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE, 64, False, False, "")
check("indexed", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_precision(Gimp.Precision.U16_NON_LINEAR)
check("16-bit", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_precision(Gimp.Precision.FLOAT_LINEAR)
check("32-bit float", image, image.get_layers()[0])

# A layer with real transparency: clear the corners outside an ellipse.
image = hm_load("portrait.png")
layer = image.get_layers()[0]
layer.add_alpha()
image.select_ellipse(Gimp.ChannelOps.REPLACE, 40, 20, 432, 480)
Gimp.Selection.invert(image)
layer.edit_clear()
Gimp.Selection.none(image)
check("alpha", image, layer)
report["scratch_left"] = scratch_left()
hm_write_report(report)
