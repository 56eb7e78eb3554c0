"""Variants on two selected layers (two groups), and four styles on three layers (twelve masks, no question)."""

from batch_lib import above, run_on, three_photos, tree
from hm import hm_write_report
from plugin_lib import info
from variants_lib import VARIANTS

image, (a, b, c) = three_photos()
report = {"run": run_on(VARIANTS, image, [a, b], mask_styles="3, 7"), "tree": tree(image.get_layers())}
report["groups"] = [info(above(layer)) for layer in (a, b)]
report["children"] = [[info(child) for child in above(layer).get_children()] for layer in (a, b)]
image.delete()

# Twelve masks in one run: a script is never asked to confirm.
image, (a, b, c) = three_photos()
report["twelve"] = run_on(VARIANTS, image, [a, b, c], mask_styles="1, 2, 4, 5")
report["twelve_tree"] = tree(image.get_layers())
image.delete()
hm_write_report(report)
