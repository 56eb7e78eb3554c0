"""The dialog keeps what the person chose (issue 18 §8): full GIMP 3 under Xvfb.

"Template image file" without a file keeps the dialog open (OK is greyed out and a line says
what is missing) instead of closing it with a calling error; a run that then fails still
remembers the style and wait time just chosen: the next dialog opens with them.
"""

from __future__ import annotations

import time

import pytest
from plugin_batch import PROC, plugin_env
from test_gallery_gui import DIALOG_TITLE, _user, framed_slot
from test_plugin_gui import DIALOG_AT, ERROR_DIALOG_TITLE

MISSING = "dialog: Choose the template image file (OK waits for it), or use a built-in style."
CHOSEN_STYLE, CHOSEN_WAIT = 12, 120  # a style among the tiles shown without scrolling

# A script opens the dialog with "Template image file" chosen and no file (as a person who clicked
# that option and no file yet); then the portrait stays open for the menu runs.
SESSION = "choices_gui/session.py"


pytestmark = [pytest.mark.emulator(processing_seconds=1.0), pytest.mark.usefixtures("fresh_emulator")]


def test_an_incomplete_template_choice_and_a_failed_run_keep_the_choices(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    user = _user(gui_session, profile, plugin_env(emu.base_url, f"{profile.home_inside}/settings.json"), SESSION)
    session = user.session

    # "Template image file" without a file: OK does nothing, the dialog stays, no error.
    session.flag("open-with-file-source")
    user.dialog = session.find_window(DIALOG_TITLE, timeout=30)
    session.move(user.dialog, *DIALOG_AT)
    session.wait_for(lambda: MISSING in session.log(), "the line saying what is missing", 20)
    session.screenshot("dialog-template-file-missing", user.dialog)
    session.key("alt+o", wid=user.dialog, delay=2.0)
    assert user.dialog in session.windows(DIALOG_TITLE), "OK closed the dialog without a template file"
    assert session.windows(ERROR_DIALOG_TITLE) == []
    session.key("Escape", wid=user.dialog, delay=1.0)
    ended = session.wait_for(lambda: session.report().get("seq") == 1 and session.report(), "the run's end", 20)
    assert ended["status"] == "cancel"
    assert emu.requests_to("submit") == []

    # A style and a wait time chosen, then the run fails at the service.
    emu.configure(failure="poll_error")
    user.open("menu")
    user.pick_style(user.dialog, CHOSEN_STYLE)
    session.key("alt+w", wid=user.dialog, delay=0.3)
    session.key("ctrl+a", delay=0.2)
    session.xdotool("type", "--delay", "60", str(CHOSEN_WAIT))
    session.key("Tab", delay=0.5)
    user.ok()
    message = session.find_window(ERROR_DIALOG_TITLE, timeout=60)
    session.key("Return", wid=message, delay=0.8)
    session.wait_for(lambda: message not in session.windows(ERROR_DIALOG_TITLE), "the message to close", 10)
    assert [task.mask_style for task in emu.tasks.values()] == [CHOSEN_STYLE]
    session.flag("state")
    state = session.wait_for(lambda: session.report().get("seq") == 2 and session.report(), "the image state", 20)
    assert state["names"] == ["Background"] and not state["dirty"]
    last_file = profile.host / "plug-in-settings" / f"GimpProcedureConfigRun-{PROC}.last"
    assert last_file.exists(), session.log()[-3000:]
    last = last_file.read_text()
    assert f'(mask-style "mask-{CHOSEN_STYLE}")' in last and f"(deadline {CHOSEN_WAIT})" in last, last

    # The next dialog opens with them.
    user.open("menu")
    session.xdotool("windowraise", user.dialog)  # no window manager: the image window may be above it
    time.sleep(1.0)
    assert framed_slot(user.look("dialog-after-a-failed-run")) == user.slot_of(CHOSEN_STYLE), last
    session.key("Escape", wid=user.dialog, delay=0.5)
    assert session.close() == 0
    assert "Traceback" not in session.log()
