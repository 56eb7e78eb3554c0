"""Variants and selections as a person uses them: full GIMP 3 under Xvfb, through the real menus.

Filters ▸ AI ▸ Halloween Mask Variants… opens its dialog, a typed number selects its tile,
Ctrl-clicks on tiles write the typed list (the cost line follows), OK adds one layer group with
exactly the styles picked, and one Ctrl+Z removes it. Then an ellipse over
the face and Filters ▸ AI ▸ Halloween Mask… give a result limited to the selection (masked by the selection
as it was when OK was pressed, though Select ▸ None follows during the wait). The
screenshots (the dialog, the group in the Layers dock, the selection-limited result) are saved
in artifacts/gimp-e2e/gimp-<version>/; the README shows the 3.2 ones from docs/.
"""

from __future__ import annotations

import time

import pytest
from gimp_runner import GimpProfile
from gui_runner import GuiSession
from gui_support import image_window_ready
from halloween_mask.region import Box, upload_box
from plugin_batch import PORTRAIT, plugin_env
from test_gallery_gui import VISIBLE, GalleryUser, framed_slots
from test_plugin_gui import SESSION

VARIANTS_DIALOG_TITLE = "^Halloween Mask Variants$"
PICKED = (3, 7, 12)
FACE_ELLIPSE = (150, 40, 150, 170)  # x, y, width, height over the portrait's face


pytestmark = [pytest.mark.emulator(processing_seconds=3.0), pytest.mark.usefixtures("fresh_emulator")]


def gallery_person(session: GuiSession, profile: GimpProfile) -> GalleryUser:
    """The person in front of the session's image window (the profile's favourites and timings)."""
    home = profile.dir.host / "home"
    person = GalleryUser(session, home / "favourite-styles.json", home / "timings.jsonl")
    person.image_window = image_window_ready(session)
    return person


def test_variants_group_from_the_menu_one_undo_and_a_selection(gui_session, gimp_profile, emu):
    settings = f"{gimp_profile.home_inside}/gui-variants-settings.json"
    env = plugin_env(emu.base_url, settings)
    session = gui_session(SESSION, env=env, files={"portrait.png": PORTRAIT}, params={"ellipse": FACE_ELLIPSE})
    person = gallery_person(session, gimp_profile)
    start = person.snapshot()
    assert start["tree"] == ["Background"]

    # The variants dialog: a typed number selects its tile; Ctrl-clicks on tiles write the typed
    # list, which an edit at its end shows is there ("3,7,12" -> "3,7,1" -> "3,7,12"); OK.
    dialog = person.dialog = person.open_from_filters_menu("v", VARIANTS_DIALOG_TITLE)
    assert all(person.slot_of(number) < VISIBLE for number in (5, *PICKED))
    session.key("alt+y", wid=dialog, delay=0.3)
    session.key("ctrl+a", delay=0.2)
    session.xdotool("type", "--delay", "20", "5")
    time.sleep(0.8)
    assert framed_slots(person.look("variants-typed")) == [person.slot_of(5)]
    for number in (*PICKED, 5):  # the typed 5 is Ctrl-clicked away
        person.click_tile(number, ctrl=True)
    assert framed_slots(person.look("variants-dialog")) == sorted(map(person.slot_of, PICKED))
    session.key("alt+y", wid=dialog, delay=0.3)
    session.key("End", "BackSpace", delay=0.3)
    session.xdotool("type", "2")
    time.sleep(0.8)
    session.key("alt+o", wid=dialog, delay=1.0)
    session.wait_for(lambda: len(emu.tasks) == 3, "three tasks at the service", 60)
    session.screenshot("variants-progress")
    session.wait_for(lambda: "inserted the group 'Halloween Mask variants'" in session.log(), "the group", 90)
    time.sleep(1.5)
    session.screenshot("variants-layers")

    done = person.snapshot()
    names = ["Halloween Mask 3", "Halloween Mask 7", "Halloween Mask 12"]
    assert done["tree"] == [["Halloween Mask variants", names], "Background"]
    assert [c["offsets"] for c in done["children"]] == [[0, 0]] * 3
    assert sorted(task.mask_style for task in emu.tasks.values()) == [3, 7, 12]
    assert done["source"] == start["source"]

    # One Ctrl+Z removes the whole group.
    session.key("ctrl+z", wid=person.image_window, delay=1.0)
    undone = person.snapshot()
    assert undone["tree"] == ["Background"] and not undone["dirty"]

    # An ellipse over the face, then the single filter with its default style: only that part changes.
    session.flag("select")
    time.sleep(1.0)
    dialog = person.open_from_filters_menu()
    session.key("alt+o", wid=dialog, delay=1.0)
    session.wait_for(lambda: len(emu.tasks) == 4, "the task to reach the service", 60)
    session.screenshot("selection-progress")
    session.key("ctrl+shift+a", wid=person.image_window, delay=0.5)  # Select > None while the service works
    person.wait_for_results(1, timeout=90)
    time.sleep(1.5)
    session.screenshot("selection-result")
    masked = person.snapshot()
    assert masked["tree"] == ["Halloween Mask 1", "Background"] and masked["has_mask"]
    assert not masked["selection"], "Select > None did not reach GIMP"
    assert masked["mask_max"] == 255, "the mask follows a selection dropped during the wait, not the one sent"
    region = upload_box(Box(*FACE_ELLIPSE), Box(0, 0, 512, 512))
    assert masked["top"]["provenance"]["region"] == region.as_dict() == {"x": 113, "y": 0, "width": 224, "height": 252}
    assert masked["top"]["offsets"] == [region.x, region.y] and masked["top"]["size"] == [region.width, region.height]
    assert session.close() == 0
    assert "Traceback" not in session.log()
