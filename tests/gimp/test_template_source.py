"""The ``source`` argument: a style, a template file or a template layer, never one silently for another.

One headless GIMP run calls the plug-in through the PDB as a script would; the emulator records
whether each submit carried a style or a template.
"""

from __future__ import annotations

from plugin_batch import PORTRAIT, plugin_env


def test_each_source_reaches_the_service_as_itself(run_gimp_batch, gimp_profile, emu, fresh_emulator):
    template = PORTRAIT.read_bytes()
    env = plugin_env(emu.base_url, f"{gimp_profile.home_inside}/template-source-settings.json")
    files = {"portrait.png": PORTRAIT, "template.png": template}
    report = run_gimp_batch("template_source/sources.py", env, files=files).report
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
