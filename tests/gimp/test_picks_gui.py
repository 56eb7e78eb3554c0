"""Picking several styles in the variants dialog as a person does (issue 18 §6): full GIMP 3 under Xvfb.

The dialog says how to pick; a plain click adds a style or removes it (no Ctrl needed, nothing
else is thrown away); the typed list keeps the order of picking, and the group's layers come in
that order, the first pick on top.
"""

from __future__ import annotations

import pytest
from plugin_batch import PORTRAIT, plugin_env
from test_gallery_gui import framed_slots
from test_plugin_gui import SESSION
from test_variants_gui import VARIANTS_DIALOG_TITLE, gallery_person

START = (1, 2, 3)  # the typed list of a fresh profile: "1, 2, 3"
CLICKS = (12, 2, 5)  # plain clicks: 12 added, 2 removed, 5 added
PICKED = (1, 3, 12, 5)


pytestmark = [pytest.mark.emulator(processing_seconds=1.0), pytest.mark.usefixtures("fresh_emulator")]


def test_a_plain_click_adds_or_removes_and_the_pick_order_is_kept(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json")
    session = gui_session(SESSION, env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    person = gallery_person(session, profile)
    session.wait_for(lambda: person.snapshot()["tree"] == ["Background"], "the portrait", 30)

    person.dialog = person.open_from_filters_menu("v", VARIANTS_DIALOG_TITLE)
    assert framed_slots(person.look("variants-start")) == [person.slot_of(n) for n in START]
    for number in CLICKS:
        person.click_tile(number)
    shot = person.look("variants-plain-clicks")
    assert framed_slots(shot) == sorted(person.slot_of(n) for n in PICKED)
    line = f"dialog: 4 styles ({', '.join(map(str, PICKED))}): OK costs 60 credits at most"
    session.wait_for(lambda: line in session.log(), "the cost line in pick order", 10)
    session.key("alt+o", wid=person.dialog, delay=1.0)
    session.wait_for(lambda: "inserted the group" in session.log(), "the group", 90)
    group = person.snapshot()["tree"][0]
    assert group == ["Halloween Mask variants", [f"Halloween Mask {n}" for n in PICKED]]
    assert sorted(task.mask_style for task in emu.tasks.values()) == sorted(PICKED)
    assert session.close() == 0
    assert "Traceback" not in session.log()
