"""The filter's dialog: GimpUi's ProcedureDialog built from the procedure's arguments.

Widget types are chosen here, not left to ``fill``: GIMP 3.2 draws a choice of three or fewer
entries as radio buttons where 3.0 draws a combo box, and the dialog should look the same in
both. Long lists are combo boxes; "Put the result in" (two places) is a radio frame, so both
places are visible and one click apart, as 3.2 shows it by default.
"""

from __future__ import annotations

import gi

gi.require_version("GimpUi", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gimp, GimpUi, Gtk  # noqa: E402

COMBO_BOXES = ("mask-style", "aspect-ratio")
RADIO_FRAMES = ("placement",)


def show_dialog(procedure: Gimp.Procedure, config: Gimp.ProcedureConfig) -> bool:
    """Show the dialog until it is answered; ``True`` for OK, ``False`` for Cancel."""
    GimpUi.init(procedure.get_name())
    dialog = GimpUi.ProcedureDialog.new(procedure, config, "Halloween Mask")
    for name in COMBO_BOXES:
        dialog.get_widget(name, Gtk.ComboBox)
    for name in RADIO_FRAMES:
        dialog.get_widget(name, GimpUi.IntRadioFrame)
    dialog.fill(None)
    try:
        return dialog.run()
    finally:
        dialog.destroy()
