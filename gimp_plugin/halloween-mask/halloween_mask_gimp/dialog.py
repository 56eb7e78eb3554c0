"""The filter's dialog: GimpUi's ProcedureDialog built from the procedure's arguments."""

from __future__ import annotations

import gi

gi.require_version("GimpUi", "3.0")
from gi.repository import Gimp, GimpUi  # noqa: E402


def show_dialog(procedure: Gimp.Procedure, config: Gimp.ProcedureConfig) -> bool:
    """Show the dialog until it is answered; ``True`` for OK, ``False`` for Cancel."""
    GimpUi.init(procedure.get_name())
    dialog = GimpUi.ProcedureDialog.new(procedure, config, "Halloween Mask")
    dialog.fill(None)
    try:
        return dialog.run()
    finally:
        dialog.destroy()
