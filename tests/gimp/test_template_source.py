"""The ``source`` argument: a style, a template file or a template layer, never one silently for another.

One headless GIMP run calls the plug-in through the PDB as a script would; the emulator records
whether each submit carried a style or a template.
"""

from __future__ import annotations

from halloween_mask_emulator import Emulator, EmulatorConfig
from plugin_batch import PLUGIN_LIB, PORTRAIT, SECRET_KEY, plugin_env

SOURCES_RUN = r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
other = hm_load("template.png")  # another open image: its layer is the template
template_file = Gio.File.new_for_path(hm_path("template.png"))
report = {}
report["layer"] = call(image, source, source="layer", template_layer=other.get_layers()[0])
report["layer_name"] = image.get_layers()[0].get_name()
report["file_with_style_set"] = call(image, source, source="file", template=template_file, mask_style="mask-9")
report["style_with_template_given"] = call(image, source, mask_style="mask-9", template=template_file)
report["layer_missing"] = call(image, source, source="layer")
report["file_missing"] = call(image, source, source="file")
report["names"] = names(image)
other.delete()
image.delete()
hm_write_report(report)
"""


def test_each_source_reaches_the_service_as_itself(run_gimp_batch, gimp_profile):
    template = PORTRAIT.read_bytes()
    with Emulator(EmulatorConfig(api_keys={SECRET_KEY})) as emu:
        env = plugin_env(emu.base_url, f"{gimp_profile.home_inside}/template-source-settings.json")
        files = {"portrait.png": PORTRAIT, "template.png": template}
        report = run_gimp_batch(PLUGIN_LIB + SOURCES_RUN, env, files=files).report
        tasks = list(emu.tasks.values())

    assert report["layer"][0] == "success", report["layer"]
    assert report["layer_name"] == "Halloween Mask (template)"
    assert report["file_with_style_set"][0] == "success", report["file_with_style_set"]
    assert [(task.template_used, task.mask_style) for task in tasks] == [(True, None), (True, None)]

    status, message = report["style_with_template_given"]
    assert status == "calling-error" and "source is 'style'" in message, message
    status, message = report["layer_missing"]
    assert status == "calling-error" and "template layer" in message, message
    status, message = report["file_missing"]
    assert status == "calling-error" and "template image file" in message, message
    assert len(tasks) == 2, "a refused call reached the service"
