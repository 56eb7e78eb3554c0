"""Filters ▸ AI ▸ Halloween Mask Diagnostics…: the ``halloween-mask doctor`` report from inside GIMP.

GIMP's and its Python's versions, the profile and the plug-in folder come first, then the shared
report (``halloween_mask.diagnostics``). The dialog has Copy, Test connection (the only thing that
sends anything, and only to the configured endpoint) and Help. Called from a script, the report is
the procedure's return value (with the connection test when ``connect`` is true).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, GLib, GObject  # noqa: E402
from halloween_mask import diagnostics  # noqa: E402
from halloween_mask.about import home_as_tilde, python_line  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402

from halloween_mask_gimp import helppages  # noqa: E402
from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.registration import ALWAYS, Call, new_procedure  # noqa: E402
from halloween_mask_gimp.runlog import gimp_line  # noqa: E402

PROC_NAME = "python-fu-halloween-mask-diagnostics"
PLUGIN_FOLDER = Path(__file__).resolve().parents[1]
MANIFEST = "INSTALLED.json"  # written by the installer beside the plug-in


def create(plug_in: Gimp.PlugIn, name: str) -> Gimp.Procedure:
    procedure = new_procedure(plug_in, name, run, _("Halloween Mask _Diagnostics..."), ALWAYS, image=False)
    procedure.set_documentation(
        _("Show a report to paste into a bug report about Halloween Mask"),
        _(
            "Versions of GIMP, its Python and the plug-in, the profile and plug-in folder, the settings in use "
            "(never the key) and the log's last lines; Test connection asks the configured endpoint for the "
            "credits (free). Nothing else is sent anywhere."
        ),
        name,
    )
    procedure.add_boolean_argument(
        "connect",
        _("Test the connection"),
        _("Include the connection test (name resolution, TLS, the free credits query)"),
        False,
        GObject.ParamFlags.READWRITE,
    )
    procedure.add_string_return_value(
        "report", _("Report"), _("The diagnostics report"), "", GObject.ParamFlags.READWRITE
    )
    return procedure


def gimp_section() -> diagnostics.Section:
    """What only GIMP knows: its version and Python, the profile, the plug-in folder and the installed version."""
    try:
        installed = json.loads((PLUGIN_FOLDER / MANIFEST).read_text(encoding="utf-8")).get("version", "?")
    except (OSError, ValueError):
        installed = "no manifest (not installed by the installer)"
    return "GIMP", [
        gimp_line(),
        python_line(),
        f"profile: {home_as_tilde(Gimp.directory())}",
        f"plug-in folder: {home_as_tilde(str(PLUGIN_FOLDER))} (installed version: {installed})",
        f"language: {', '.join(GLib.get_language_names()[:3])}",
    ]


def report(connect: bool) -> str:
    return diagnostics.report(before=[gimp_section()], connect=connect)


def run(call: Call) -> Gimp.ValueArray:
    try:
        if call.run_mode == Gimp.RunMode.NONINTERACTIVE:
            text = report(connect=call.config.get_property("connect"))
        else:
            text = _show(report(connect=False))
    except Exception as error:  # a report must never end in a traceback
        message = f"the diagnostics could not be made ({type(error).__name__}: {error})"
        return call.procedure.new_return_values(Gimp.PDBStatusType.EXECUTION_ERROR, GLib.Error(message))
    status = GObject.Value(Gimp.PDBStatusType, Gimp.PDBStatusType.SUCCESS)
    return Gimp.ValueArray.new_from_values([status, GObject.Value(GObject.TYPE_STRING, text)])


def _show(text: str) -> str:
    """The dialog: the report, Copy, Test connection, Help and Close; returns the report as last shown."""
    gi.require_version("Gdk", "3.0")
    gi.require_version("Gtk", "3.0")
    gi.require_version("GimpUi", "3.0")
    from gi.repository import Gdk, GimpUi, Gtk

    GimpUi.init("halloween-mask")
    dialog = GimpUi.Dialog(title=_("Halloween Mask Diagnostics"), role="halloween-mask-diagnostics")
    helppages.connect(dialog, PROC_NAME)
    dialog.add_button(_("_Close"), Gtk.ResponseType.CLOSE)
    buffer = Gtk.TextBuffer(text=text)
    view = Gtk.TextView(buffer=buffer, editable=False, monospace=True, wrap_mode=Gtk.WrapMode.WORD_CHAR)
    scrolled = Gtk.ScrolledWindow(min_content_width=720, min_content_height=420)
    scrolled.add(view)
    copy = Gtk.Button.new_with_mnemonic(_("Cop_y"))
    test = Gtk.Button.new_with_mnemonic(_("_Test connection"))
    status = Gtk.Label(label=_("Nothing is sent anywhere unless you press Test connection."), xalign=0.0)
    buttons = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=6)
    buttons.pack_start(copy, False, False, 0)
    buttons.pack_start(test, False, False, 0)
    buttons.pack_start(status, True, True, 6)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8, border_width=12)
    box.pack_start(scrolled, True, True, 0)
    box.pack_start(buttons, False, False, 0)
    dialog.get_content_area().pack_start(box, True, True, 0)

    def on_copy(_button: Gtk.Button) -> None:
        clipboard = Gtk.Clipboard.get(Gdk.SELECTION_CLIPBOARD)
        clipboard.set_text(buffer.props.text, -1)
        clipboard.store()
        status.set_text(_("The report is on the clipboard."))
        log("diagnostics: copied")

    def on_test(_button: Gtk.Button) -> None:
        test.set_sensitive(False)
        status.set_text(_("Testing the connection..."))

        def work() -> None:
            try:
                new = report(connect=True)
            except Exception as error:  # shown, never raised on the worker
                new = f"{buffer.props.text}\nconnection test failed: {type(error).__name__}: {error}\n"
            GLib.idle_add(done, new)

        threading.Thread(target=work, name="halloween-mask-connection-test", daemon=True).start()

    def done(new: str) -> bool:
        buffer.set_text(new)
        test.set_sensitive(True)
        status.set_text(_("Connection tested."))
        log("diagnostics: connection tested")
        return False

    copy.connect("clicked", on_copy)
    test.connect("clicked", on_test)
    dialog.show_all()
    log("diagnostics: shown")
    try:
        while dialog.run() == Gtk.ResponseType.HELP:
            pass  # (the Help button keeps the dialog open)
        return buffer.props.text
    finally:
        dialog.destroy()
