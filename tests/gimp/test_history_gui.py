"""The history dialog as a person uses it: full GIMP 3 under Xvfb (issue 15 §3).

Two results are kept first (style 3 from another image, style 7 from this one; the layer of 7
is then removed, as an undo would). The dialog opens from the PDB with RUN_INTERACTIVE:
"This image" lists one result, "All" two, each with its real thumbnail (looked at in the
screenshot: not the placeholder); a double-click inserts the 7 over the layer, pixel-equal to
the first result, and one Ctrl+Z in the image window removes it. Screenshots go to
artifacts/gimp-e2e/gimp-<series>/history-*.png.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path

import pytest
from gimp_runner import GimpProfile
from gui_runner import GuiSession
from gui_support import image_window_ready, scripted_dialog, shoot
from PIL import Image
from plugin_batch import PORTRAIT, plugin_env

pytestmark = pytest.mark.usefixtures("fresh_emulator")


@pytest.fixture(scope="module")
def own_profile(make_gimp_profile) -> GimpProfile:
    """A profile of this module's own: GIMP keeps the filter's last values (style 7 here) per profile,
    and other tests' dialogs must open with their own."""
    return make_gimp_profile()


TITLE = "^Halloween Mask History$"
DIALOG_AT = (300, 60)
COST_DIALOG_AT = (200, 40)
FIRST_TILE = (120, 110)  # a point on the first thumbnail, in the dialog (GIMP's default theme)


def own_settings(profile: GimpProfile, name: str) -> str:
    """A settings file in a folder of its own: the styles this test picks (kept beside it) are not the
    next test's recent styles."""
    (profile.dir.host / "home" / name).mkdir(exist_ok=True)
    return f"{profile.home_inside}/{name}/settings.json"


def _shown(session: GuiSession, seen: int) -> list[str]:
    lines = [line for line in session.log().splitlines() if "history dialog:" in line]
    return lines[seen:]


def colourful(shot: Path) -> int:
    """Pixels of strong colour in the tiles' row (the suit, the mask); the placeholder and the theme have none."""
    rgb = Image.open(shot).convert("RGB")
    band = rgb.crop((0, 40, rgb.width, 180))
    return sum(
        count for count, (r, g, b) in band.getcolors(maxcolors=1 << 20) or [] if max(r, g, b) - min(r, g, b) > 80
    )


def test_history_dialog_inserts_by_double_click_and_one_undo_removes_it(gui_session, emu, own_profile):
    settings = own_settings(own_profile, "history-gui")
    timings = own_profile.dir.host / "home" / "history-timings.jsonl"
    timings.unlink(missing_ok=True)
    env = plugin_env(emu.base_url, settings, HALLOWEEN_MASK_TIMINGS=f"{own_profile.home_inside}/history-timings.jsonl")
    files = {"portrait.png": PORTRAIT, "other.png": PORTRAIT}
    session = gui_session("history_gui/dialog.py", env, files, profile=own_profile)
    session.wait_report("ready", timeout=180)
    main = image_window_ready(session, timeout=60)
    dialog = scripted_dialog(session, "open", TITLE, DIALOG_AT)

    def pictures() -> int:
        lines = timings.read_text().splitlines() if timings.exists() else []
        return sum(json.loads(line).get("event") == "pictures" for line in lines)

    session.wait_for(lambda: pictures() >= 1, "the thumbnails", 30)
    time.sleep(0.8)
    assert "1 of 2 results shown (this image)" in _shown(session, 0)[0]
    this_image = session.screenshot("history-this-image", dialog)
    one = colourful(this_image)
    assert one > 1500, "the tile shows no thumbnail"

    session.key("alt+a", wid=dialog, delay=0.8)
    session.wait_for(lambda: any("2 of 2 results shown (all)" in line for line in _shown(session, 1)), "All", 10)
    everything = shoot(session, "history-all", dialog, settle=0.8)
    assert colourful(everything) > 1.7 * one, "All does not show two thumbnails"

    session.key("alt+t", wid=dialog, delay=0.8)
    session.wait_for(lambda: any("(this image)" in line for line in _shown(session, 2)), "This image", 10)
    session.xdotool("mousemove", "--window", dialog, *map(str, FIRST_TILE), "click", "--repeat", "2", "1")
    report = session.wait_report("status", timeout=30)
    assert report["status"] == "success"
    assert report["inserted"] == ["Halloween Mask 7", "Background"]
    assert report["same_pixels"]
    for key in ("name", "size", "offsets", "position"):
        assert report["top"][key] == report["first"][key], key
    assert report["top"]["provenance"]["history_entry"] == report["first"]["provenance"]["history_entry"]
    session.screenshot("history-inserted")

    session.key("ctrl+z", wid=main, delay=1.0)
    session.flag("undone")
    report = session.wait_report("after_undo", timeout=30)
    assert report["after_undo"] == ["Background"], "one Ctrl+Z did not remove the inserted layer"
    assert len(emu.requests_to("submit")) == 2, "the history's insert sent something"

    # Delete (the key) takes this image's result out; Clear All, confirmed, the rest.
    dialog = scripted_dialog(session, "open-again", TITLE, DIALOG_AT)
    session.key("Delete", wid=dialog, delay=0.8)
    session.wait_for(lambda: "0 of 1 results shown (this image)" in session.log(), "the deleted entry gone", 10)
    session.key("alt+l", wid=dialog, delay=0.8)
    question = session.find_window("^Clear the History$", timeout=10)
    session.screenshot("history-clear-question", question)
    session.key("alt+d", wid=question, delay=0.8)
    session.wait_for(lambda: "history: cleared 1 entries" in session.log(), "the history cleared", 10)
    session.key("Escape", wid=dialog, delay=0.5)
    assert session.wait_report("again", timeout=30)["again"] == "cancel"
    database = session.work.host / "data" / "history" / "history.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0
    assert "Traceback" not in session.log()


def test_the_dialog_says_a_kept_mask_is_free_and_make_a_new_one_pays(gui_session, emu, own_profile):
    settings = own_settings(own_profile, "history-cost")
    env = plugin_env(emu.base_url, settings)
    session = gui_session("history_gui/cost.py", env, {"portrait.png": PORTRAIT}, profile=own_profile)
    session.wait_report("ready", timeout=180)
    image_window_ready(session, timeout=60)
    assert len(emu.requests_to("submit")) == 1

    def free_lines() -> list[str]:
        return [line for line in session.log().splitlines() if "dialog: OK: free, reuses the mask made on" in line]

    for n, fresh in enumerate((False, True)):
        seen = len(free_lines())
        dialog = scripted_dialog(session, f"open-{n}", "^Halloween Mask$", COST_DIALOG_AT)
        session.wait_for(lambda seen=seen: len(free_lines()) > seen, "the free line", 30)
        if fresh:
            session.key("alt+n", wid=dialog, delay=0.8)
            session.wait_for(lambda: "(a new one: ticked)" in free_lines()[-1], "Make a new one ticked", 10)
        session.xdotool("windowraise", dialog)  # again: the free lookup's export raised the image window
        shoot(session, f"history-cost-line-{'new' if fresh else 'free'}", dialog, settle=2.5)  # the pictures drawn
        session.key("alt+o", wid=dialog, delay=0.5)
        report = session.wait_report(f"names-{n}", timeout=120)
        assert report[f"run-{n}"] == "success"
        assert report[f"names-{n}"][0].startswith("Halloween Mask 7")
        assert len(emu.requests_to("submit")) == 1 + n, "the free run paid, or Make a new one did not"

    # Variants 3, 7, 12: the cost line counts the two that will be paid; OK pays those two.
    dialog = scripted_dialog(session, "open-2", "^Halloween Mask Variants$", COST_DIALOG_AT)
    wanted = "dialog: Style 7 is free (kept or already paid); OK costs 30 credits at most for the other 2."
    session.wait_for(lambda: wanted in session.log(), "the variants' free line", 30)
    session.xdotool("windowraise", dialog)
    time.sleep(2.5)
    session.screenshot("history-cost-line-variants", dialog)
    session.key("alt+o", wid=dialog, delay=0.5)
    report = session.wait_report("names-2", timeout=120)
    assert report["run-2"] == "success" and len(emu.requests_to("submit")) == 4
    assert "Traceback" not in session.log()
