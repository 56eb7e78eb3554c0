"""bench_gimp: GIMP's own PNG export against the plug-in's run, interleaved; then the upload re-encoded for the PSNR."""

import os
import sys
import time
from pathlib import Path

from gi.repository import Gimp, Gio
from hm import HM_WORK, hm_load, hm_params, hm_path, hm_write_report
from plugin_lib import call

params = hm_params()
image = hm_load("photo.png")
layer = image.get_layers()[0]
png = Gimp.get_pdb().lookup_procedure("file-png-export")
defaults = png.create_config()
report = {
    "gimp": Gimp.version(),
    "layer": [layer.get_width(), layer.get_height(), layer.has_alpha()],
    "png_defaults": {p: defaults.get_property(p) for p in ("compression", "interlaced", "format", "include-exif")},
    "png": [],
    "plugin": [],
}


def png_export(name):
    """GIMP's file-png-export of the image at its default settings: seconds and bytes."""
    config = png.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_property("file", Gio.File.new_for_path(hm_path(name)))
    start = time.perf_counter()
    status = png.run(config).index(0)
    seconds = time.perf_counter() - start
    if status != Gimp.PDBStatusType.SUCCESS:
        raise RuntimeError(f"file-png-export: {status.value_nick}")
    size = os.path.getsize(hm_path(name))
    if name != "export.png":
        os.remove(hm_path(name))
    return {"seconds": seconds, "bytes": size}


def plugin_run():
    """The plug-in on the layer (its one new layer removed again): seconds."""
    before = {item.get_id() for item in image.get_layers()}
    start = time.perf_counter()
    status, message = call(image, layer, mask_style=params["style"], reuse=False)  # each run paid anew
    seconds = time.perf_counter() - start
    if status != "success":
        raise RuntimeError(f"the plug-in failed: {status} {message}")
    new = [item for item in image.get_layers() if item.get_id() not in before]
    if len(new) != 1 or (new[0].get_width(), new[0].get_height()) != (layer.get_width(), layer.get_height()):
        raise RuntimeError(f"expected one new layer the size of the source, got {[item.get_name() for item in new]}")
    image.remove_layer(new[0])
    return {"seconds": seconds}


png_export("warm-up.png")
plugin_run()
for round_ in range(params["runs"]):
    steps = [("png", lambda: png_export("export.png")), ("plugin", plugin_run)]
    for key, step in steps if round_ % 2 == 0 else steps[::-1]:
        report[key].append(step())

# The upload again, with the installed plug-in's own export code, for the PSNR.
sys.path[:0] = [params["plugin_dir"], os.path.join(params["plugin_dir"], "vendor")]
from halloween_mask_gimp.export import export_for_upload  # noqa: E402  (from the installed plug-in)

path, plan = export_for_upload(layer, Path(HM_WORK))
upload = "upload." + plan.extension
os.replace(path, hm_path(upload))
report["upload"] = {
    "file": upload,
    "bytes": os.path.getsize(hm_path(upload)),
    "plan": [plan.format, plan.width, plan.height, plan.quality],
}
image.delete()
hm_write_report(report)
