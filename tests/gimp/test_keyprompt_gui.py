"""The API key prompt as a person meets it (issue 18 §9): full GIMP 3 under Xvfb, the real menus.

A stored key the service refuses opens the prompt; a mistyped key is refused by the free credits
query and asked again, never stored; Cancel ends the run as cancelled (no error message) and the
settings file still holds the key it held. The next run takes a working key, stores it and adds
the result. Screenshots of the prompt (clickable address on one line) go to artifacts/gimp-e2e/.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from gui_support import image_window_ready
from plugin_batch import PORTRAIT, SECRET_KEY, plugin_env
from test_plugin_gui import ERROR_DIALOG_TITLE, KEY_PROMPT_TITLE, SESSION, Person

OLD_KEY = "hm-old-key-rotated"  # what the settings file held: the service no longer takes it
MISTYPED_KEY = "hm-mistyped-key"
CANCELLED = "the API key prompt was cancelled: nothing was sent"


pytestmark = [pytest.mark.emulator(processing_seconds=1.0), pytest.mark.usefixtures("fresh_emulator")]


def test_a_refused_key_is_never_stored_and_cancel_is_a_cancel(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    settings = profile.dir.host / "home" / "halloween-mask-settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"api_key": OLD_KEY}))
    os.chmod(settings, 0o600)
    env = plugin_env(emu.base_url, f"{profile.home_inside}/{settings.name}", key_in_env=False)
    session = gui_session(SESSION, env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    person = Person(session)
    person.image_window = image_window_ready(session)

    # OK with the stored key: refused at the submit (nothing charged), so the prompt asks for another.
    dialog = person.open_from_filters_menu()
    session.key("alt+o", wid=dialog, delay=1.0)
    prompt = person.answer_key_prompt(MISTYPED_KEY, "key-prompt-stored-refused")
    # The mistyped key is refused by the free credits query: asked again, not stored.
    again = session.wait_for(lambda: [w for w in session.windows(KEY_PROMPT_TITLE) if w != prompt], "the prompt", 30)
    session.move(again[0], 300, 200)
    session.screenshot("key-prompt-typed-refused")
    assert json.loads(settings.read_text())["api_key"] == OLD_KEY
    session.key("Escape", wid=again[0], delay=1.0)

    # Cancel: a cancelled run, no error message, the image and the stored key as they were.
    session.wait_for(lambda: CANCELLED in session.log(), "the cancelled prompt", 20)
    time.sleep(3.0)
    assert session.windows(ERROR_DIALOG_TITLE) == [], "a cancelled prompt showed an error"
    assert person.snapshot()["names"] == ["Background"]
    assert json.loads(settings.read_text())["api_key"] == OLD_KEY, "a refused key replaced the stored one"
    assert emu.tasks == {} and len(emu.requests_to("submit")) == 1  # only the stored key's refused submit

    # The next run: a working key is accepted by the credits query, stored, and the mask is added.
    dialog = person.open_from_filters_menu()
    session.key("alt+o", wid=dialog, delay=1.0)
    person.answer_key_prompt(SECRET_KEY, "key-prompt-working-key")
    person.wait_for_results(1)
    assert person.snapshot()["names"] == ["Halloween Mask 1", "Background"]
    assert json.loads(settings.read_text())["api_key"] == SECRET_KEY
    assert len(emu.tasks) == 1
    assert session.close() == 0
    log = session.log()
    assert SECRET_KEY not in log and MISTYPED_KEY not in log
    assert "Traceback" not in log, log[-4000:]
