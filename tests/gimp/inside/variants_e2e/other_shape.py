"""Variants with another aspect ratio: the group goes into one new image, the source image unchanged."""

from batch_lib import siblings
from hm import hm_write_report
from plugin_lib import images, info, names
from variants_lib import offset_portrait_in_a_group, variants

image, face = offset_portrait_in_a_group()
known = images()
status, message, group, failed = variants(image, face, "3, 7", aspect_ratio="9x16")
new_images = list(images() - known)
report = {
    "status": status,
    "message": message,
    "siblings": siblings(face),
    "dirty": image.is_dirty(),
    "new_images": [[i.get_width(), i.get_height(), names(i)] for i in new_images],
    "group_image_is_new": bool(group) and group.get_image() in new_images,
    "children": [info(c) for c in group.get_children()] if group else [],
}
for extra in new_images:
    extra.delete()
image.delete()
hm_write_report(report)
