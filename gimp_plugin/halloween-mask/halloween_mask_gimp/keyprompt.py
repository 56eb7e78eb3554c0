"""The small dialog that asks for the API key, and the check that keeps a refused key out of the settings.

``typed_key`` asks until AILabTools accepts a key (the free credits query) or the person cancels;
a refused key is never stored, and a cancelled prompt is a cancelled run (``PromptCancelled``),
not an error. Where the service cannot answer the check, the key is used for the run and saved
by the caller only once the run's own request succeeded with it.
"""

from __future__ import annotations

from collections.abc import Callable

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GimpUi", "3.0")
gi.require_version("Pango", "1.0")
from gi.repository import GimpUi, Gtk, Pango  # noqa: E402
from halloween_mask.errors import KEYS_URL, AuthError, HalloweenMaskError, UsageError  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402

from halloween_mask_gimp.log import log  # noqa: E402


class PromptCancelled(UsageError):
    """The person cancelled the key prompt: the run ends as cancelled, nothing was sent."""

    cancelled = True


def can_ask() -> bool:
    """Whether a dialog can be shown: not in a batch run of gimp-console, which has no display."""
    ok, _argv = Gtk.init_check(None)
    return ok


def typed_key(settings_file: str, problem: str | None, check: Callable[[str], None]) -> tuple[str, bool]:
    """Ask until a key passes ``check`` (raises ``AuthError`` for a refused key); returns (key, checked).

    ``checked`` is False when the service could not answer the check (the run itself will tell).
    Raises ``PromptCancelled`` when the person cancels.
    """
    while True:
        key = ask_api_key(settings_file, problem)
        if key is None:
            log("the API key prompt was cancelled: nothing was sent")
            raise PromptCancelled(_("No API key was entered, so nothing was sent."))
        try:
            check(key)
        except AuthError:
            log("the key typed in the prompt was refused by the service; it was not saved")
            problem = _(
                "AILabTools refused that key, so it was not saved (nothing was charged). Check it and try again."
            )
            continue
        except HalloweenMaskError as error:
            log(f"the typed key could not be checked now ({error.kind.name}); it is saved once a request succeeds")
            return key, False
        return key, True


def ask_api_key(settings_file: str, problem: str | None = None) -> str | None:
    """The key the person typed, or ``None`` if they cancelled; the entry is masked.

    ``problem`` (e.g. why the stored key was refused) is shown above the request.
    """
    dialog = GimpUi.Dialog(title=_("Halloween Mask: API key"), role="halloween-mask-api-key", modal=True)
    dialog.add_button(_("_Cancel"), Gtk.ResponseType.CANCEL)
    dialog.add_button(_("_OK"), Gtk.ResponseType.OK)
    dialog.set_default_response(Gtk.ResponseType.OK)

    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6, border_width=12)
    if problem:
        box.pack_start(_label(problem), False, False, 0)
    box.pack_start(
        _label(_("The AI Halloween Mask needs an AILabTools API key. Create one (or copy yours) at:")), False, False, 0
    )
    link = Gtk.LinkButton.new_with_label(KEYS_URL, KEYS_URL)  # one click opens it; never wrapped
    link.set_halign(Gtk.Align.START)
    box.pack_start(link, False, False, 0)
    stored = _("Once AILabTools accepts the key, it is stored only in {settings_file} (readable by you alone).")
    box.pack_start(_label(stored.format(settings_file=settings_file), selectable=True), False, False, 0)
    entry = Gtk.Entry(visibility=False, activates_default=True, width_chars=40)
    entry.set_placeholder_text(_("API key"))
    box.pack_start(entry, False, False, 6)
    show = Gtk.CheckButton.new_with_mnemonic(_("Sho_w the key"))
    show.connect("toggled", lambda button: entry.set_visibility(button.get_active()))
    box.pack_start(show, False, False, 0)
    dialog.get_content_area().pack_start(box, True, True, 0)
    dialog.show_all()
    entry.grab_focus()
    try:
        response = dialog.run()
        key = entry.get_text().strip()
    finally:
        dialog.destroy()
    return key if response == Gtk.ResponseType.OK and key else None


def _label(text: str, selectable: bool = False) -> Gtk.Label:
    return Gtk.Label(
        label=text,
        xalign=0.0,
        selectable=selectable,
        wrap=True,
        wrap_mode=Pango.WrapMode.WORD_CHAR,
        max_width_chars=60,
    )
