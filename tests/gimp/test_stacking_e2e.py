"""Where each run's results go and what stays selected, in a real GIMP 3 called as scripts call it.

After any run (single or variants) the source layer stays the selected layer, so the next run and
Filters ▸ Repeat Last (which send the selected layer) send the photo again, not a result. A new
result goes directly above the topmost earlier result or variants group over the same source
(known by the provenance parasite naming that source, also after the XCF is saved and
reloaded), in the source's parent, so the newest result is the one on top.
"""

from __future__ import annotations

import pytest
from test_plugin_e2e import assert_no_traceback, run_plugin

pytestmark = pytest.mark.usefixtures("fresh_emulator")


def test_the_source_stays_selected_and_the_newest_result_is_on_top(run_gimp_batch, emu, gimp_profile):
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "stacking_e2e/stack.py")
    report = result.report
    runs = report["runs"]
    for label, run in runs.items():
        assert run["status"][0] == "success", (label, run)
    # After every run the source is still the selected layer, single or variants.
    assert runs["first"]["selected"] == ["Photo"]
    assert runs["variants"]["selected"] == ["Photo"]
    assert runs["over other"]["selected"] == ["Other"]
    assert runs["third"]["selected"] == ["Photo"]
    assert report["repeat_sends"] == ["Photo"] and report["repeat"][0] == "success", report["repeat"]
    assert report["selected"] == ["Photo"]

    # Each new result goes directly above the topmost earlier one over the same source.
    assert runs["first"]["names"] == ["Other", "Halloween Mask 7", "Photo"]
    assert runs["variants"]["names"] == ["Other", "Halloween Mask variants", "Halloween Mask 7", "Photo"]
    assert runs["over other"]["names"] == [
        "Halloween Mask 4",
        "Other",
        "Halloween Mask variants",
        "Halloween Mask 7",
        "Photo",
    ]
    newest_first = ["Halloween Mask 6", "Halloween Mask 5", "Halloween Mask variants", "Halloween Mask 7", "Photo"]
    assert report["names"] == ["Halloween Mask 4", "Other", *newest_first]
    sent = [task.mask_style for task in emu.tasks.values()]
    assert sent[0] == 7 and sorted(sent[1:3]) == [2, 3] and sent[3:] == [4, 5, 6, 8], sent

    # The provenance of results, groups and their layers names the source they went over.
    photo = {"name": "Photo", "tattoo": report["photo_tattoo"]}
    layers = {layer["name"]: layer["provenance"] for layer in report["layers"]}
    assert layers["Halloween Mask 4"]["source"]["name"] == "Other"
    for name in newest_first[:-1]:
        assert layers[name]["source"] == photo, name
    assert layers["Halloween Mask variants"]["styles"] == [2, 3]
    assert [child["provenance"]["source"] for child in report["children"]] == [photo, photo]
    assert layers["Photo"] is None and layers["Other"] is None

    assert report["reloaded"][0] == "success", report["reloaded"]
    assert report["reloaded_names"] == ["Halloween Mask 4", "Other", "Halloween Mask 8", *newest_first]
    assert_no_traceback(result.log)
