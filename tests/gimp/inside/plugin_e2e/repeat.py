"""Repeat Last (WITH_LAST_VALS) runs the remembered style, also with no window open."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, images, names

image = hm_load("portrait.png")
source = image.get_layers()[0]
image.clean_all()
before = images()
status, message = call(image, source, run_mode=Gimp.RunMode.WITH_LAST_VALS)
new = images() - before
report = {
    "status": status,
    "message": message,
    "names": names(image),
    "dirty": image.is_dirty(),
    "new": [names(i) for i in new],
    "new_size": [[i.get_width(), i.get_height()] for i in new],
}
for i in new:
    i.delete()
image.delete()
hm_write_report(report)
