"""Many photos at once as a person works them (issue 16): full GIMP 3 under Xvfb, through the real menus.

Three photo layers selected (one inside a group): Filters ▸ AI ▸ Halloween Mask… says
"3 layers · OK costs 45 credits · about N masks left", OK gives each its result directly above
it, and one Ctrl+Z removes all three. Halloween Mask Variants… with four styles on the three
layers (12 masks) asks once, with the total cost: Cancel sends nothing, "Make them" sends the
twelve. Filters ▸ AI ▸ Halloween Mask on All Open Images… with three images open gives each
image its results, and Ctrl+Z on one image undoes that image's step only. Screenshots
(the dialog, the progress, the results in the Layers dock, the question) go to
artifacts/gimp-e2e/gimp-<version>/.
"""

from __future__ import annotations

import time

import pytest
from gui_runner import GuiSession
from gui_support import image_window_ready, shoot
from plugin_batch import PORTRAIT, plugin_env
from test_batch_e2e import plain
from test_plugin_gui import Person

CONFIRM_TITLE = "^Halloween Mask: many masks$"
START_TREE = ["A", ["Group", ["note", "B"]], "C", "Background"]


pytestmark = [pytest.mark.emulator(processing_seconds=4.0), pytest.mark.usefixtures("fresh_emulator")]


def start(gui_session, profile, emu) -> tuple[GuiSession, Person]:
    env = plugin_env(emu.base_url, f"{profile.home_inside}/batch-gui-settings.json")
    session = gui_session("batch_gui/session.py", env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    person = Person(session)
    assert plain(person.snapshot()["trees"]) == [START_TREE]
    person.image_window = image_window_ready(session)
    return session, person


def logged(session: GuiSession, text: str) -> int:
    return session.log().count(text)


def test_three_layers_one_undo_and_one_question_above_ten_masks(gui_session, gimp_profile, emu):
    session, person = start(gui_session, gimp_profile, emu)

    # The dialog says what OK will do for the three layers, then each gets its result.
    dialog = person.open_from_filters_menu()
    line = "dialog: 3 layers · OK costs 45 credits · about "
    session.wait_for(lambda: line in session.log(), "the cost line for three layers", 20)
    shoot(session, "batch-dialog", dialog)
    session.key("alt+o", wid=dialog, delay=0.5)
    session.wait_for(lambda: len(emu.tasks) == 3, "three tasks at the service", 60)
    time.sleep(1.0)
    session.screenshot("batch-progress")  # the status bar: "Halloween Mask: 0 of 3 done, 2 s"
    done = "inserted the results over 3 layers in 1 images"
    session.wait_for(lambda: logged(session, done) == 1, "the three results", 90)
    time.sleep(1.5)
    shoot(session, "batch-layers")  # the Layers dock: each result above its photo
    made = person.snapshot()
    result = "Halloween Mask 1"
    assert plain(made["trees"]) == [[result, "A", ["Group", ["note", result, "B"]], result, "C", "Background"]]
    assert made["selected"] == ["A", "B", "C"]

    # One Ctrl+Z removes all three.
    session.key("ctrl+z", wid=person.image_window, delay=1.0)
    assert plain(person.snapshot()["trees"]) == [START_TREE]

    # Four styles on three layers are twelve masks: asked once, with the total; Cancel sends nothing.
    for answer in ("alt+c", "alt+m"):
        dialog = person.open_from_filters_menu("v", "^Halloween Mask Variants$")
        session.key("alt+y", wid=dialog, delay=0.3)
        session.key("ctrl+a", delay=0.2)
        session.xdotool("type", "--delay", "40", "3 7 12 20")
        cost = "dialog: 3 layers × 4 styles (3, 7, 12, 20): OK costs 180 credits at most"  # noqa: RUF001
        session.wait_for(lambda cost=cost: cost in session.log(), "the variants cost line", 20)
        session.key("alt+o", wid=dialog, delay=0.5)
        question = session.find_window(CONFIRM_TITLE, timeout=30)
        assert "confirm: This run makes 12 masks on 3 layers and costs 180 credits." in session.log()
        session.move(question, 300, 200)
        session.screenshot(f"batch-question-{answer[-1]}")
        session.key(answer, wid=question, delay=1.0)
        if answer == "alt+c":
            time.sleep(3)
            assert len(emu.tasks) == 3, "a cancelled question still sent masks"
            assert plain(person.snapshot()["trees"]) == [START_TREE]
    session.wait_for(lambda: logged(session, done) == 2, "the three groups", 120)
    assert len(emu.tasks) == 3 + 12 and session.log().count("confirm: ") == 2, "asked more than once per run"
    groups = plain(person.snapshot()["trees"])[0]
    assert str(groups).count("Halloween Mask variants") == 3
    assert session.close() == 0
    assert "Traceback" not in session.log()


def test_every_open_image_gets_its_results_in_its_own_undo_step(gui_session, gimp_profile, emu):
    session, person = start(gui_session, gimp_profile, emu)
    session.flag("more-images")
    opened = session.wait_for(lambda: len((snap := person.snapshot())["ids"]) == 3 and snap, "three images", 30)

    dialog = person.open_from_filters_menu("a", "^Halloween Mask on All Open Images$")
    line = "dialog: 5 layers in 3 images · OK costs 75 credits · about "
    session.wait_for(lambda: line in session.log(), "the cost line for five layers in three images", 20)
    shoot(session, "all-images-dialog", dialog)
    session.key("alt+o", wid=dialog, delay=0.5)
    session.wait_for(lambda: len(emu.tasks) == 5, "five tasks at the service", 60)
    time.sleep(1.0)
    session.screenshot("all-images-progress")
    done = "inserted the results over 5 layers in 3 images"
    session.wait_for(lambda: done in session.log(), "the results", 90)
    time.sleep(1.0)
    result = "Halloween Mask 1"
    with_results = [
        [result, "A", ["Group", ["note", "B"]], result, "C", "Background"],
        [result, "Background"],
        [result, "Background"],
    ]
    with_results[0][2][1].insert(1, result)
    assert plain(person.snapshot()["trees"]) == with_results

    # Ctrl+Z on one image undoes that image's results only, all of them at once. GIMP shows the
    # images as tabs of one window (Alt+1, 2, 3 bring one forward; the title names it: "...-2.0 (RGB ...").
    expected = list(with_results)
    window = person.image_window
    for index in (1, 0, 2):
        session.key(f"alt+{index + 1}", wid=window, delay=0.5)
        tab = f"-{opened['ids'][index]}."
        session.wait_for(lambda tab=tab: tab in session.window_name(window), f"image {index + 1} in front", 10)
        session.key("ctrl+z", wid=window, delay=1.0)
        expected[index] = START_TREE if index == 0 else ["Background"]
        assert plain(person.snapshot()["trees"]) == expected, f"Ctrl+Z in image {index + 1}"
    assert session.close() == 0
    assert "Traceback" not in session.log()
