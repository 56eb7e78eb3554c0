"""The history in a real GIMP (issue 15 §2, §3): a paid mask is kept, inserted again for free, never paid twice.

One headless GIMP run per test batches the steps and reports what the layers and the emulator
(queried through its control route: how many tasks were submitted) looked like after each.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from test_plugin_e2e import run_plugin

pytestmark = pytest.mark.usefixtures("fresh_emulator")


def kept(result) -> tuple[list[int], dict[int, bytes]]:
    """The run's history: the ids of the kept results, and the thumbnails kept with them (by id)."""
    with contextlib.closing(sqlite3.connect(result.work / "data" / "history" / "history.sqlite3")) as db:
        entries = [row[0] for row in db.execute("SELECT id FROM entries ORDER BY id")]
        thumbnails = dict(db.execute("SELECT entry_id, data FROM thumbnails").fetchall())
    return entries, thumbnails


def test_a_kept_mask_is_inserted_again_and_never_paid_twice(run_gimp_batch, emu, gimp_profile):
    result = run_plugin(run_gimp_batch, emu, gimp_profile, "history_e2e/reuse.py")
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
    entries, thumbnails = kept(result)
    assert len(entries) == 4 and sorted(thumbnails) == entries
    assert all(data.startswith(b"HMT1") for data in thumbnails.values())
    styles = [task.mask_style for task in emu.tasks.values()]
    assert styles[:2] == [7, 7] and sorted(styles[2:]) == [3, 12]  # the variants' two, sent at once


def test_a_result_made_for_a_selection_goes_back_where_it_was(run_gimp_batch, emu, gimp_profile):
    report = run_plugin(run_gimp_batch, emu, gimp_profile, "history_e2e/selection.py").report
    assert report["run"][0] == "success" and report["insert"][0] == "success", report
    first, inserted = report["first"], report["inserted"]
    assert first["size"] != [512, 512], "the run did not send the selected part"
    for key in ("name", "size", "offsets", "position"):
        assert inserted[key] == first[key], key
    assert report["same_pixels"] and report["mask"] == [True, True]
    assert inserted["provenance"]["region"] == first["provenance"]["region"]
    assert report["submits"] == 1
