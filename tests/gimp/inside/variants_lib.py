"""Running Halloween Mask Variants from a script: the procedure, its group of results, their pixels."""

import hashlib

from gi.repository import Gimp
from hm import hm_load, hm_run
from plugin_lib import info, px

VARIANTS = "python-fu-halloween-mask-variants"


def variants(image, layer, styles, **args):
    """Run the variants procedure; (status, message, group, failed styles)."""
    status, message, values = hm_run(VARIANTS, image, [layer], mask_styles=styles, **args)
    group, failed = values[:2] if values else (None, None)
    return status, message, group, failed


def group_report(group):
    children = group.get_children()
    return {
        "group": info(group),
        "children": [info(c) for c in children],
        "visible": [c.get_visible() for c in children],
        "pixels": [hashlib.sha256(px(c, "R'G'B' u8")).hexdigest() for c in children],
    }


def offset_portrait_in_a_group():
    """A 700x640 image: background, and a group holding a layer 'top' over the portrait 'face' at 120,90."""
    portrait = hm_load("portrait.png")
    image = Gimp.Image.new(700, 640, Gimp.ImageBaseType.RGB)
    background = Gimp.Layer.new(image, "bg", 700, 640, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(background, None, 0)
    group = Gimp.GroupLayer.new(image, "Group")
    image.insert_layer(group, None, 0)
    face = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
    face.set_name("face")
    image.insert_layer(face, group, 0)
    face.set_offsets(120, 90)
    top = Gimp.Layer.new(image, "top", 50, 50, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(top, group, 0)
    portrait.delete()
    image.clean_all()
    return image, face
