"""Host-side helpers for the GUI tests: reaching the plug-in's dialogs the way a person does."""

from __future__ import annotations

import time
from pathlib import Path

from gui_runner import GuiSession

DIALOG_AT = (280, 60)  # where a dialog is moved to: all of it on the 1280x800 screen
POINTER_AWAY = ("1279", "799")  # the screen's bottom right corner: no tooltip over a dialog


def place_window(session: GuiSession, title: str, timeout: float = 30.0, at: tuple[int, int] = DIALOG_AT) -> str:
    """Wait for the window titled ``title`` (a regex) and move it to ``at``; returns its id.

    There is no window manager: dialogs open at 0,0, over the image window's menu bar.
    """
    window = session.find_window(title, timeout=timeout)
    session.move(window, *at)
    return window


def open_from_filters_menu(
    session: GuiSession, image_window: str, mnemonic: str, title: str, shot: str = "menu"
) -> str:
    """Filters ▸ AI ▸ the entry with ``mnemonic`` (AI is the last Filters entry); returns the dialog.

    Alt+R is the Filters menu's mnemonic on 3.0 and 3.2 and in every language tested (F10 opens no
    menu on 3.2). In the AI submenu the entry is picked by its mnemonic (H for Halloween Mask…, V
    for Halloween Mask Variants…), as GIMP sorts the entries by label. The open menu is saved as
    the screenshot ``shot``.
    """
    session.key("alt+r", wid=image_window, delay=0.8)
    session.key("Up", delay=0.3)
    session.key("Right", delay=0.8)
    session.screenshot(shot)
    session.key(mnemonic, delay=0.5)
    return place_window(session, title)


def image_window_ready(session: GuiSession, timeout: float = 90.0) -> str:
    """The image window, once GIMP has shown it and loaded its docks and brushes."""
    window = session.image_window(timeout=timeout)
    time.sleep(2)  # docks and brushes are still loading
    return window


def scripted_dialog(session: GuiSession, flag: str, title: str, at: tuple[int, int] = DIALOG_AT) -> str:
    """Set ``flag`` (the GIMP-side script then opens a dialog), place the window titled ``title`` at
    ``at`` and raise it above the image window; returns its id."""
    session.flag(flag)
    dialog = place_window(session, title, timeout=60, at=at)
    session.xdotool("windowraise", dialog)
    return dialog


def shoot(session: GuiSession, name: str, wid: str | None = None, settle: float = 0.3) -> Path:
    """A screenshot with the pointer out of the way (no tooltip, no hover highlight)."""
    session.xdotool("mousemove", *POINTER_AWAY)
    time.sleep(settle)
    return session.screenshot(name, wid)
