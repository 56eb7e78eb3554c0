"""Three layers killed while waiting, then run again: each mask collected by the next run, paid once."""

from batch_lib import run_on, three_photos, tree
from hm import hm_write_report
from kill_lib import run_killed
from plugin_lib import PROC

image, layers = three_photos()
first = run_killed(lambda: run_on(PROC, image, layers, mask_style="mask-4"), count=3)
after_kill = tree(image.get_layers())
again = run_on(PROC, image, layers, mask_style="mask-4")
hm_write_report({"first": first, "after_kill": after_kill, "again": again, "tree": tree(image.get_layers())})
image.delete()
