"""The small dialog that asks for the API key on a first interactive run."""

from __future__ import annotations

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GimpUi", "3.0")
gi.require_version("Pango", "1.0")
from gi.repository import GimpUi, Gtk, Pango  # noqa: E402
from halloween_mask.errors import KEYS_URL  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402


def can_ask() -> bool:
    """Whether a dialog can be shown: not in a batch run of gimp-console, which has no display."""
    ok, _argv = Gtk.init_check(None)
    return ok


def ask_api_key(settings_file: str, problem: str | None = None) -> str | None:
    """The key the person typed, or ``None`` if they cancelled; the entry is masked.

    ``problem`` (e.g. why the stored key was refused) is shown above the request.
    """
    dialog = GimpUi.Dialog(title=_("Halloween Mask: API key"), role="halloween-mask-api-key", modal=True)
    dialog.add_button(_("_Cancel"), Gtk.ResponseType.CANCEL)
    dialog.add_button(_("_OK"), Gtk.ResponseType.OK)
    dialog.set_default_response(Gtk.ResponseType.OK)

    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8, border_width=12)
    request = _(
        "The AI Halloween Mask needs an AILabTools API key.\n"
        "Create one at {keys_url}\n"
        "It is stored only in {settings_file} (readable by you alone)."
    ).format(keys_url=KEYS_URL, settings_file=settings_file)
    text = f"{problem}\n\n{request}" if problem else request
    label = Gtk.Label(
        label=text, xalign=0.0, selectable=True, wrap=True, wrap_mode=Pango.WrapMode.WORD_CHAR, max_width_chars=60
    )
    box.pack_start(label, False, False, 0)
    entry = Gtk.Entry(visibility=False, activates_default=True, width_chars=40)
    entry.set_placeholder_text(_("API key"))
    box.pack_start(entry, False, False, 0)
    show = Gtk.CheckButton.new_with_mnemonic(_("Sho_w the key"))
    show.connect("toggled", lambda button: entry.set_visibility(button.get_active()))
    box.pack_start(show, False, False, 0)
    dialog.get_content_area().pack_start(box, True, True, 0)
    dialog.show_all()
    try:
        response = dialog.run()
        key = entry.get_text().strip()
    finally:
        dialog.destroy()
    return key if response == Gtk.ResponseType.OK and key else None
