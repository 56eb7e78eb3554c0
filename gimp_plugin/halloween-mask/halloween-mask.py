#!/usr/bin/env python3
"""AI Halloween Mask for GIMP 3: paints a Halloween mask over the face in the selected layer.

Filters > AI > Halloween Mask... exports the layer, sends it to the AILabTools service through
the shared ``halloween_mask`` client, and puts the result in a new layer above the source.
Filters > AI > Halloween Mask Variants... does that for several styles at once, into one group.
Both run on every selected layer; Filters > AI > Halloween Mask on All Open Images... runs the
first on the selected layers of every open image.
The API key is never a procedure argument: it comes from ``AILAB_API_KEY`` or the client's
0600 settings file, so it never reaches GIMP's last-values files or an XCF parasite.
"""

from __future__ import annotations

import gettext
import os
import sys
import time
import traceback
from collections.abc import Callable

# Bundled pure-Python dependencies and the shared client, placed here by the installer.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, GLib, GObject  # noqa: E402
from halloween_mask.cost import CREDITS_PER_MASK  # noqa: E402
from halloween_mask.errors import HalloweenMaskError  # noqa: E402
from halloween_mask.i18n import DOMAIN, _, use  # noqa: E402
from halloween_mask.styles import ASPECT_RATIOS, STYLES  # noqa: E402
from halloween_mask.variants import DEFAULT_IN_FLIGHT, MAX_STYLES  # noqa: E402
from halloween_mask_gimp import diagnostics, helppages, notice, runlog  # noqa: E402
from halloween_mask_gimp.batch import CONFIRM_ABOVE, BatchRun  # noqa: E402
from halloween_mask_gimp.history_run import PROC_NAME as HISTORY_PROC_NAME  # noqa: E402
from halloween_mask_gimp.history_run import create as create_history  # noqa: E402
from halloween_mask_gimp.kept import add_reuse_argument  # noqa: E402
from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.messages import user_message  # noqa: E402
from halloween_mask_gimp.registration import ANY_LAYERS, LAYERS, Call, add_result_layer, new_procedure  # noqa: E402
from halloween_mask_gimp.request import (  # noqa: E402
    SOURCE_FILE,
    SOURCE_LAYER,
    SOURCE_STYLE,
    TEMPLATE,
    Request,
    nick_of,
)
from halloween_mask_gimp.result import VARIANTS_GROUP  # noqa: E402
from halloween_mask_gimp.run import HalloweenMaskRun  # noqa: E402
from halloween_mask_gimp.targets import Selected, first_sendable, selected_everywhere, selected_in  # noqa: E402
from halloween_mask_gimp.variants import VariantsRun  # noqa: E402

PROC_NAME = "python-fu-halloween-mask"
VARIANTS_PROC_NAME = "python-fu-halloween-mask-variants"
IMAGES_PROC_NAME = "python-fu-halloween-mask-images"
RUNS = {PROC_NAME: HalloweenMaskRun, VARIANTS_PROC_NAME: VariantsRun, IMAGES_PROC_NAME: HalloweenMaskRun}
LOCALE_FOLDER = "locale"  # <lang>/LC_MESSAGES/halloween-mask.mo in this folder, compiled by the installer


class GimpTranslations(gettext.NullTranslations):
    """The plug-in's catalog as GIMP's gettext reads it once ``do_set_i18n`` has bound the domain,
    so every text follows the language GIMP itself speaks (its preference, else the system's)."""

    def gettext(self, message: str) -> str:
        return GLib.dgettext(DOMAIN, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return GLib.dngettext(DOMAIN, singular, plural, n)


use(GimpTranslations())  # the shared client's texts too


def _choice(entries: list[tuple[str, str, str]]) -> Gimp.Choice:
    choice = Gimp.Choice.new()
    for index, (nick, label, help_text) in enumerate(entries):
        choice.add(nick, index, label, help_text)
    return choice


def _ratio_nick(ratio: str) -> str:
    return ratio.replace(":", "x")  # "3:4" -> "3x4": nicks are plain words


class HalloweenMask(Gimp.PlugIn):
    def do_query_procedures(self) -> list[str]:
        helppages.register(self)  # the Help buttons open the plug-in's own pages (help/)
        return [PROC_NAME, VARIANTS_PROC_NAME, IMAGES_PROC_NAME, diagnostics.PROC_NAME, HISTORY_PROC_NAME]

    def do_set_i18n(self, name: str) -> tuple[bool, str, str]:
        return True, DOMAIN, LOCALE_FOLDER  # relative: GIMP wants a folder inside the plug-in's own

    def do_create_procedure(self, name: str) -> Gimp.Procedure:
        if name == HISTORY_PROC_NAME:
            return create_history(self, name)
        if name == diagnostics.PROC_NAME:
            return diagnostics.create(self, name)
        if name == VARIANTS_PROC_NAME:
            return _variants_procedure(self, name)
        if name == IMAGES_PROC_NAME:
            return _images_procedure(self, name)
        return _single_procedure(self, name)


def _single_procedure(plug_in: Gimp.PlugIn, name: str) -> Gimp.Procedure:
    procedure = new_procedure(plug_in, name, run, _("_Halloween Mask..."), LAYERS)
    procedure.set_documentation(
        _("Paint an AI Halloween mask over the face in the selected layer"),
        _(
            "Uploads the selected layer (or, with a selection, the part of it around the selection) to the "
            "AILabTools AI Halloween Mask service and puts the result in a new layer above it (or in a new image "
            "when the aspect ratio changes). The API key comes from AILAB_API_KEY or the Halloween Mask settings "
            "file; a first interactive run asks for it."
        ),
        name,
    )
    _add_single_arguments(procedure)
    add_result_layer(procedure)
    _add_failed_layers(procedure)
    return procedure


def _images_procedure(plug_in: Gimp.PlugIn, name: str) -> Gimp.Procedure:
    procedure = new_procedure(plug_in, name, run, _("Halloween Mask on _All Open Images..."), ANY_LAYERS, image=False)
    procedure.set_documentation(
        _("Paint an AI Halloween mask over the face in the selected layers of every open image"),
        _(
            "Does what Halloween Mask does for the selected layer(s) of every image GIMP has open, all requests "
            "at once; each image gets its results in one undo step. A layer that fails is named in a message "
            "(and returned, one per line) while the others get their results."
        ),
        name,
    )
    _add_single_arguments(procedure)
    _add_failed_layers(procedure)
    return procedure


def _add_single_arguments(procedure: Gimp.Procedure) -> None:
    """The single filter's arguments (also the all-images procedure's), in the order scripts pass them."""
    styles = [(nick_of(s.number), s.label, _("Mask style {number}").format(number=s.number)) for s in STYLES]
    # Scripts written before the source argument chose the template file with this entry.
    styles.append(
        (TEMPLATE, _("Template image file (as source 'file')"), _("Older scripts: the same as source 'file'"))
    )
    procedure.add_choice_argument(
        "mask-style",
        _("Mask st_yle"),
        _("Mask style 1-85 when the source is 'style' ('template' means source 'file', for older scripts)"),
        _choice(styles),
        "mask-1",
        GObject.ParamFlags.READWRITE,
    )
    procedure.add_file_argument(
        "template",
        _("_Template image"),
        _("Template image (JPEG, PNG, WEBP) when the source is 'file'"),
        Gimp.FileChooserAction.OPEN,
        True,
        None,
        GObject.ParamFlags.READWRITE,
    )
    _add_aspect_ratio(procedure)
    places = [
        ("auto", _("New layer abo_ve the source"), _("A new image only when the result has another shape")),
        ("new-image", _("New _image"), _("Always open the result as a new image")),
    ]
    procedure.add_choice_argument(
        "placement",
        _("Put the result in"),  # a radio frame: its title has no mnemonic, its buttons have
        _("Where the result goes"),
        _choice(places),
        "auto",
        GObject.ParamFlags.READWRITE,
    )
    _add_deadline(procedure)
    # Added after the older arguments, so scripts that pass arguments by position keep working.
    sources = [
        (SOURCE_STYLE, _("_Built-in style"), _("One of the 85 mask styles (mask-style)")),
        (SOURCE_FILE, _("Template image _file"), _("The mask in a template image file (template)")),
        (SOURCE_LAYER, _("Te_mplate layer"), _("The mask in a layer of an open image (template-layer)")),
    ]
    procedure.add_choice_argument(
        "source",
        _("Use"),  # a radio frame: its title has no mnemonic, its buttons have
        _("What the mask comes from: 'style', 'file' or 'layer'"),
        _choice(sources),
        SOURCE_STYLE,
        GObject.ParamFlags.READWRITE,
    )
    procedure.add_layer_argument(
        "template-layer",
        _("Template lay_er"),
        _("A layer of an open image whose picture is the template, when the source is 'layer'"),
        True,
        GObject.ParamFlags.READWRITE,
    )
    add_reuse_argument(procedure)


def _variants_procedure(plug_in: Gimp.PlugIn, name: str) -> Gimp.Procedure:
    procedure = new_procedure(plug_in, name, run, _("Halloween Mask _Variants..."), LAYERS)
    procedure.set_documentation(
        _("Paint several AI Halloween masks at once, as a layer group over the selected layer"),
        _(
            "Sends the selected layer (or the part around the selection) once per style, up to {most} styles, "
            '{at_once} at a time, and puts the results in one layer group "{group}" above it, '
            "one layer per style. Each style costs {credits} credits; a style that fails costs nothing and is "
            "named in a message."
        ).format(most=MAX_STYLES, at_once=DEFAULT_IN_FLIGHT, group=_(VARIANTS_GROUP), credits=CREDITS_PER_MASK),
        name,
    )
    procedure.add_string_argument(
        "mask-styles",
        _("Mask st_yles"),
        _('1 to {most} style numbers (1-85) separated by commas or spaces, e.g. "3, 7, 12"').format(most=MAX_STYLES),
        "1, 2, 3",
        GObject.ParamFlags.READWRITE,
    )
    _add_aspect_ratio(procedure)
    _add_deadline(procedure)
    add_reuse_argument(procedure)
    procedure.add_layer_return_value(
        "result-group",
        _("Result group"),
        _("The new layer group (its image may be a new one)"),
        True,
        GObject.ParamFlags.READWRITE,
    )
    procedure.add_string_return_value(
        "failed-styles",
        _("Failed styles"),
        _("One line per style that failed, with the reason (empty when all worked)"),
        "",
        GObject.ParamFlags.READWRITE,
    )
    _add_failed_layers(procedure)
    return procedure


def _add_failed_layers(procedure: Gimp.Procedure) -> None:
    procedure.add_string_return_value(
        "failed-layers",
        _("Failed layers"),
        _("One line per selected layer that got no result, with the reason (empty when all worked)"),
        "",
        GObject.ParamFlags.READWRITE,
    )


def _add_aspect_ratio(procedure: Gimp.Procedure) -> None:
    ratios = [(_ratio_nick(r), r, _("Aspect ratio {ratio}").format(ratio=r)) for r in ASPECT_RATIOS if r != "auto"]
    ratios.insert(0, ("auto", _("Auto (as the source)"), _("The aspect ratio of the source layer")))
    procedure.add_choice_argument(
        "aspect-ratio",
        _("_Aspect ratio"),
        _("Aspect ratio of the result"),
        _choice(ratios),
        "auto",
        GObject.ParamFlags.READWRITE,
    )


def _add_deadline(procedure: Gimp.Procedure) -> None:
    procedure.add_int_argument(
        "deadline",
        _("_Wait at most (seconds)"),
        _("Give up waiting for the service after this many seconds"),
        1,
        3600,
        600,
        GObject.ParamFlags.READWRITE,
    )


def run(call: Call) -> Gimp.ValueArray:
    """Filters > AI > Halloween Mask..., ...Variants... (the selected layer(s) of the image) or ...on All Open
    Images... (the selected layer(s) of every open image)."""
    if call.image is None:
        return _run(call.procedure, call.run_mode, call.config, selected_everywhere, every_image=True)
    image, drawables = call.image, call.drawables
    return _run(call.procedure, call.run_mode, call.config, lambda: selected_in(image, drawables), every_image=False)


@runlog.logged  # each run in the user's log file
def _run(
    procedure: Gimp.Procedure,
    run_mode: Gimp.RunMode,
    config: Gimp.ProcedureConfig,
    selection: Callable[[], list[Selected]],
    every_image: bool,
) -> Gimp.ValueArray:
    """Read the request (after the dialog when interactive), then do the work on this (the main) thread."""
    started = time.monotonic()
    runner = RUNS[procedure.get_name()]
    try:
        selected = selection()
        many = every_image or len(selected) != 1 or not selected[0].sendable  # one layer group: named, not sent
        layer = first_sendable(selected, every_image) if many else selected[0].drawable
        layers = sum(s.sendable for s in selected) if many else 1
        images = len({s.image.get_id() for s in selected if s.sendable}) or 1
        if run_mode == Gimp.RunMode.INTERACTIVE:
            from halloween_mask_gimp.dialog import show_dialog  # GimpUi only when there is a dialog

            chosen = show_dialog(
                procedure, config, started, layer=None if many else layer, layers=layers, images=images
            )
            if not chosen:
                return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
            if isinstance(chosen, Gimp.Layer):  # for a result, the dialog offers its source instead
                layer = chosen
        request = Request.read(config, run_mode, layer.get_image(), layer)
        if not _confirmed(request, layers):
            return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
        variants = procedure.get_name() == VARIANTS_PROC_NAME
        work = BatchRun(request, selected, variants=variants, per_image=every_image) if many else runner(request)
        outputs = work.apply()
    except HalloweenMaskError as error:
        if getattr(error, "cancelled", False):  # e.g. the key prompt cancelled: a cancelled run, not an error
            return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
        # The caller's fault (halloween_mask.errors): a CALLING_ERROR, else an EXECUTION_ERROR.
        status = Gimp.PDBStatusType.CALLING_ERROR if error.caller_fault else Gimp.PDBStatusType.EXECUTION_ERROR
        return procedure.new_return_values(status, GLib.Error(user_message(error)))  # sentence, then details
    except Exception as error:
        log(f"unexpected error:\n{traceback.format_exc()}")
        message = _("Halloween Mask failed unexpectedly ({error}). Your image was not changed.").format(
            error=f"{type(error).__name__}: {error}"
        )
        return procedure.new_return_values(Gimp.PDBStatusType.EXECUTION_ERROR, GLib.Error(message))
    finally:
        Gimp.progress_end()
    specs = procedure.get_return_values()
    outputs = (*outputs, *[""] * (len(specs) - len(outputs)))  # a one-layer run has no failed layers to return
    values = [GObject.Value(spec.value_type, value) for spec, value in zip(specs, outputs, strict=True)]
    return Gimp.ValueArray.new_from_values([GObject.Value(Gimp.PDBStatusType, Gimp.PDBStatusType.SUCCESS), *values])


def _confirmed(request: Request, layers: int) -> bool:
    """More than ten masks in a run with a user: asked once, with the total cost (a script is never asked)."""
    if request.has_ui and not notice.upload_agreed():  # the first run with a user: what is sent, once
        return False
    masks = layers * max(1, len(request.styles))
    if not request.has_ui or masks <= CONFIRM_ABOVE:
        return True
    from halloween_mask_gimp.confirm import confirm_masks  # GimpUi only when asking

    return confirm_masks(masks, layers)


Gimp.main(HalloweenMask.__gtype__, sys.argv)
