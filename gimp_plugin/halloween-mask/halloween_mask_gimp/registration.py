"""What every procedure of the plug-in registers alike: a Filters ▸ AI menu entry and the attribution.

    procedure = new_procedure(plug_in, name, run, _("Halloween Mask Hi_story..."), ANY_LAYERS)
    procedure.set_documentation(blurb, help_text, name)  # then its own texts, arguments and return values

An image procedure (``image=True``, the default) gets GIMP's image and selected drawables and takes
images of every type; any other gets ``run-mode`` as its first argument, as GIMP's own procedures
name it. Either way ``run`` is called with one ``Call``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, GObject  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402

_MASK = Gimp.ProcedureSensitivityMask
LAYERS = _MASK.DRAWABLE | _MASK.DRAWABLES  # one layer or several: each selected layer gets its own result
ANY_LAYERS = LAYERS | _MASK.NO_DRAWABLES  # also with no layer selected
ALWAYS = _MASK.ALWAYS  # also without an image


@dataclass(frozen=True)
class Call:
    """One call of a procedure: its config, and for an image procedure the image and selected drawables."""

    procedure: Gimp.Procedure
    run_mode: Gimp.RunMode
    config: Gimp.ProcedureConfig
    image: Gimp.Image | None = None
    drawables: Sequence[Gimp.Drawable] = ()


def new_procedure(
    plug_in: Gimp.PlugIn,
    name: str,
    run: Callable[[Call], Gimp.ValueArray],
    label: str,
    sensitivity: Gimp.ProcedureSensitivityMask,
    *,
    image: bool = True,
) -> Gimp.Procedure:
    """A procedure named ``name`` under Filters ▸ AI with its menu ``label`` (with a mnemonic)."""
    if image:
        procedure = Gimp.ImageProcedure.new(
            plug_in,
            name,
            Gimp.PDBProcType.PLUGIN,
            lambda proc, run_mode, picture, drawables, config, _data: run(
                Call(proc, run_mode, config, picture, tuple(drawables))
            ),
            None,
        )
        procedure.set_image_types("*")
    else:
        procedure = Gimp.Procedure.new(
            plug_in,
            name,
            Gimp.PDBProcType.PLUGIN,
            lambda proc, config, _data: run(Call(proc, config.get_property("run-mode"), config)),
            None,
        )
    procedure.set_sensitivity_mask(sensitivity)
    procedure.set_menu_label(label)
    procedure.add_menu_path(f"<Image>/Filters/{_('AI')}")  # GIMP translates "Filters" itself
    procedure.set_attribution("AI Halloween Mask contributors", "GPL-3.0-or-later", "2026")
    if not image:
        procedure.add_enum_argument(
            "run-mode",
            "Run mode",  # as GIMP's own procedures name it
            "The run mode",
            Gimp.RunMode,
            Gimp.RunMode.INTERACTIVE,
            GObject.ParamFlags.READWRITE,
        )
    return procedure


def add_result_layer(procedure: Gimp.Procedure) -> None:
    """The return value ``result-layer`` of the procedures that make one new layer."""
    procedure.add_layer_return_value(
        "result-layer",
        _("Result layer"),
        _("The new layer (its image may be a new one)"),
        True,
        GObject.ParamFlags.READWRITE,
    )
