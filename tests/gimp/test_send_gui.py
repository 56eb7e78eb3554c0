"""What you see is what you send: the dialog and the runs as a person uses them (GIMP 3 under Xvfb).

One session: the dialog names the layer it will send; Tab and Shift+Tab through the whole dialog
never change the remembered style, and OK submits it; after the run the photo is still the
selected layer, so Filters ▸ Repeat Last sends the photo again, and its result goes on top of the
first (one Ctrl+Z removes only the newest). With a result chosen in the Layers dock, the dialog
says it is a result and offers the photo it was made from, which OK then sends. Screenshots of
the dialog naming the layer go to artifacts/gimp-e2e/.
"""

from __future__ import annotations

import time

import pytest
from gui_support import shoot
from plugin_batch import PROC, plugin_env
from test_gallery_gui import _user, framed_slot

REMEMBERED = 9  # the style of the last run, from GIMP's last values
LAST_VALUES = f"""# settings

(mask-style "mask-{REMEMBERED}")
(template NULL)
(aspect-ratio "auto")
(placement "auto")
(deadline 600)

# end of settings
"""
TABS = 30  # more than the dialog's parts, so the focus goes round it (and through the gallery) at least twice
SENDS_PHOTO = "dialog: Sends the layer “Background” (512 x 512 px)."
IS_A_RESULT = f"dialog: “Halloween Mask {REMEMBERED}” is a Halloween Mask result."


pytestmark = pytest.mark.usefixtures("fresh_emulator")


def uploads(session) -> list[str]:
    """What each run uploaded, as the plug-in logged it ("uploading 512x512 jpeg (123,831 bytes)")."""
    return [line for line in session.log().splitlines() if "[halloween-mask] uploading" in line]


def test_the_dialog_names_the_layer_and_the_keyboard_never_chooses(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    last = profile.host / "plug-in-settings" / f"GimpProcedureConfigRun-{PROC}.last"
    last.parent.mkdir(exist_ok=True)
    last.write_text(LAST_VALUES)
    user = _user(gui_session, profile, plugin_env(emu.base_url, f"{profile.home_inside}/settings.json"))
    session = user.session

    # The dialog says what OK will send, and frames the remembered style.
    user.open("menu")
    session.wait_for(lambda: SENDS_PHOTO in session.log(), "the line naming the layer", 20)
    shoot(session, "dialog-names-the-layer", user.dialog)
    assert framed_slot(user.look("dialog-remembered-style")) == user.slot_of(REMEMBERED)

    # Tab and Shift+Tab go round the whole dialog; the style stays the one remembered.
    session.focus(user.dialog)
    for key in ("Tab", "shift+Tab"):
        for _ in range(TABS):
            session.key(key, delay=0.1)
        time.sleep(0.5)
        assert framed_slot(user.look(f"dialog-after-{key.lower()}")) == user.slot_of(REMEMBERED), key
    user.ok()
    user.wait_for_results(1)
    first = user.snapshot()
    assert [task.mask_style for task in emu.tasks.values()] == [REMEMBERED]
    assert first["names"] == [f"Halloween Mask {REMEMBERED}", "Background"]
    assert first["selected"] == ["Background"], "the result, not the photo, is selected after the run"

    # Repeat Last sends the photo again (the same upload), and its result goes on top (GIMP names
    # it "#1", as the first result's name is taken). An identical request within minutes collects
    # the task already paid for, so the plug-in's log, not the service, shows what was uploaded.
    session.key("ctrl+f", wid=user.image_window, delay=0.5)
    user.wait_for_results(2)
    repeated = user.snapshot()
    assert uploads(session) == [uploads(session)[0]] * 2, "Repeat Last did not send the photo"
    name = f"Halloween Mask {REMEMBERED}"
    assert repeated["names"] == [f"{name} #1", name, "Background"], "the newest result is not on top"
    assert repeated["selected"] == ["Background"]
    session.key("ctrl+z", wid=user.image_window, delay=1.0)
    undone = user.snapshot()
    assert undone["names"] == [name, "Background"], "one undo step did not remove just the newest"

    # The result chosen in the Layers dock: the dialog says so and offers the photo, which OK sends.
    session.flag("select-top")
    assert user.snapshot()["selected"] == [name]
    user.open("menu")
    session.wait_for(lambda: IS_A_RESULT in session.log(), "the dialog saying the layer is a result", 20)
    assert session.log().count(SENDS_PHOTO) == 2  # the photo, offered instead of the result
    shoot(session, "dialog-offers-the-source", user.dialog)
    user.ok()
    user.wait_for_results(3)
    offered = user.snapshot()
    assert uploads(session) == [uploads(session)[0]] * 3, "OK did not send the photo"
    assert offered["names"] == [f"{name} #1", name, "Background"]
    assert offered["selected"] == ["Background"]
    assert session.close() == 0
    assert "Traceback" not in session.log()
