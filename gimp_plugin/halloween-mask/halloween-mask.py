#!/usr/bin/env python3
"""AI Halloween Mask for GIMP 3: paints a Halloween mask over the face in the selected layer.

Filters > AI > Halloween Mask... exports the layer, sends it to the AILabTools service through
the shared ``halloween_mask`` client, and puts the result in a new layer above the source.
The API key is never a procedure argument: it comes from ``AILAB_API_KEY`` or the client's
0600 settings file, so it never reaches GIMP's last-values files or an XCF parasite.
"""

from __future__ import annotations

import os
import sys
import traceback

# Bundled pure-Python dependencies and the shared client, placed here by the installer.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, GLib, GObject  # noqa: E402
from halloween_mask.errors import HalloweenMaskError, SettingsError  # noqa: E402
from halloween_mask.styles import ASPECT_RATIOS, STYLES  # noqa: E402
from halloween_mask_gimp.run import LOG_PREFIX, TEMPLATE, HalloweenMaskRun, UsageError  # noqa: E402

PROC_NAME = "python-fu-halloween-mask"


def _choice(entries: list[tuple[str, str, str]]) -> Gimp.Choice:
    choice = Gimp.Choice.new()
    for index, (nick, label, help_text) in enumerate(entries):
        choice.add(nick, index, label, help_text)
    return choice


def _ratio_nick(ratio: str) -> str:
    return ratio.replace(":", "x")  # "3:4" -> "3x4": nicks are plain words


class HalloweenMask(Gimp.PlugIn):
    def do_query_procedures(self) -> list[str]:
        return [PROC_NAME]

    def do_set_i18n(self, name: str) -> bool:
        return False

    def do_create_procedure(self, name: str) -> Gimp.Procedure:
        procedure = Gimp.ImageProcedure.new(self, name, Gimp.PDBProcType.PLUGIN, run, None)
        procedure.set_image_types("*")
        procedure.set_sensitivity_mask(Gimp.ProcedureSensitivityMask.DRAWABLE)
        procedure.set_menu_label("_Halloween Mask...")
        procedure.add_menu_path("<Image>/Filters/AI")
        procedure.set_documentation(
            "Paint an AI Halloween mask over the face in the selected layer",
            "Uploads the selected layer to the AILabTools AI Halloween Mask service and puts the result "
            "in a new layer above it (or in a new image when the aspect ratio changes). The API key comes "
            "from AILAB_API_KEY or the Halloween Mask settings file; a first interactive run asks for it.",
            name,
        )
        procedure.set_attribution("AI Halloween Mask contributors", "GPL-3.0-or-later", "2026")

        styles = [(f"mask-{s.number}", s.label, f"Mask style {s.number}") for s in STYLES]
        styles.append((TEMPLATE, "Use a template image", "Use the mask in the template image file"))
        procedure.add_choice_argument(
            "mask-style",
            "Mask st_yle",
            "Mask style 1-85, or 'template'",
            _choice(styles),
            "mask-1",
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_file_argument(
            "template",
            "_Template image",
            "Template image (JPEG, PNG, WEBP) when the style is 'template'",
            Gimp.FileChooserAction.OPEN,
            True,
            None,
            GObject.ParamFlags.READWRITE,
        )
        ratios = [
            (_ratio_nick(r), "Auto (as the source)" if r == "auto" else r, f"Aspect ratio {r}") for r in ASPECT_RATIOS
        ]
        procedure.add_choice_argument(
            "aspect-ratio",
            "_Aspect ratio",
            "Aspect ratio of the result",
            _choice(ratios),
            "auto",
            GObject.ParamFlags.READWRITE,
        )
        places = [
            ("auto", "New layer above the source", "A new image only when the result has another shape"),
            ("new-image", "New image", "Always open the result as a new image"),
        ]
        procedure.add_choice_argument(
            "placement",
            "Put the result in",  # a radio frame: its title has no mnemonic
            "Where the result goes",
            _choice(places),
            "auto",
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_int_argument(
            "deadline",
            "_Wait at most (seconds)",
            "Give up waiting for the service after this many seconds",
            1,
            3600,
            600,
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_layer_return_value(
            "result-layer",
            "Result layer",
            "The new layer (its image may be a new one)",
            True,
            GObject.ParamFlags.READWRITE,
        )
        return procedure


def run(
    procedure: Gimp.Procedure,
    run_mode: Gimp.RunMode,
    image: Gimp.Image,
    drawables: list[Gimp.Drawable],
    config: Gimp.ProcedureConfig,
    data: object,
) -> Gimp.ValueArray:
    """Validate, show the dialog when interactive, then do the work on this (the main) thread."""
    try:
        if len(drawables) != 1 or not isinstance(drawables[0], Gimp.Layer):
            raise UsageError("Select exactly one layer, then run Halloween Mask again.")
        if run_mode == Gimp.RunMode.INTERACTIVE:
            from halloween_mask_gimp.dialog import show_dialog  # GimpUi only when there is a dialog

            if not show_dialog(procedure, config):
                return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
        layer = HalloweenMaskRun(config, run_mode).apply(image, drawables[0])
    except UsageError as error:
        return _failure(procedure, Gimp.PDBStatusType.CALLING_ERROR, str(error))
    except Exception as error:
        if isinstance(error, SettingsError):
            return _failure(procedure, Gimp.PDBStatusType.CALLING_ERROR, str(error))
        if isinstance(error, HalloweenMaskError):
            return _failure(procedure, Gimp.PDBStatusType.EXECUTION_ERROR, str(error))
        sys.stderr.write(f"{LOG_PREFIX} unexpected error:\n{traceback.format_exc()}")
        sys.stderr.flush()
        message = f"Halloween Mask failed unexpectedly ({type(error).__name__}: {error}). Your image was not changed."
        return _failure(procedure, Gimp.PDBStatusType.EXECUTION_ERROR, message)
    finally:
        Gimp.progress_end()
    return Gimp.ValueArray.new_from_values(
        [GObject.Value(Gimp.PDBStatusType, Gimp.PDBStatusType.SUCCESS), GObject.Value(Gimp.Layer, layer)]
    )


def _failure(procedure: Gimp.Procedure, status: Gimp.PDBStatusType, message: str) -> Gimp.ValueArray:
    return procedure.new_return_values(status, GLib.Error(message))


Gimp.main(HalloweenMask.__gtype__, sys.argv)
