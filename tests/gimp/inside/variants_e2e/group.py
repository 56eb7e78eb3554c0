"""Three styles on an offset layer in a group become one group above it; bad style lists are refused."""

from batch_lib import siblings
from gi.repository import Gimp
from hm import hm_write_report
from plugin_lib import digest, info, names, scratch_left
from variants_lib import VARIANTS, group_report, offset_portrait_in_a_group, variants

image, face = offset_portrait_in_a_group()
before = digest(face)
proc = Gimp.get_pdb().lookup_procedure(VARIANTS)
status, message, group, failed = variants(image, face, "3, 7, 12, 7")
report = {
    "status": status,
    "message": message,
    "failed": failed,
    "menu": list(proc.get_menu_paths()),
    "label": proc.get_menu_label(),
    "args": [a.name for a in proc.get_arguments()],
    "source": info(face),
    "source_same": digest(face) == before,
    "returned": group.get_name() if group else None,
    "siblings": siblings(face),
    "top_level": names(image),
    "scratch_left": scratch_left(),
}
if group:
    report.update(group_report(group))
    report["group_is_group"] = group.is_group()
image.delete()

# Bad style lists: a calling error that says what is wrong; nothing sent, nothing changed.
image, face = offset_portrait_in_a_group()
report["bad"] = {}
for label, styles in [
    ("empty", ""),
    ("zero", "0"),
    ("86", "86"),
    ("7,x", "7,x"),
    ("13", " ".join(str(n) for n in range(1, 14))),
]:
    status, message, _group, _failed = variants(image, face, styles)
    report["bad"][label] = [status, message]
report["after_bad"] = [siblings(face), image.is_dirty()]
image.delete()
hm_write_report(report)
