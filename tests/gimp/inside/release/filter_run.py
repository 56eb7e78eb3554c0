"""Mask 7 on the portrait with the plug-in as a release installed it (the zip or the .gex): what came out."""

import importlib.util

from gi.repository import Gimp
from hm import hm_load, hm_write_report
from plugin_lib import call, info, names

image = hm_load("portrait.png")
source = image.get_layers()[0]
status, message = call(image, source, mask_style="mask-7")
hm_write_report(
    {
        "status": status,
        "message": message,
        "names": names(image),
        "top": info(image.get_layers()[0]),
        "gimp": Gimp.version(),
        "gimp_python_has_requests": importlib.util.find_spec("requests") is not None,
    }
)
