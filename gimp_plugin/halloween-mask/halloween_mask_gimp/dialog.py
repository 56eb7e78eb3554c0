"""The filters' dialogs: GimpUi's ProcedureDialog built from the procedure's arguments.

Widget types are chosen here, not left to ``fill``: GIMP 3.2 draws a choice of three or fewer
entries as radio buttons where 3.0 draws a combo box, and the dialog should look the same in
both. Long lists are combo boxes; "Put the result in" (two places) is a radio frame, so both
places are visible and one click apart, as 3.2 shows it by default.

The variants dialog adds a line under the arguments with what the typed styles will cost,
updated as they are typed; OK stays greyed out while the list is not valid.
"""

from __future__ import annotations

import re

import gi

gi.require_version("GimpUi", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gimp, GimpUi, Gtk  # noqa: E402
from halloween_mask.cost import cost_line  # noqa: E402
from halloween_mask.errors import InvalidArgumentError  # noqa: E402
from halloween_mask.i18n import ngettext  # noqa: E402
from halloween_mask.variants import parse_styles  # noqa: E402

COMBO_BOXES = ("mask-style", "aspect-ratio")
RADIO_FRAMES = ("placement",)
STYLES_ARGUMENT = "mask-styles"
MNEMONIC = re.compile(r"\(_\w\)")  # a mnemonic in brackets, as Japanese and Chinese labels put it: "(_H)"


def show_dialog(procedure: Gimp.Procedure, config: Gimp.ProcedureConfig) -> bool:
    """Show the dialog until it is answered; ``True`` for OK, ``False`` for Cancel."""
    GimpUi.init(procedure.get_name())
    dialog = GimpUi.ProcedureDialog.new(procedure, config, dialog_title(procedure.get_menu_label()))
    for names, widget in ((COMBO_BOXES, Gtk.ComboBox), (RADIO_FRAMES, GimpUi.IntRadioFrame)):
        for name in names:
            if config.find_property(name) is not None:  # the variants procedure has no style choice or placement
                dialog.get_widget(name, widget)
    dialog.fill(None)
    if config.find_property(STYLES_ARGUMENT) is not None:
        _add_cost_line(dialog, config)
    try:
        return dialog.run()
    finally:
        dialog.destroy()


def dialog_title(menu_label: str) -> str:
    """The menu label without its mnemonic or dots: "_Halloween Mask..." -> "Halloween Mask"."""
    return MNEMONIC.sub("", menu_label).replace("_", "").rstrip(" .\u2026")


def _add_cost_line(dialog: GimpUi.ProcedureDialog, config: Gimp.ProcedureConfig) -> None:
    """A label that says "3 styles (3, 7, 12): OK costs 45 credits at most", or what is wrong, as the user types."""
    label = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=56, margin_top=6)
    dialog.get_content_area().pack_start(label, False, False, 0)

    def update(*_args: object) -> None:
        try:
            styles = parse_styles(config.get_property(STYLES_ARGUMENT))
        except InvalidArgumentError as error:
            label.set_text(error.detail[0].upper() + error.detail[1:])
            dialog.set_response_sensitive(Gtk.ResponseType.OK, False)
            return
        count = len(styles)
        text = ngettext(
            "{count} style ({styles}): {cost} at most; a style that fails costs nothing.",
            "{count} styles ({styles}): {cost} at most; a style that fails costs nothing.",
            count,
        )
        label.set_text(text.format(count=count, styles=", ".join(map(str, styles)), cost=cost_line(count)))
        dialog.set_response_sensitive(Gtk.ResponseType.OK, True)

    config.connect(f"notify::{STYLES_ARGUMENT}", update)
    update()
    label.show()
