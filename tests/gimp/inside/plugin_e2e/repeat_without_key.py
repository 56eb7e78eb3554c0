"""Repeat Last with no key and no display: a calling error that says how to set one."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, names

image = hm_load("portrait.png")
image.clean_all()
report = call(image, image.get_layers()[0], run_mode=Gimp.RunMode.WITH_LAST_VALS)
report = [*report, names(image), image.is_dirty()]
image.delete()
hm_write_report({"result": report})
