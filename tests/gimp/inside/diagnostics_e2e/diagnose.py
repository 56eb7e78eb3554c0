"""Run Diagnostics without and with the connection test, then mask the portrait once (for the log)."""

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call

proc = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask-diagnostics")
reports = {}
for connect in (False, True):
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("connect", connect)
    result = proc.run(config)
    reports[str(connect)] = [result.index(0).value_nick, result.index(1)]
image = hm_load("portrait.png")
status, message = call(image, image.get_layers()[0], mask_style="mask-5")
image.delete()
hm_write_report(
    {
        "reports": reports,
        "menu": list(proc.get_menu_paths()),
        "label": proc.get_menu_label(),
        "run": [status, message],
        "version": Gimp.version(),
    }
)
