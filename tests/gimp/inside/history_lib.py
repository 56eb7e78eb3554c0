"""The history from a script: how many tasks the service saw, and the History procedure."""

from gi.repository import Gimp
from plugin_lib import emulator

HISTORY = "python-fu-halloween-mask-history"


def submits():
    return len(emulator({})["tasks"])


def history(image, drawables, entry=""):
    proc = Gimp.get_pdb().lookup_procedure(HISTORY)
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", list(drawables))
    config.set_property("entry", entry)
    result = proc.run(config)
    status = result.index(0)
    if status != Gimp.PDBStatusType.SUCCESS:
        return status.value_nick, str(result.index(1)), None
    return status.value_nick, None, result.index(1)
