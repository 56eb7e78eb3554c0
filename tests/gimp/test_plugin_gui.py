"""The plug-in as a person uses it: full GIMP 3 under Xvfb, driven through the real menus.

The first session walks the first run in a fresh profile: Filters ▸ AI ▸ Halloween Mask… opens the
dialog, a style is picked from the list, OK asks for the API key (none is configured yet),
the two results the service sends arrive as new layers, Ctrl+Z removes them in one step, and Filters ▸ Repeat Last
runs again with the remembered style and no dialog. The second shows a failure in GIMP's
message dialog and cancels a run from the status bar, with the image left as it was; the next
run collects the cancelled task instead of paying again. Screenshots
of the menu, the dialog, the style list, the key prompt, the progress, the result, the error
message and the cancel are saved in artifacts/gimp-e2e/gimp-<version>/.
"""

from __future__ import annotations

import stat
import time

import pytest
from gui_runner import GuiSession
from gui_support import DIALOG_AT as DIALOG_AT  # re-exported: other GUI tests import it from here
from gui_support import image_window_ready, open_from_filters_menu, shoot
from plugin_batch import PORTRAIT, PROC, SECRET_KEY, plugin_env

DIALOG_TITLE = "^Halloween Mask$"
ERROR_DIALOG_TITLE = "^GIMP Message$"
KEY_PROMPT_TITLE = "^Halloween Mask: API key$"
MISTYPED_KEY = "hm-mistyped-key"
PICKED_STYLE = 3  # not the default, Mask 1
SEARCH_FIELD = (290, 34)  # the gallery's search field, in the dialog
CANCELLED_TASK_SECONDS = 10.0  # the task cancelled in GIMP finishes meanwhile, before the next run
POLL_GAP = 6.0  # seconds; longer than the client's longest pause between polls (5 s)
# The status bar's Cancel button, from the image window's bottom right corner (the docks to its
# right have a fixed width).
STATUS_CANCEL_FROM_RIGHT, STATUS_CANCEL_FROM_BOTTOM = 282, 19

# The session's script (inside/): the portrait in a window; "snap" flags are answered with the
# image's state, "select-top" by selecting the top layer, until the host sets "quit".
SESSION = "plugin_gui/session.py"


pytestmark = [pytest.mark.emulator(processing_seconds=4.0), pytest.mark.usefixtures("fresh_emulator")]


class Person:
    """Drives one GUI session the way a person would, with the keyboard."""

    def __init__(self, session: GuiSession) -> None:
        self.session = session
        self.image_window = ""
        self.seq = 0

    def snapshot(self) -> dict:
        """The image's state as GIMP reports it now."""
        self.seq += 1
        self.session.flag("snap")
        return self.session.wait_for(
            lambda: (report := self.session.report()).get("seq") == self.seq and report, "a snapshot"
        )

    def open_from_filters_menu(self, mnemonic: str = "h", title: str = DIALOG_TITLE) -> str:
        """Filters ▸ AI ▸ Halloween Mask… (V: Halloween Mask Variants…); returns the dialog window."""
        return open_from_filters_menu(self.session, self.image_window, mnemonic, title)

    def pick_style(self, dialog: str, number: int) -> None:
        """Type the style's number into the gallery's search field: the grid jumps to it and selects it."""
        s = self.session
        s.focus(dialog)
        s.click(dialog, *SEARCH_FIELD)
        s.xdotool("type", "--delay", "60", str(number))
        time.sleep(0.8)
        shoot(s, "styles", dialog)

    def cancel_from_status_bar(self) -> None:
        """Click the Cancel button that the status bar shows beside the progress bar."""
        geometry = self.session.xdotool("getwindowgeometry", "--shell", self.image_window)
        size = dict(line.split("=") for line in geometry.splitlines())
        x, y = int(size["WIDTH"]) - STATUS_CANCEL_FROM_RIGHT, int(size["HEIGHT"]) - STATUS_CANCEL_FROM_BOTTOM
        self.session.click(self.image_window, x, y)

    def answer_key_prompt(self, key: str, screenshot: str, after: str = "") -> str:
        """Type ``key`` into the API key prompt (a new one, not ``after``); returns its window."""
        s = self.session
        prompt = s.wait_for(lambda: [w for w in s.windows(KEY_PROMPT_TITLE) if w != after], "the key prompt", 30)[0]
        s.move(prompt, 300, 200)
        s.screenshot(screenshot)
        s.focus(prompt)
        s.xdotool("type", "--delay", "10", key)
        s.screenshot(f"{screenshot}-typed", prompt)  # the entry shows dots, not the key
        s.key("Return", delay=1.0)
        return prompt

    def wait_for_results(self, count: int, timeout: float = 90.0) -> None:
        self.session.wait_for(
            lambda: self.session.log().count("[halloween-mask] inserted layer") >= count,
            f"{count} inserted layer(s)",
            timeout,
        )


def test_first_run_from_the_filters_menu(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()  # fresh: no stored key, no last values
    emu.configure(result_count=2, distinct_urls=True)  # the service may answer with several results
    settings = profile.dir.host / "home" / "halloween-mask-settings.json"
    env = plugin_env(emu.base_url, f"{profile.home_inside}/{settings.name}", key_in_env=False)
    session = gui_session(SESSION, env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    person = Person(session)
    start = person.snapshot()
    assert start["names"] == ["Background"] and not start["dirty"]
    person.image_window = image_window_ready(session)

    # The dialog opens from the real menu and lists the styles; pick one that is not the default.
    dialog = person.open_from_filters_menu()
    shoot(session, "dialog", dialog)
    credits_line = "dialog: OK costs 15 credits · no API key yet: OK asks for one"
    session.wait_for(lambda: credits_line in session.log(), "the credits line", 20)
    person.pick_style(dialog, PICKED_STYLE)
    shoot(session, "dialog-style-picked", dialog)
    session.key("alt+o", wid=dialog, delay=1.0)

    # First run: no key anywhere, so the plug-in asks for it (masked entry) and stores it. A
    # mistyped key is refused by the service (nothing is charged) and asked for again.
    prompt = person.answer_key_prompt(MISTYPED_KEY, "api-key-prompt")
    person.answer_key_prompt(SECRET_KEY, "api-key-asked-again", after=prompt)
    time.sleep(1.0)
    session.screenshot("progress")  # the status bar shows the task state and elapsed time

    person.wait_for_results(1)
    time.sleep(1)
    session.screenshot("result")
    after_ok = person.snapshot()
    name = f"Halloween Mask {PICKED_STYLE}"
    assert after_ok["names"] == [name, f"{name} #2", "Background"]
    assert after_ok["selected"] == ["Background"]  # the photo stays selected: Repeat Last sends it again
    assert after_ok["top"]["size"] == [512, 512] and after_ok["top"]["offsets"] == [0, 0]
    assert after_ok["top"]["provenance"]["style"] == PICKED_STYLE
    assert after_ok["source"] == start["source"], "the source layer's pixels changed"
    assert [task.mask_style for task in emu.tasks.values()] == [PICKED_STYLE]

    # The key went to the settings file, readable only by its owner, and nowhere else.
    assert SECRET_KEY in settings.read_text() and MISTYPED_KEY not in settings.read_text()
    assert len(emu.requests_to("submit")) == 1 and len(emu.tasks) == 1  # the mistyped key never reached a submit
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    last_values = profile.host / "plug-in-settings" / f"GimpProcedureConfigRun-{PROC}.last"
    assert f'(mask-style "mask-{PICKED_STYLE}")' in last_values.read_text(), "GIMP did not remember the style"
    leaks = [p for p in profile.host.rglob("*") if p.is_file() and SECRET_KEY.encode() in p.read_bytes()]
    assert leaks == [], "the API key leaked into the GIMP profile"
    # GIMP also keeps the last values in a persistent image parasite, saved inside the XCF.
    image_last_values = after_ok["parasites"][f"GimpProcedureConfigRun-{PROC}-last"]
    assert f"mask-{PICKED_STYLE}" in image_last_values
    assert not [name for name, text in after_ok["parasites"].items() if SECRET_KEY in text]

    # One undo step removes the results and leaves the image as it was.
    session.key("ctrl+z", wid=person.image_window, delay=1.0)
    undone = person.snapshot()
    assert undone["names"] == ["Background"] and not undone["dirty"]
    assert undone["source"] == start["source"]

    # Filters ▸ Repeat Last runs with the remembered style, without the dialog or the key prompt.
    emu.configure(processing_seconds=0.0)
    session.key("ctrl+f", wid=person.image_window, delay=0.5)
    person.wait_for_results(2, timeout=60)
    repeated = person.snapshot()
    assert repeated["names"] == [name, f"{name} #2", "Background"]
    # The same request as the undone run: re-used from the history, not paid again (issue 15).
    assert [task.mask_style for task in emu.tasks.values()] == [PICKED_STYLE]

    assert session.close() == 0
    log = session.log()
    assert SECRET_KEY not in log
    assert "Traceback" not in log, log[-4000:]


def test_an_error_or_a_cancel_leaves_the_image_as_it_was(gui_session, gimp_profile, emu):
    emu.configure(api_keys={"another-key"})  # the key GIMP has is rejected
    settings = f"{gimp_profile.home_inside}/gui-cancel-settings.json"  # holds no key: it comes from the environment
    session = gui_session(SESSION, env=plugin_env(emu.base_url, settings), files={"portrait.png": PORTRAIT})
    person = Person(session)
    start = person.snapshot()
    person.image_window = image_window_ready(session)

    # A failure is shown to the person in GIMP's message dialog; the image is untouched.
    dialog = person.open_from_filters_menu()
    credits_line = "dialog: OK costs 15 credits · the API key in AILAB_API_KEY was refused"
    session.wait_for(lambda: credits_line in session.log(), "the credits line", 20)
    session.key("alt+o", wid=dialog, delay=0.5)
    message = session.find_window(ERROR_DIALOG_TITLE, timeout=60)
    session.screenshot("error-message")
    session.key("Return", wid=message, delay=0.5)
    failed = person.snapshot()
    assert failed["names"] == start["names"] == ["Background"]
    assert not failed["dirty"] and failed["source"] == start["source"] and failed["scratch_left"] == []

    # Status-bar Cancel while the service works: polling stops, the image is untouched.
    emu.configure(api_keys={SECRET_KEY}, processing_seconds=CANCELLED_TASK_SECONDS)
    dialog = person.open_from_filters_menu()
    session.key("alt+o", wid=dialog, delay=0.5)
    session.wait_for(lambda: emu.tasks, "the task to reach the service", 60)
    time.sleep(1)
    session.screenshot("cancel-before")
    person.cancel_from_status_bar()
    time.sleep(1)
    session.screenshot("cancel-after")
    polls = len(emu.requests_to("poll"))
    time.sleep(POLL_GAP)
    assert len(emu.requests_to("poll")) == polls, "the plug-in still polls after Cancel"
    cancelled = person.snapshot()
    assert cancelled["names"] == start["names"] == ["Background"]
    assert not cancelled["dirty"] and cancelled["source"] == start["source"]

    # GIMP stays usable: the same request again collects the task already paid for (no second
    # upload), and sweeps the killed run's scratch file.
    dialog = person.open_from_filters_menu()
    session.key("alt+o", wid=dialog, delay=0.5)
    person.wait_for_results(1, timeout=60)
    done = person.snapshot()
    assert done["names"] == ["Halloween Mask 1", "Background"]
    assert done["scratch_left"] == []
    assert len(emu.tasks) == 1, "the cancelled task was paid for twice"
    (task_id,) = emu.tasks
    assert done["top"]["provenance"]["task_id"] == task_id
    assert session.close() == 0
    assert f"collected task {task_id}" in session.log()
    assert "Traceback" not in session.log()
