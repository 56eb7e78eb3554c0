"""Three selected layers in one run, each result above its source; a single run on one of them to compare."""

import hashlib

from batch_lib import above, run_on, three_photos, tree
from hm import hm_write_report
from plugin_lib import PROC, digest, info, px, scratch_left

image, (a, b, c) = three_photos()
single = image.duplicate()  # the same layers, for a single run to compare with
before = [digest(layer) for layer in (a, b, c)]
run = run_on(PROC, image, [a, b, c], mask_style="mask-7")
results = [above(layer) for layer in (a, b, c)]
report = {
    "run": run,
    "tree": tree(image.get_layers()),
    "sources": [info(layer) for layer in (a, b, c)],
    "results": [info(r) for r in results],
    "pixels": [hashlib.sha256(px(r, "R'G'B' u8")).hexdigest() for r in results],
    "sources_same": [digest(layer) for layer in (a, b, c)] == before,
    "selected": [layer.get_name() for layer in image.get_selected_layers()],
    "scratch_left": scratch_left(),
}
single_b = next(layer for layer in single.get_layers()[1].get_children() if layer.get_name() == "B")
report["single"] = run_on(PROC, single, [single_b], mask_style="mask-7")
report["single_result"] = info(above(single_b))
report["single_pixels"] = hashlib.sha256(px(above(single_b), "R'G'B' u8")).hexdigest()
image.delete()
single.delete()
hm_write_report(report)
