"""Variants killed while waiting, then run again: the next run collects the paid tasks."""

from batch_lib import siblings
from hm import hm_write_report
from kill_lib import run_killed
from variants_lib import offset_portrait_in_a_group, variants

image, face = offset_portrait_in_a_group()
first = run_killed(lambda: variants(image, face, "3, 7, 12, 40"), count=4)
after_kill = siblings(face)
status, message, group, failed = variants(image, face, "3, 7, 12, 40")
hm_write_report(
    {
        "first": first[:2],
        "after_kill": after_kill,
        "status": status,
        "message": message,
        "children": [c.get_name() for c in group.get_children()] if group else None,
    }
)
image.delete()
