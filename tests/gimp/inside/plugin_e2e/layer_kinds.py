"""Every kind of layer as a source: offset in a group, greyscale, indexed, high bit depth, alpha."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, digest, info, names, scratch_left

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
portrait = hm_load("portrait.png")
image = Gimp.Image.new(700, 640, Gimp.ImageBaseType.RGB)
background = Gimp.Layer.new(image, "bg", 700, 640, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(background, None, 0)
group = Gimp.GroupLayer.new(image, "Group")
image.insert_layer(group, None, 0)
layer = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
layer.set_name("face")
image.insert_layer(layer, group, 0)
layer.set_offsets(120, 90)
top = Gimp.Layer.new(image, "top", 50, 50, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(top, group, 0)
portrait.delete()
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
