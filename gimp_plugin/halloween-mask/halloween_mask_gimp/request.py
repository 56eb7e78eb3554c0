"""What a run was asked to do, read once from the procedure's config and checked there.

``Request`` is frozen: the runners take it, and the dialogs (which only edit the config) share
this module's names with the run instead of importing it. The ``mask-<N>`` nicks of the style
choice and the older scripts' ``mask-style`` entry ``template`` are decoded here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from gi.repository import Gimp, Gio
from halloween_mask.errors import InvalidArgumentError, UsageError
from halloween_mask.i18n import _
from halloween_mask.styles import STYLE_COUNT
from halloween_mask.variants import parse_styles

TEMPLATE = "template"  # the mask-style nick older scripts use for "the template image file"
SOURCE_STYLE, SOURCE_FILE, SOURCE_LAYER = "style", "file", "layer"  # the source argument's nicks
SINGLE_STYLE, MANY_STYLES = "mask-style", "mask-styles"  # the single filter's choice, the variants' list
REUSE = "reuse"  # the procedures' last argument: FALSE makes a new mask even when one is kept


def nick_of(number: int) -> str:
    """The style choice's nick for style ``number``: 7 -> ``"mask-7"``."""
    return f"mask-{number}"


def number_of(nick: object) -> int | None:
    """The style number of a ``mask-<N>`` nick, ``None`` for anything else (e.g. ``template``)."""
    digits = nick.removeprefix("mask-") if isinstance(nick, str) else ""
    return int(digits) if digits.isdigit() and 1 <= int(digits) <= STYLE_COUNT else None


def mask_source(config: Gimp.ProcedureConfig) -> str:
    """The source argument; the older ``mask-style`` entry ``template`` (from scripts) means ``file``."""
    source = config.get_property("source")
    return SOURCE_FILE if source == SOURCE_STYLE and _legacy_template(config) else source


def explicit_source(config: Gimp.ProcedureConfig) -> None:
    """Rewrite an older script's ``mask-style`` ``template`` in the explicit form (for the dialog)."""
    if _legacy_template(config):
        config.set_property("source", mask_source(config))
        config.set_property(SINGLE_STYLE, nick_of(1))


def _legacy_template(config: Gimp.ProcedureConfig) -> bool:
    return config.get_property(SINGLE_STYLE) == TEMPLATE


def source_layer(drawables: list[Gimp.Drawable], title: str) -> Gimp.Layer:
    """The one layer a run works on, or a ``UsageError`` naming the filter (``title``)."""
    if len(drawables) != 1 or not isinstance(drawables[0], Gimp.Layer):
        raise UsageError(_("Select exactly one layer, then run {name} again.").format(name=title))
    return drawables[0]


@dataclass(frozen=True)
class Request:
    """One run's whole input: the layer to send, the style(s) or template, and the options."""

    image: Gimp.Image
    layer: Gimp.Layer  # the source: what is sent, and what the results go over
    source: str  # where the mask comes from: SOURCE_STYLE, SOURCE_FILE or SOURCE_LAYER
    styles: tuple[int, ...]  # the style numbers in order; empty when a template is the source
    template_file: Gio.File | None
    template_layer: Gimp.Layer | None
    aspect_ratio: str  # "auto" or "W:H"
    deadline: float  # seconds
    new_image: bool  # the results always open as a new image
    has_ui: bool  # dialogs and windows allowed (interactive runs and Repeat)
    reuse: bool = True  # a kept result of the same request is re-used (free) instead of paying again

    @property
    def style(self) -> int | None:
        """The one style of a single run, ``None`` for a template."""
        return self.styles[0] if self.styles else None

    @classmethod
    def read(
        cls, config: Gimp.ProcedureConfig, run_mode: Gimp.RunMode, image: Gimp.Image, layer: Gimp.Layer
    ) -> Request:
        """The request the config holds (either filter's), checked; a ``UsageError`` says what is wrong."""
        common = dict(
            image=image,
            layer=layer,
            aspect_ratio=config.get_property("aspect-ratio").replace("x", ":"),
            deadline=float(config.get_property("deadline")),
            has_ui=run_mode != Gimp.RunMode.NONINTERACTIVE,
            reuse=bool(config.get_property(REUSE)) if config.find_property(REUSE) is not None else True,
        )
        if config.find_property(MANY_STYLES) is not None:
            return cls(
                source=SOURCE_STYLE,
                styles=_styles(config.get_property(MANY_STYLES)),
                template_file=None,
                template_layer=None,
                new_image=False,
                **common,
            )
        source = mask_source(config)
        template_file = config.get_property("template")
        template_layer = config.get_property("template-layer")
        if source == SOURCE_FILE and (template_file is None or not template_file.query_exists(None)):
            raise UsageError(_("The mask comes from a template image file: choose an existing template image file."))
        if source == SOURCE_LAYER and (template_layer is None or not template_layer.is_valid()):
            raise UsageError(
                _("The mask comes from a template layer: choose a layer of an open image as the template.")
            )
        given = template_file is not None or template_layer is not None
        if run_mode == Gimp.RunMode.NONINTERACTIVE and source == SOURCE_STYLE and given:
            raise UsageError(
                _(
                    "A template was given but the source is 'style', so it would be ignored: "
                    "set source to 'file' or 'layer' (or give no template)."
                )
            )
        number = number_of(config.get_property(SINGLE_STYLE))
        return cls(
            source=source,
            styles=(number,) if source == SOURCE_STYLE and number else (),
            template_file=template_file if source == SOURCE_FILE else None,
            template_layer=template_layer if source == SOURCE_LAYER else None,
            new_image=config.get_property("placement") == "new-image",
            **common,
        )


def _styles(text: str) -> tuple[int, ...]:
    try:
        return parse_styles(text)
    except InvalidArgumentError as error:
        problem = error.detail[0].upper() + error.detail[1:]
        raise UsageError(_("Mask styles: {problem} Nothing was sent.").format(problem=problem)) from None
