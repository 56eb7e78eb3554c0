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
from gimp_runner import GimpProfile, GuiSession
from PIL import Image
from plugin_batch import PLUGIN_LIB, PORTRAIT, plugin_env

pytestmark = pytest.mark.usefixtures("fresh_emulator")


@pytest.fixture(scope="module")
def own_profile(make_gimp_profile) -> GimpProfile:
    """A profile of this module's own: GIMP keeps the filter's last values (style 7 here) per profile,
    and other tests' dialogs must open with their own."""
    return make_gimp_profile()


TITLE = "^Halloween Mask History$"
DIALOG_AT = (300, 60)
FIRST_TILE = (120, 110)  # a point on the first thumbnail, in the dialog (GIMP's default theme)

SESSION = (
    PLUGIN_LIB
    + r"""
other = hm_load("other.png")
other_run = call(other, other.get_layers()[0], mask_style="mask-3")
assert other_run[0] == "success", other_run
other.delete()
image = hm_load("portrait.png")
source = image.get_layers()[0]
assert call(image, source, mask_style="mask-7")[0] == "success"
first = image.get_layers()[0]
first_digest, first_info = digest(first), info(first)
image.remove_layer(first)
Gimp.Display.new(image)
Gimp.displays_flush()
hm_write_report({"ready": names(image)})
hm_wait_flag("open")
proc = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask-history")
config = proc.create_config()
config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
config.set_property("image", image)
config.set_core_object_array("drawables", [source])
result = proc.run(config)
top = image.get_layers()[0]
report = {"ready": True, "status": result.index(0).value_nick, "inserted": names(image), "top": info(top),
          "first": first_info, "same_pixels": digest(top) == first_digest}
hm_write_report(report)
hm_wait_flag("undone")
report["after_undo"] = names(image)
hm_write_report(report)
hm_wait_flag("open-again")
report["again"] = proc.run(config).index(0).value_nick
hm_write_report(report)
hm_wait_flag("quit", timeout=300)
"""
)


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
    session = gui_session(SESSION, env, {"portrait.png": PORTRAIT, "other.png": PORTRAIT}, profile=own_profile)
    session.wait_report("ready", timeout=180)
    main = session.image_window()
    time.sleep(2)
    session.flag("open")
    dialog = session.find_window(TITLE, timeout=60)
    session.move(dialog, *DIALOG_AT)

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
    session.xdotool("mousemove", "1279", "799")
    time.sleep(0.8)
    everything = session.screenshot("history-all", dialog)
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
    session.flag("open-again")
    dialog = session.find_window(TITLE, timeout=60)
    session.move(dialog, *DIALOG_AT)
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


COST_SESSION = (
    PLUGIN_LIB
    + r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
first_run = call(image, source, mask_style="mask-7")
assert first_run[0] == "success", first_run
image.remove_layer(image.get_layers()[0])
Gimp.Display.new(image)
Gimp.displays_flush()
report = {"ready": names(image)}
hm_write_report(report)
proc = Gimp.get_pdb().lookup_procedure(PROC)
variants = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask-variants")
for n in range(3):
    hm_wait_flag(f"open-{n}")
    chosen = proc if n < 2 else variants
    config = chosen.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [source])
    if n < 2:
        config.set_property("mask-style", "mask-7")
    else:
        config.set_property("mask-styles", "3, 7, 12")
    report[f"run-{n}"] = chosen.run(config).index(0).value_nick
    report[f"names-{n}"] = names(image)
    hm_write_report(report)
hm_wait_flag("quit", timeout=300)
"""
)


def test_the_dialog_says_a_kept_mask_is_free_and_make_a_new_one_pays(gui_session, emu, own_profile):
    settings = own_settings(own_profile, "history-cost")
    env = plugin_env(emu.base_url, settings)
    session = gui_session(COST_SESSION, env, {"portrait.png": PORTRAIT}, profile=own_profile)
    session.wait_report("ready", timeout=180)
    session.image_window()
    time.sleep(2)
    assert len(emu.requests_to("submit")) == 1

    def free_lines() -> list[str]:
        return [line for line in session.log().splitlines() if "dialog: OK: free, reuses the mask made on" in line]

    for n, fresh in enumerate((False, True)):
        seen = len(free_lines())
        session.flag(f"open-{n}")
        dialog = session.find_window("^Halloween Mask$", timeout=60)
        session.move(dialog, 200, 40)
        session.wait_for(lambda seen=seen: len(free_lines()) > seen, "the free line", 30)
        if fresh:
            session.key("alt+n", wid=dialog, delay=0.8)
            session.wait_for(lambda: "(a new one: ticked)" in free_lines()[-1], "Make a new one ticked", 10)
        session.xdotool("windowraise", dialog)  # no window manager: above the image window
        session.xdotool("mousemove", "1279", "799")
        time.sleep(2.5)  # the gallery's pictures drawn too
        session.screenshot(f"history-cost-line-{'new' if fresh else 'free'}", dialog)
        session.key("alt+o", wid=dialog, delay=0.5)
        report = session.wait_report(f"names-{n}", timeout=120)
        assert report[f"run-{n}"] == "success"
        assert report[f"names-{n}"][0].startswith("Halloween Mask 7")
        assert len(emu.requests_to("submit")) == 1 + n, "the free run paid, or Make a new one did not"

    # Variants 3, 7, 12: the cost line counts the two that will be paid; OK pays those two.
    session.flag("open-2")
    dialog = session.find_window("^Halloween Mask Variants$", timeout=60)
    session.move(dialog, 200, 40)
    wanted = "dialog: Style 7 is free (kept or already paid); OK costs 30 credits at most for the other 2."
    session.wait_for(lambda: wanted in session.log(), "the variants' free line", 30)
    session.xdotool("windowraise", dialog)
    time.sleep(2.5)
    session.screenshot("history-cost-line-variants", dialog)
    session.key("alt+o", wid=dialog, delay=0.5)
    report = session.wait_report("names-2", timeout=120)
    assert report["run-2"] == "success" and len(emu.requests_to("submit")) == 4
    assert "Traceback" not in session.log()
