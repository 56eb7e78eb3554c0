"""The caller opens the dialog with a template layer of another open image chosen (as a script may),
on the flag "open-with-template"; reports the run's status and the portrait's layers."""

from gi.repository import Gimp
from hm import hm_call, hm_load, hm_wait_flag, hm_write_report
from plugin_lib import PROC, names

image = hm_load("portrait.png")
other = hm_load("portrait.png")
other.get_layers()[0].set_name("my template")
Gimp.Display.new(image)
Gimp.displays_flush()
hm_write_report({"seq": 1})
hm_wait_flag("open-with-template")
template = other.get_layers()[0]
status, _message = hm_call(
    PROC, image, image.get_layers(), Gimp.RunMode.INTERACTIVE, source="layer", template_layer=template
)
hm_write_report({"seq": 2, "status": status, "names": names(image)})
hm_wait_flag("quit")
