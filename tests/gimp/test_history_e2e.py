"""The history in a real GIMP (issue 15 §2, §3): a paid mask is kept, inserted again for free, never paid twice.

One headless GIMP run per test batches the steps and reports what the layers and the emulator
(queried through its control route: how many tasks were submitted) looked like after each.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from plugin_batch import PLUGIN_LIB, PORTRAIT, plugin_env

pytestmark = pytest.mark.usefixtures("fresh_emulator")

HISTORY_LIB = r"""
HISTORY = "python-fu-halloween-mask-history"
VARIANTS = "python-fu-halloween-mask-variants"


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
"""

REUSE_RUN = r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
report = {"steps": {}}
proc = Gimp.get_pdb().lookup_procedure(HISTORY)
report["menu"] = list(proc.get_menu_paths()) if proc else None
report["label"] = proc.get_menu_label() if proc else None
report["args"] = [a.name for a in Gimp.get_pdb().lookup_procedure(PROC).get_arguments()]

# 1. Style 7, paid once.
report["steps"]["first"] = call(image, source, mask_style="mask-7")
first = image.get_layers()[0]
report["first"], first_digest = info(first), digest(first)
report["submits_first"] = submits()

# 2. The layer goes (as Ctrl+Z or Delete Layer would), then the history puts it back.
image.remove_layer(first)
report["after_removal"] = names(image)
report["steps"]["insert"] = history(image, [source])[:2]
again = image.get_layers()[0]
report["inserted"], report["inserted_same_pixels"] = info(again), digest(again) == first_digest
report["submits_after_insert"] = submits()

# 3. Style 7 again on the same layer: re-used, nothing sent.
report["steps"]["same_again"] = call(image, source, mask_style="mask-7")
reused = image.get_layers()[0]
report["reused"], report["reused_same_pixels"] = info(reused), digest(reused) == first_digest
report["submits_after_same"] = submits()

# 4. reuse FALSE: a new one is paid for.
report["steps"]["fresh"] = call(image, source, mask_style="mask-7", reuse=False)
report["fresh"] = info(image.get_layers()[0])
report["submits_after_fresh"] = submits()

# 5. Variants 3, 7, 12: 7 is kept, so two are paid.
report["steps"]["variants"] = hm_call(VARIANTS, image, [source], mask_styles="3, 7, 12")
group = image.get_layers()[0]
report["variants"] = [l.get_name() for l in group.get_children()] if group.is_group() else None
report["variant_entries"] = [info(l)["provenance"].get("history_entry") for l in group.get_children()]
report["submits_after_variants"] = submits()

# 6. A missing entry, an entry by id, and no layer at all (a new image).
report["missing"] = history(image, [source], "987654")[:2]
report["not_a_number"] = history(image, [source], "seven")[:2]
wanted = report["first"]["provenance"]["history_entry"]
status, message, layer = history(image, [source], str(wanted))
report["by_id"] = [status, message, info(layer)["provenance"] if layer else None]
before = images()
status, message, layer = history(image, [])
new = images() - before
report["no_layer"] = [status, message, len(new), names(list(new)[0]) if new else None]
for extra in new:
    extra.delete()
report["scratch_left"] = scratch_left()
image.delete()
hm_write_report(report)
"""


def run(run_gimp_batch, emu, profile, code, **env):
    settings = f"{profile.home_inside}/history-settings.json"
    environment = plugin_env(emu.base_url, settings, **env)
    return run_gimp_batch(PLUGIN_LIB + HISTORY_LIB + code, environment, files={"portrait.png": PORTRAIT})


def test_a_kept_mask_is_inserted_again_and_never_paid_twice(run_gimp_batch, emu, gimp_profile):
    result = run(run_gimp_batch, emu, gimp_profile, REUSE_RUN)
    report = result.report
    assert report["menu"] == ["<Image>/Filters/AI"] and report["label"].replace("_", "") == "Halloween Mask History..."
    assert report["args"][-1] == "reuse", "reuse is not the last argument (older scripts pass them by position)"
    for step, (status, message) in report["steps"].items():
        assert status == "success", f"{step}: {message}"

    first, inserted = report["first"], report["inserted"]
    assert report["submits_first"] == 1
    assert first["provenance"]["history_entry"] >= 1, "the result layer does not name its history entry"
    assert report["after_removal"] == ["Background"]
    # Inserted from the history: the first result, pixel for pixel, where it was, named as it was, free.
    assert report["inserted_same_pixels"]
    for key in ("name", "size", "offsets", "parent", "position", "selected"):
        assert inserted[key] == first[key], key
    assert inserted["provenance"]["history_entry"] == first["provenance"]["history_entry"]
    assert inserted["provenance"]["task_id"] == first["provenance"]["task_id"]
    assert report["submits_after_insert"] == 1

    # The same request again: no submit, the same pixels; reuse FALSE pays once more.
    assert report["reused_same_pixels"] and report["submits_after_same"] == 1
    assert report["reused"]["provenance"]["task_id"] == first["provenance"]["task_id"]
    assert report["submits_after_fresh"] == 2
    assert report["fresh"]["provenance"]["task_id"] != first["provenance"]["task_id"]

    # Variants 3, 7, 12 after 7 was kept: two submits, each layer names its entry.
    names = [name.split(" #")[0] for name in report["variants"]]  # GIMP numbers a name used before: "... #3"
    assert names == ["Halloween Mask 3", "Halloween Mask 7", "Halloween Mask 12"]
    assert report["submits_after_variants"] == 4
    assert all(isinstance(entry, int) for entry in report["variant_entries"])

    status, message = report["missing"]
    assert status == "calling-error" and "987654" in message
    assert report["not_a_number"][0] == "calling-error"
    status, message, provenance = report["by_id"]
    assert status == "success" and provenance["history_entry"] == first["provenance"]["history_entry"]
    status, message, count, new_names = report["no_layer"]
    newest = [["Halloween Mask 3"], ["Halloween Mask 12"]]  # the variants' two, kept in either order
    assert status == "success" and count == 1 and new_names in newest, report["no_layer"]
    assert report["scratch_left"] == []
    # Each kept result got its layer's thumbnail as it was kept (the dialog shows it without decoding it).
    with contextlib.closing(sqlite3.connect(result.work / "data" / "history" / "history.sqlite3")) as db:
        entries = [row[0] for row in db.execute("SELECT id FROM entries ORDER BY id")]
        thumbnails = dict(db.execute("SELECT entry_id, data FROM thumbnails").fetchall())
    assert len(entries) == 4 and sorted(thumbnails) == entries
    assert all(data.startswith(b"HMT1") for data in thumbnails.values())
    styles = [task.mask_style for task in emu.tasks.values()]
    assert styles[:2] == [7, 7] and sorted(styles[2:]) == [3, 12]  # the variants' two, sent at once


SELECTION_RUN = r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
image.select_rectangle(Gimp.ChannelOps.REPLACE, 96, 64, 320, 352)
report = {"run": call(image, source, mask_style="mask-9")}
first = image.get_layers()[0]
report["first"], first_digest = info(first), digest(first)
first_masked = first.get_mask() is not None
image.remove_layer(first)
report["insert"] = history(image, [source])[:2]
again = image.get_layers()[0]
report["inserted"], report["same_pixels"] = info(again), digest(again) == first_digest
report["mask"] = [first_masked, again.get_mask() is not None]
report["submits"] = submits()
image.delete()
hm_write_report(report)
"""


def test_a_result_made_for_a_selection_goes_back_where_it_was(run_gimp_batch, emu, gimp_profile):
    report = run(run_gimp_batch, emu, gimp_profile, SELECTION_RUN).report
    assert report["run"][0] == "success" and report["insert"][0] == "success", report
    first, inserted = report["first"], report["inserted"]
    assert first["size"] != [512, 512], "the run did not send the selected part"
    for key in ("name", "size", "offsets", "position"):
        assert inserted[key] == first[key], key
    assert report["same_pixels"] and report["mask"] == [True, True]
    assert inserted["provenance"]["region"] == first["provenance"]["region"]
    assert report["submits"] == 1
