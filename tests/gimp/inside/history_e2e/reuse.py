"""Style 7 paid once, removed and inserted from the history, re-used, sent anew; variants; entries by id."""

from gi.repository import Gimp
from history_lib import HISTORY, history, submits
from hm import hm_call, hm_load, hm_write_report
from plugin_lib import PROC, call, digest, images, info, names, scratch_left
from variants_lib import VARIANTS

image = hm_load("portrait.png")
source = image.get_layers()[0]
report = {"steps": {}}
proc = Gimp.get_pdb().lookup_procedure(HISTORY)
report["menu"] = list(proc.get_menu_paths()) if proc else None
report["label"] = proc.get_menu_label() if proc else None
report["args"] = [a.name for a in Gimp.get_pdb().lookup_procedure(PROC).get_arguments()]

# 1. Style 7, paid once.
report["steps"]["first"] = call(image, source, mask_style="mask-7")
first = image.get_layers()[0]
report["first"], first_digest = info(first), digest(first)
report["submits_first"] = submits()

# 2. The layer goes (as Ctrl+Z or Delete Layer would), then the history puts it back.
image.remove_layer(first)
report["after_removal"] = names(image)
report["steps"]["insert"] = history(image, [source])[:2]
again = image.get_layers()[0]
report["inserted"], report["inserted_same_pixels"] = info(again), digest(again) == first_digest
report["submits_after_insert"] = submits()

# 3. Style 7 again on the same layer: re-used, nothing sent.
report["steps"]["same_again"] = call(image, source, mask_style="mask-7")
reused = image.get_layers()[0]
report["reused"], report["reused_same_pixels"] = info(reused), digest(reused) == first_digest
report["submits_after_same"] = submits()

# 4. reuse FALSE: a new one is paid for.
report["steps"]["fresh"] = call(image, source, mask_style="mask-7", reuse=False)
report["fresh"] = info(image.get_layers()[0])
report["submits_after_fresh"] = submits()

# 5. Variants 3, 7, 12: 7 is kept, so two are paid.
report["steps"]["variants"] = hm_call(VARIANTS, image, [source], mask_styles="3, 7, 12")
group = image.get_layers()[0]
report["variants"] = [child.get_name() for child in group.get_children()] if group.is_group() else None
report["variant_entries"] = [info(child)["provenance"].get("history_entry") for child in group.get_children()]
report["submits_after_variants"] = submits()

# 6. A missing entry, an entry by id, and no layer at all (a new image).
report["missing"] = history(image, [source], "987654")[:2]
report["not_a_number"] = history(image, [source], "seven")[:2]
wanted = report["first"]["provenance"]["history_entry"]
status, message, layer = history(image, [source], str(wanted))
report["by_id"] = [status, message, info(layer)["provenance"] if layer else None]
before = images()
status, message, layer = history(image, [])
new = images() - before
report["no_layer"] = [status, message, len(new), names(next(iter(new))) if new else None]
for extra in new:
    extra.delete()
report["scratch_left"] = scratch_left()
image.delete()
hm_write_report(report)
