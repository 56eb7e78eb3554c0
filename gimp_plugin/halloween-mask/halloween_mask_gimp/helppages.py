"""The plug-in's own help: a help domain of pages shipped in the plug-in folder, opened offline.

``register`` (from ``do_query_procedures``) names the folder ``help/``; GIMP's help system reads
``help/<language>/gimp-help.xml`` (English when the user's language has none) to map a help id to
a page. A procedure's help id is its name, so the Help button of its ProcedureDialog opens the
page about that dialog; the plug-in's own dialogs add a Help button (and F1) with ``connect``.
"""

from __future__ import annotations

from pathlib import Path

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, Gio  # noqa: E402

HELP_DOMAIN = "io.github.halloween_mask.gimp.help"
HELP_FOLDER = Path(__file__).resolve().parents[1] / "help"
NOTICE_HELP_ID = "halloween-mask-upload-notice"  # the upload notice's page (privacy.html)


def register(plug_in: Gimp.PlugIn) -> None:
    """Register the help domain; only inside ``do_query_procedures``, as GIMP wants."""
    plug_in.set_help_domain(HELP_DOMAIN, Gio.File.new_for_path(str(HELP_FOLDER)))


def show(help_id: str) -> None:
    """Open the page for ``help_id`` (GIMP takes the calling plug-in's domain)."""
    from halloween_mask_gimp.log import log

    log(f"help: {help_id}")
    Gimp.help(None, help_id)


def connect(dialog: object, help_id: str) -> None:
    """A Help button and F1 on one of the plug-in's own dialogs (a ``GimpUi.Dialog``) that open ``help_id``."""
    gi.require_version("Gtk", "3.0")
    from gi.repository import Gtk

    def on_response(widget: Gtk.Dialog, response: int) -> None:
        if response == Gtk.ResponseType.HELP:
            widget.stop_emission_by_name("response")  # the dialog stays open
            show(help_id)

    dialog.add_button(_help_label(), Gtk.ResponseType.HELP)  # type: ignore[attr-defined]
    dialog.connect("response", on_response)  # type: ignore[attr-defined]
    f1_opens(dialog, help_id)


def f1_opens(dialog: object, help_id: str) -> None:
    """F1 anywhere in one of the plug-in's own dialogs opens ``help_id``'s page, once. (GIMP's ProcedureDialog
    answers F1 itself in 3.0.4; in 3.2.6 F1 never reaches it, not even such a handler: measured.)"""
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk

    def on_key(widget: object, event: Gdk.EventKey) -> bool:
        if event.keyval in (Gdk.KEY_F1, Gdk.KEY_KP_F1):
            show(help_id)
            return True
        return False

    dialog.connect("key-press-event", on_key)  # type: ignore[attr-defined]


def _help_label() -> str:
    from halloween_mask.i18n import _

    return _("_Help")
