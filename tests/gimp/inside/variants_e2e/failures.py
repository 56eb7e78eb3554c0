"""Variants where one style fails (the others are inserted) and where every style fails (nothing is)."""

from batch_lib import siblings
from hm import hm_write_report
from plugin_lib import digest, emulator, scratch_left
from variants_lib import offset_portrait_in_a_group, variants

report = {}
image, face = offset_portrait_in_a_group()
status, message, group, failed = variants(image, face, "3, 7, 12")
report["partial"] = {
    "status": status,
    "message": message,
    "failed": failed,
    "children": [c.get_name() for c in group.get_children()] if group else None,
}
image.delete()

emulator({"failure": "poll_error"})  # every style fails
image, face = offset_portrait_in_a_group()
before = digest(face)
status, message, group, failed = variants(image, face, "3, 7, 12", reuse=False)  # 3 and 7 are kept: sent anyway
report["all"] = {
    "status": status,
    "message": message,
    "siblings": siblings(face),
    "dirty": image.is_dirty(),
    "source_same": digest(face) == before,
    "scratch_left": scratch_left(),
}
image.delete()
hm_write_report(report)
