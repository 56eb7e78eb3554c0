"""What a run over many layers will cost, said before OK, and one question before more than ten masks.

The question is asked once, in runs that have a user (the dialog's OK, Filters ▸ Repeat Last);
a script's run is never asked.
"""

from __future__ import annotations

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GimpUi", "3.0")
from gi.repository import GimpUi, Gtk  # noqa: E402
from halloween_mask.cost import CREDITS_PER_MASK, cost_line  # noqa: E402
from halloween_mask.i18n import _, ngettext  # noqa: E402

from halloween_mask_gimp.log import log  # noqa: E402


def layers_text(layers: int, images: int = 1) -> str:
    """ "3 layers", or "14 layers in 12 images"."""
    if images > 1:
        return ngettext("{layers} layer in {images} images", "{layers} layers in {images} images", layers).format(
            layers=layers, images=images
        )
    return ngettext("{layers} layer", "{layers} layers", layers).format(layers=layers)


def run_cost_text(layers: int, images: int = 1) -> str:
    """ "3 layers · OK costs 45 credits" before OK; just "OK costs 15 credits" for one layer."""
    if layers == 1 and images == 1:
        return cost_line()
    return _("{layers} · {cost}").format(layers=layers_text(layers, images), cost=cost_line(layers))


def confirm_masks(masks: int, layers: int) -> bool:
    """Ask whether to make ``masks`` masks over ``layers`` layers; ``True`` to go on (nothing is sent otherwise)."""
    credits = masks * CREDITS_PER_MASK
    dialog = GimpUi.Dialog(title=_("Halloween Mask: many masks"), role="halloween-mask-confirm", modal=True)
    dialog.add_button(_("_Cancel"), Gtk.ResponseType.CANCEL)
    dialog.add_button(_("_Make them"), Gtk.ResponseType.OK)
    dialog.set_default_response(Gtk.ResponseType.OK)
    question = ngettext(
        "This run makes {masks} masks on {layers} layer and costs {credits} credits.",
        "This run makes {masks} masks on {layers} layers and costs {credits} credits.",
        layers,
    ).format(masks=masks, layers=layers, credits=credits)
    text = question + "\n" + _("A mask that fails costs nothing.")
    label = Gtk.Label(label=text, xalign=0.0, wrap=True, max_width_chars=50)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8, border_width=12)
    box.pack_start(label, False, False, 0)
    dialog.get_content_area().pack_start(box, True, True, 0)
    dialog.show_all()
    log(f"confirm: {question}")
    try:
        return dialog.run() == Gtk.ResponseType.OK
    finally:
        dialog.destroy()
