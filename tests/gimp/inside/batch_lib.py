"""Several layers and several open images at once: photo layers to build test images from, the layer tree."""

from gi.repository import Gimp
from hm import hm_load, hm_run

IMAGES_PROC = "python-fu-halloween-mask-images"


def photo_layer(image, name, x, y, parent=None, file="portrait.png"):
    """A layer holding ``file``'s picture at ``x``, ``y`` on top of ``parent`` (None: the image)."""
    picture = hm_load(file)
    layer = Gimp.Layer.new_from_drawable(picture.get_layers()[0], image)
    layer.set_name(name)
    image.insert_layer(layer, parent, 0)
    layer.set_offsets(x, y)
    picture.delete()
    return layer


def three_photos(third="portrait.png"):
    """1100x900: 'A' at 20,30; a group 'Group' holding 'note' over 'B' at 560,40; 'C' at 300,380 (``third``).

    Three different pictures (B scaled to 448 px, C mirrored): identical uploads would share one task."""
    image = Gimp.Image.new(1100, 900, Gimp.ImageBaseType.RGB)
    background = Gimp.Layer.new(image, "Background", 1100, 900, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(background, None, 0)
    c = photo_layer(image, "C", 300, 380, file=third)
    if third == "portrait.png":
        c.transform_flip_simple(Gimp.OrientationType.HORIZONTAL, True, 0.0)
    group = Gimp.GroupLayer.new(image, "Group")
    image.insert_layer(group, None, 0)
    b = photo_layer(image, "B", 560, 40, group)
    b.scale(448, 448, False)
    b.set_offsets(560, 40)
    note = Gimp.Layer.new(image, "note", 40, 40, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(note, group, 0)
    a = photo_layer(image, "A", 20, 30)
    image.set_selected_layers([a, b, c])
    image.clean_all()
    return image, [a, b, c]


def run_on(name, image, drawables, **args):
    """Run procedure ``name`` non-interactively: {"status", "message", "values"} (layers by name)."""
    status, message, values = hm_run(name, image, drawables if image is not None else None, **args)
    if status != "success":
        return {"status": status, "message": message}
    return {
        "status": status,
        "message": None,
        "values": [v.get_name() if isinstance(v, Gimp.Item) else v for v in values],
    }


def siblings(layer):
    parent = layer.get_parent()
    return [child.get_name() for child in (parent.get_children() if parent else layer.get_image().get_layers())]


def above(layer):
    """The item directly above ``layer`` in its parent."""
    parent = layer.get_parent()
    items = parent.get_children() if parent else layer.get_image().get_layers()
    return items[items.index(layer) - 1]


def tree(layers):
    return [[item.get_name(), tree(item.get_children())] if item.is_group() else item.get_name() for item in layers]
