"""The style gallery as a person uses it: full GIMP 3 under Xvfb, the emulator's previews on loopback.

The first session checks the tiles' pixels against the emulator's previews, then chooses styles
by click + OK, double-click, arrow keys + Enter and the search field, checks that Reset and
Repeat Last agree with the grid, and stars a favourite (the emulator's log says which style each
run submitted). The second session starts offline with an empty cache; the third with a warm
cache and the preview host down, where the favourite comes first and a template layer chosen by
the caller cannot be overridden by clicking a tile. Screenshots go to artifacts/gimp-e2e/.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from gui_runner import GuiSession
from halloween_mask.favourites import StylePicks
from halloween_mask.previews import PreviewCache
from halloween_mask_emulator import Emulator, EmulatorConfig
from halloween_mask_emulator.renderer import preview_jpeg
from PIL import Image
from plugin_batch import PORTRAIT, plugin_env
from test_plugin_gui import DIALOG_AT, SESSION, Person

DIALOG_TITLE = "^Halloween Mask$"
# Tile geometry in the dialog (GIMP's default theme, both series): the first picture's top left
# corner, the pitch between tiles, five columns; the star sits below a picture's right edge.
FIRST_PICTURE, PITCH, COLUMNS, THUMB = (24, 64), (110, 131), 5, 96
STAR_OFFSET = (86, 107)
VISIBLE = 15  # tiles on screen without scrolling
SELECTED = (255, 140, 0)  # the selected tile's frame
PLACEHOLDER = (0x3A, 0x34, 0x40)
DEAD_PREVIEW_HOST = "http://127.0.0.1:9"  # nothing listens there


pytestmark = pytest.mark.usefixtures("fresh_emulator")


def slot_box(slot: int) -> tuple[int, int, int, int]:
    x = FIRST_PICTURE[0] + PITCH[0] * (slot % COLUMNS)
    y = FIRST_PICTURE[1] + PITCH[1] * (slot // COLUMNS)
    return x, y, x + THUMB, y + THUMB


def slot_centre(slot: int) -> tuple[int, int]:
    left, top, right, bottom = slot_box(slot)
    return (left + right) // 2, (top + bottom) // 2


@functools.cache
def _preview(number: int) -> np.ndarray:
    picture = Image.open(io.BytesIO(preview_jpeg(number))).convert("RGB").resize((THUMB, THUMB), Image.LANCZOS)
    return np.asarray(picture, dtype=np.int16)


def closest_style(shot: Image.Image, slot: int) -> int:
    """The style whose preview a tile's picture on screen is most like (mean absolute difference)."""
    tile = np.asarray(shot.crop(slot_box(slot)).convert("RGB"), dtype=np.int16)
    return min(range(1, 86), key=lambda number: np.abs(tile - _preview(number)).mean())


def framed_slots(shot: Image.Image) -> list[int]:
    """The visible slots whose frame is drawn in the selection colour."""
    rgb = shot.convert("RGB")

    def framed(slot: int) -> bool:
        left, top, _right, _bottom = slot_box(slot)
        return all(abs(c - s) < 40 for c, s in zip(rgb.getpixel((left - 4, top + 40)), SELECTED, strict=True))

    return [slot for slot in range(VISIBLE) if framed(slot)]


def framed_slot(shot: Image.Image) -> int | None:
    """The first slot whose frame is drawn in the selection colour, if any."""
    return next(iter(framed_slots(shot)), None)


class GalleryUser(Person):
    """A person in front of the gallery: opens the dialog, looks at tiles, clicks them."""

    def __init__(self, session: GuiSession, picks: Path, timings: Path) -> None:
        super().__init__(session)
        self.picks, self.timings = picks, timings
        self.dialog = ""

    def order(self) -> list[int]:
        """The tiles' order as the plug-in shows it: favourites, then recent styles, then the rest."""
        first = StylePicks(self.picks).first()
        return first + [n for n in range(1, 86) if n not in first]

    def slot_of(self, number: int) -> int:
        return self.order().index(number)

    def events(self, name: str) -> list[dict]:
        if not self.timings.exists():
            return []
        lines = self.timings.read_text().splitlines()
        return [event for event in map(json.loads, lines) if event.get("event") == name]

    def open(self, how: str = "menu") -> str:
        """The dialog, from the Filters menu or Filters ▸ Re-Show Last; waits until its pictures are in."""
        pictures = len(self.events("pictures"))
        if how == "menu":
            self.dialog = self.open_from_filters_menu()
        else:
            self.session.key("shift+ctrl+f", wid=self.image_window, delay=0.5)
            self.dialog = self.session.find_window(DIALOG_TITLE, timeout=30)
            self.session.move(self.dialog, *DIALOG_AT)
        self.session.wait_for(lambda: len(self.events("pictures")) > pictures, "the previews", 30)
        time.sleep(0.5)
        return self.dialog

    def look(self, name: str) -> Image.Image:
        self.session.xdotool("mousemove", "1279", "799")  # no tooltip over the tiles
        time.sleep(0.3)
        return Image.open(self.session.screenshot(name, self.dialog))

    def click_tile(self, number: int, double: bool = False, ctrl: bool = False) -> None:
        x, y = slot_centre(self.slot_of(number))
        click = ["click", "--repeat", "2" if double else "1", "1"]
        if ctrl:
            click = ["keydown", "ctrl", *click, "keyup", "ctrl"]
        self.session.xdotool("mousemove", "--window", self.dialog, str(x), str(y), *click)
        time.sleep(0.6)

    def star_tile(self, number: int) -> None:
        left, top, _right, _bottom = slot_box(self.slot_of(number))
        self.session.click(self.dialog, left + STAR_OFFSET[0], top + STAR_OFFSET[1])
        time.sleep(0.6)

    def ok(self) -> None:
        self.session.key("alt+o", wid=self.dialog, delay=0.5)

    def result_then_undo(self, count: int) -> None:
        """Wait for the ``count``-th result, then Ctrl+Z: the next run works on the portrait again."""
        self.wait_for_results(count)
        self.session.key("ctrl+z", wid=self.image_window, delay=0.8)


def _user(gui_session, profile, env: dict[str, str], script: str = SESSION) -> GalleryUser:
    home = profile.dir.host / "home"
    timings = home / "timings.jsonl"
    env = {**env, "HALLOWEEN_MASK_TIMINGS": f"{profile.home_inside}/{timings.name}"}
    session = gui_session(script, env=env, files={"portrait.png": PORTRAIT}, profile=profile)
    user = GalleryUser(session, home / "favourite-styles.json", timings)
    user.image_window = session.image_window(timeout=90)
    time.sleep(2)  # docks and brushes are still loading
    return user


def _styles(emu: Emulator) -> list[int | None]:
    return [task.mask_style for task in emu.tasks.values()]


def test_choosing_a_style_by_looking(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json")
    user = _user(gui_session, profile, env)

    # Every visible tile shows its own style's preview, and the default style is framed.
    user.open("menu")
    shot = user.look("gallery")
    user.session.screenshot("gallery-on-portrait")  # the whole screen: docs/gallery.png in the README
    assert [closest_style(shot, slot) for slot in range(VISIBLE)] == user.order()[:VISIBLE]
    assert framed_slot(shot) == user.slot_of(1)
    assert not any(record.key_present for record in emu.requests_to("preview")), "the key went to the preview host"
    balance = emu.credits()
    assert emu.requests_to("submit") == [] and balance == EmulatorConfig().credits  # the query charged nothing
    assert f"dialog: OK costs 15 credits · about {balance // 15:,} masks left" in user.session.log()

    # Click + OK, then Repeat Last: both submit the tile chosen.
    user.click_tile(7)
    assert framed_slot(user.look("gallery-tile-7")) == user.slot_of(7)
    user.ok()
    user.result_then_undo(1)
    user.session.key("ctrl+f", wid=user.image_window, delay=0.5)
    user.result_then_undo(2)
    assert _styles(emu) == [7]  # Repeat Last after the undo re-uses the kept 7 (issue 15): paid once

    # Re-Show Last opens with that tile chosen (recent styles come first); a double-click runs another.
    user.open("re-show")
    assert framed_slot(user.look("gallery-recent-first")) == user.slot_of(7) == 0
    user.click_tile(12, double=True)
    user.result_then_undo(3)
    assert _styles(emu)[-1] == 12

    # Arrow keys move the choice, Enter runs it.
    user.open("re-show")
    below = user.order()[user.slot_of(12) + COLUMNS]
    user.session.key("Down", wid=user.dialog, delay=0.5)
    assert framed_slot(user.look("gallery-arrow-down")) == user.slot_of(below)
    user.session.key("Return", delay=0.5)
    user.result_then_undo(4)
    assert _styles(emu)[-1] == below

    # Reset's two entries bring the grid back to the dialog's initial style, and to the default
    # style (Mask 1); the search field jumps to a number.
    user.open("re-show")
    user.click_tile(3)
    user.session.key("alt+r", wid=user.dialog, delay=0.8)
    user.session.key("Return", delay=0.8)  # Reset to Initial Values
    assert framed_slot(user.look("gallery-reset")) == user.slot_of(below)
    user.session.key("alt+r", wid=user.dialog, delay=0.8)
    user.session.key("Down", "Return", delay=0.8)  # Reset to Factory Defaults
    assert framed_slot(user.look("gallery-factory-defaults")) == user.slot_of(1)
    user.session.key("alt+g", wid=user.dialog, delay=0.5)  # "_Go to style": the search field, from the keyboard
    user.session.xdotool("type", "--delay", "60", "37")  # typed anywhere else, 37 would not be chosen
    time.sleep(0.8)
    user.look("gallery-search-37")
    user.ok()
    user.result_then_undo(5)
    assert _styles(emu)[-1] == 37

    # A star makes a favourite, kept beside the settings (not in the image or the profile).
    user.open("re-show")
    user.star_tile(9)
    user.look("gallery-favourite")
    user.session.key("Escape", wid=user.dialog, delay=0.5)
    assert StylePicks(user.picks).favourites == [9]
    # And from the keyboard: * on the focused tile (the chosen style, 37, has the focus as the dialog opens).
    user.open("re-show")
    user.session.key("asterisk", wid=user.dialog, delay=0.8)
    user.look("gallery-favourite-by-key")
    user.session.key("Escape", wid=user.dialog, delay=0.5)
    assert StylePicks(user.picks).favourites == [9, 37]
    assert user.session.close() == 0
    assert "Traceback" not in user.session.log()


def test_offline_with_an_empty_cache(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", AILAB_PREVIEW_BASE=DEAD_PREVIEW_HOST)
    user = _user(gui_session, profile, env)
    user.open("menu")
    (shown,) = user.events("dialog-shown")
    assert shown["at"] - shown["started"] < 2.0, shown
    shot = user.look("gallery-offline")
    for slot in range(VISIBLE):
        left, top, _right, _bottom = slot_box(slot)
        assert shot.convert("RGB").getpixel((left + THUMB // 2, top + 4)) == PLACEHOLDER
    assert "gallery: 85 of 85 previews not shown (the preview host cannot be reached)" in user.session.log()
    user.ok()  # OK still works, with the default style
    user.result_then_undo(1)
    assert _styles(emu) == [1]
    assert user.session.close() == 0
    assert "Traceback" not in user.session.log()


# The caller opens the dialog with a template layer of another open image chosen (as a script
# may); the person clicks a tile, which is insensitive in template mode, and presses OK.
TEMPLATE_SESSION = "gallery_gui/template_layer.py"
TEMPLATE_THUMBNAIL = (610, 257)  # the chosen template's thumbnail, in the dialog


def test_warm_cache_with_the_host_down_and_a_template_layer(gui_session, make_gimp_profile, emu):
    profile = make_gimp_profile()
    home = profile.dir.host / "home"
    cache = PreviewCache(home / "cache" / "halloween-mask" / "previews" / "127.0.0.1-9")  # the dead host's folder
    for number in range(1, 86):
        cache.put(number, preview_jpeg(number))
    StylePicks(home / "favourite-styles.json").set_favourite(40, True)
    env = plugin_env(
        emu.base_url,
        f"{profile.home_inside}/settings.json",
        AILAB_PREVIEW_BASE=DEAD_PREVIEW_HOST,
        XDG_CACHE_HOME=f"{profile.home_inside}/cache",
    )
    user = _user(gui_session, profile, env, script=TEMPLATE_SESSION)
    user.session.flag("open-with-template")
    user.dialog = user.session.find_window(DIALOG_TITLE, timeout=30)
    user.session.move(user.dialog, *DIALOG_AT)
    user.session.wait_for(lambda: user.events("pictures"), "the previews", 30)
    time.sleep(0.5)
    ((pictures),) = user.events("pictures")
    assert pictures["shown"] == 85  # all from the cache: the host is down
    shot = user.look("gallery-template-layer")
    assert user.order()[0] == 40 and closest_style(shot, 0) == 40  # the favourite comes first
    user.session.xdotool("mousemove", "--window", user.dialog, *map(str, TEMPLATE_THUMBNAIL))
    time.sleep(1.5)
    user.session.screenshot("gallery-template-layer-name")  # the screen: the tooltip naming "my template"
    user.click_tile(5)  # insensitive: the template layer stays the choice
    user.ok()
    user.session.wait_for(lambda: user.session.report().get("seq") == 2, "the run", 60)
    report = user.session.report()
    assert report["status"] == "success" and report["names"][0] == "Halloween Mask (template)"
    ((task),) = emu.tasks.values()
    assert task.template_used and task.mask_style is None
    shutil.rmtree(home / "cache", ignore_errors=True)
    assert user.session.close() == 0
    assert "Traceback" not in user.session.log()


# The dialog's mnemonics in each language: (title, search, file source, layer source, built-in style, new image).
MNEMONICS = {
    "en": ("^Halloween Mask$", "g", "f", "m", "b", "i"),
    "de": ("^Halloween-Maske$", "f", "d", "l", "t", "b"),
}
LOCALES = {"en": {}, "de": {"LANG": "de_DE.UTF-8"}}
UNDO_HISTORY_TAB = (98, 261)  # in the image window: the left dock's third tab (GIMP's default layout)


@pytest.mark.parametrize("lang", MNEMONICS)
def test_the_keyboard_reaches_every_group_by_its_mnemonic(gui_session, make_gimp_profile, emu, lang):
    """Alt+letter picks the source, the placement and the search field; the screenshots show the underlines
    (Alt held) and the template layer's "Browse..." button at its normal size. The result, opened as a new
    image, has no undo steps of its own: Ctrl+Z in its window changes nothing."""
    title, search, file_source, layer_source, style_source, new_image = MNEMONICS[lang]
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", **LOCALES[lang])
    user = _user(gui_session, profile, env, script="gallery_gui/every_image.py")
    session = user.session
    user.dialog = user.open_from_filters_menu("h", title)
    session.wait_for(lambda: user.events("pictures"), "the previews", 30)
    time.sleep(0.5)
    session.focus(user.dialog)
    session.xdotool("mousemove", "1279", "799", "keydown", "alt")
    time.sleep(0.8)
    session.screenshot(f"dialog-mnemonics-{lang}", user.dialog)  # Alt held: every label's letter underlined
    session.xdotool("keyup", "alt")
    session.key(f"alt+{file_source}", wid=user.dialog, delay=0.8)
    session.screenshot(f"dialog-source-file-{lang}", user.dialog)
    session.key(f"alt+{layer_source}", wid=user.dialog, delay=0.8)
    session.screenshot(f"dialog-source-layer-{lang}", user.dialog)  # "Browse..." alone, no empty box
    if lang == "en":
        assert "dialog: Choose the template layer (OK waits for it)" in session.log()
    session.key(f"alt+{style_source}", f"alt+{new_image}", f"alt+{search}", wid=user.dialog, delay=0.5)
    session.xdotool("type", "--delay", "60", "12")
    time.sleep(0.8)
    session.screenshot(f"dialog-mnemonics-chosen-{lang}", user.dialog)
    user.ok()
    user.wait_for_results(1)
    ((task),) = emu.tasks.values()
    assert task.mask_style == 12 and not task.template_used  # Alt+B (de: Alt+T) went back to the built-in style

    # "New image" (Alt+I, de: Alt+B): the result is a new image; Ctrl+Z there undoes nothing of its making.
    def new_images() -> dict:
        session.flag("snap")
        report = session.wait_for(lambda: (r := session.report()).get("seq", 0) > user.seq and r, "a snapshot")
        user.seq = report["seq"]
        return {key: layers for key, layers in report["images"].items() if key != report["portrait"]}

    made = session.wait_for(new_images, "the new image", 30)
    ((layers),) = made.values()
    assert layers == [["Halloween Mask 12" if lang == "en" else "Halloween-Maske 12", True]], layers

    ((image_id),) = made
    shown = f"]-{image_id}."  # the image window shows it: "[Untitled]-4.0 (RGB ...) - GIMP"
    session.wait_for(lambda: shown in session.window_name(user.image_window), "the new image in the window", 20)
    session.key("ctrl+z", "ctrl+z", wid=user.image_window, delay=0.8)
    user.session.click(user.image_window, *UNDO_HISTORY_TAB)
    time.sleep(0.8)
    session.screenshot(f"new-image-undo-history-{lang}")  # the Undo History dock: only "[Base Image]"
    assert new_images() == made, "Ctrl+Z changed the new image: it carried undo steps"
    assert session.close() == 0
    assert "Traceback" not in session.log()
