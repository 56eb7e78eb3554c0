"""Host-side helpers for the GUI tests: reaching the plug-in's dialogs the way a person does."""

from __future__ import annotations

from gimp_runner import GuiSession

DIALOG_AT = (280, 60)  # where a dialog is moved to: all of it on the 1280x800 screen


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
