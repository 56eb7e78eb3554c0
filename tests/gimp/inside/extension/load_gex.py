"""Open extension.gex with file-gex-load, as File > Open does with the file type "GIMP extension"."""

from gi.repository import Gimp, Gio
from hm import hm_path, hm_write_report

proc = Gimp.get_pdb().lookup_procedure("file-gex-load")
config = proc.create_config()
config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
config.set_property("file", Gio.File.new_for_path(hm_path("extension.gex")))
result = proc.run(config)
status = result.index(0)
failed = status != Gimp.PDBStatusType.SUCCESS
hm_write_report({"status": status.value_nick, "message": str(result.index(1)) if failed else ""})
