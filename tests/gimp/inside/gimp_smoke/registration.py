"""What GIMP knows of the installed plug-in: registered, menu, label, arguments; GIMP's and Python's versions."""

import sys

from gi.repository import Gimp
from hm import hm_write_report

proc = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask")
hm_write_report(
    {
        "registered": proc is not None,
        "menu_paths": list(proc.get_menu_paths()) if proc else [],
        "menu_label": proc.get_menu_label() if proc else None,
        "arguments": [spec.name for spec in proc.get_arguments()] if proc else [],
        "gimp": Gimp.version(),
        "python": sys.version.split()[0],
    }
)
