"""The plug-in's menu label and menu paths, as GIMP registered them in its language."""

from gi.repository import Gimp
from hm import hm_write_report
from plugin_lib import PROC

proc = Gimp.get_pdb().lookup_procedure(PROC)
hm_write_report({"menu_label": proc.get_menu_label(), "menu_paths": list(proc.get_menu_paths())})
