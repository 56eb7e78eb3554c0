"""The upload notice in GIMP: the first run with a user says once what is sent, to whom, and what it costs.

Continue is remembered in the settings file (``halloween_mask.notice``); Cancel sends nothing and
asks again next time. Runs without a user (scripts) are never asked.
"""

from __future__ import annotations

import gi
from halloween_mask import notice
from halloween_mask.i18n import _

from halloween_mask_gimp import helppages
from halloween_mask_gimp.log import log


def upload_agreed() -> bool:
    """``True`` if the notice was agreed to before, or now; ``False`` (send nothing) on Cancel."""
    if notice.seen():
        return True
    gi.require_version("Gtk", "3.0")
    gi.require_version("GimpUi", "3.0")
    gi.require_version("Pango", "1.0")
    from gi.repository import GimpUi, Gtk, Pango  # only when asking: scripts never load GimpUi

    GimpUi.init("halloween-mask")  # Repeat Last shows no dialog before this one
    dialog = GimpUi.Dialog(title=_("Halloween Mask: before anything is sent"), role="halloween-mask-notice", modal=True)
    helppages.connect(dialog, helppages.NOTICE_HELP_ID)
    dialog.add_button(_("_Cancel"), Gtk.ResponseType.CANCEL)
    dialog.add_button(_("C_ontinue"), Gtk.ResponseType.OK)
    dialog.set_default_response(Gtk.ResponseType.OK)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=10, border_width=12)
    for paragraph in notice.paragraphs():
        label = Gtk.Label(label=paragraph, xalign=0.0, wrap=True, wrap_mode=Pango.WrapMode.WORD, max_width_chars=64)
        box.pack_start(label, False, False, 0)
    dialog.get_content_area().pack_start(box, True, True, 0)
    dialog.show_all()
    log("notice: shown before the first upload")
    try:
        agreed = dialog.run() == Gtk.ResponseType.OK
    finally:
        dialog.destroy()
    log(f"notice: {'continue' if agreed else 'cancel'}")
    if agreed:
        notice.remember()
    return agreed
