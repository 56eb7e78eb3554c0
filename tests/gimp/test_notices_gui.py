"""What the dialog and the run say before and after OK (issue 18 §4, §5, §7), in English and German
at 1366 x 768: full GIMP 3 under Xvfb. Screenshots (artifacts/gimp-e2e/gimp-<version>/notice-*) for
the closing note: a 16 x 16 layer is too small for a face; a 6000 x 4000 photo is sent scaled down
and its result scaled back; a 16:9 ratio on a square photo opens a new image (said before OK, and
after it in the status bar); a failed run says one sentence, whether anything was charged, then
the details; a run that works says "Halloween Mask 1 added."
"""

from __future__ import annotations

import time

import pytest
from gui_support import image_window_ready, scripted_dialog
from plugin_batch import PORTRAIT, plugin_env
from test_plugin_gui import Person

SCREEN = "1366x768x24"
LANGS = {"en": "C.UTF-8", "de": "de_DE.UTF-8"}
TITLES = {"en": "^Halloween Mask$", "de": "^Halloween-Maske$"}
MESSAGE_TITLE = "^GIMP.(Message|Meldung)$"
RATIO_KEYS = {"en": "alt+a", "de": "alt+i"}  # the aspect ratio's mnemonic (German s is Save Settings)
EXPECTED = {  # what the plug-in logs of each screen, per language
    "en": (
        "dialog: Too small for a face to be found (16 x 16 px; a face needs at least 24 px)",
        "dialog: Larger than the service takes: sent scaled down to 4095\u00a0x\u00a02730\u00a0px, "
        "the result is scaled back to 6000\u00a0x\u00a04000\u00a0px.",
        "dialog: Aspect ratio 16:9: the result has another shape than the layer, so it opens as a new image.",
        "notice: Halloween Mask 1 opened as a new image because of the aspect ratio 16:9.",
        "notice: Halloween Mask 1 added.",
    ),
    "de": (
        "dialog: Zu klein, um ein Gesicht zu finden (16 x 16 px",
        "dialog: Größer, als der Dienst annimmt: verkleinert auf 4095\u00a0x\u00a02730\u00a0px gesendet",
        "dialog: Seitenverhältnis 16:9:",
        "notice: Halloween-Maske 1 als neues Bild geöffnet, wegen des Seitenverhältnisses 16:9.",
        "notice: Halloween-Maske 1 hinzugefügt.",
    ),
}


pytestmark = [pytest.mark.emulator(processing_seconds=1.0), pytest.mark.usefixtures("fresh_emulator")]


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_dialog_and_the_run_say(gui_session, make_gimp_profile, emu, lang):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", LANG=LANGS[lang], HM_SCREEN=SCREEN)
    session = gui_session("notices_gui/session.py", env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    person = Person(session)
    person.image_window = image_window_ready(session)

    def scripted(step: str) -> None:
        dialog = scripted_dialog(session, step, TITLES[lang])
        time.sleep(1.5)
        session.screenshot(f"notice-{step}-{lang}", dialog)
        session.key("Escape", wid=dialog, delay=1.0)

    scripted("tiny")  # too small for a face
    scripted("huge")  # scaled down, and back

    # A failed run (the first of its request, so nothing kept to reuse): one sentence, what was
    # charged, then the details.
    emu.configure(failure="poll_error")
    dialog = person.open_from_filters_menu(title=TITLES[lang])
    session.key("alt+o", wid=dialog, delay=0.5)
    message = session.find_window(MESSAGE_TITLE, timeout=60)
    time.sleep(0.8)
    session.screenshot(f"notice-error-{lang}")
    session.key("Return", wid=message, delay=0.8)

    # A run that works: "Halloween Mask 1 added." in the status bar.
    emu.configure(failure=None)
    dialog = person.open_from_filters_menu(title=TITLES[lang])
    session.key("alt+o", wid=dialog, delay=0.5)
    person.wait_for_results(1)
    time.sleep(0.5)
    session.screenshot(f"notice-added-{lang}")

    # 16:9 on a square photo: said in the dialog, and after the run in the status bar (last: the
    # new image's window then has GIMP's attention).
    dialog = person.open_from_filters_menu(title=TITLES[lang])
    session.key(RATIO_KEYS[lang], wid=dialog, delay=0.3)
    session.key("End", delay=1.0)  # the last ratio, 16:9
    session.xdotool("windowraise", dialog)
    session.screenshot(f"notice-ratio-dialog-{lang}", dialog)
    session.key("alt+o", wid=dialog, delay=0.5)
    person.wait_for_results(2)
    time.sleep(0.8)
    session.screenshot(f"notice-new-image-{lang}")

    assert session.close() == 0
    log = session.log()
    missing = [line for line in EXPECTED[lang] if line not in log]
    assert missing == [], "\n".join(line for line in log.splitlines() if "[halloween-mask]" in line)
    assert "Traceback" not in log
