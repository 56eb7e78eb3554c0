"""What a run works on: the selected layers of one image, or of every open image, and which can be sent.

A layer group or an empty layer (every pixel transparent) cannot be sent: it is named with the
reason and skipped, never uploaded. Messages name a layer as GIMP's Layers dock does, and an
image as its window title does ("portrait.png-2").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gi

gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402
from halloween_mask.errors import UsageError  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402


@dataclass(frozen=True)
class Selected:
    """One selected drawable of ``image``; ``reason`` says why it cannot be sent (``None``: it can)."""

    image: Gimp.Image
    drawable: Gimp.Drawable
    reason: str | None

    @property
    def sendable(self) -> bool:
        return self.reason is None


def selected_in(image: Gimp.Image, drawables: Sequence[Gimp.Drawable]) -> list[Selected]:
    """``drawables`` of ``image`` (in the order given), each with why it cannot be sent, if so."""
    return [Selected(image, drawable, why_not_sent(drawable)) for drawable in drawables]


def selected_everywhere() -> list[Selected]:
    """The selected layers of every image GIMP has open (displayed or not), oldest image first."""
    images = sorted(Gimp.get_images(), key=lambda image: image.get_id())
    return [entry for image in images for entry in selected_in(image, image.get_selected_layers())]


def first_sendable(selected: Sequence[Selected], every_image: bool) -> Gimp.Layer:
    """The first layer of a many-layer run that can be sent; a ``UsageError`` naming each one when none can."""
    for entry in selected:
        if entry.sendable:
            return entry.drawable
    if not selected and every_image:
        raise UsageError(_("No open image has a selected layer: select a layer, then run it again."))
    if not selected:
        raise UsageError(_("No layer is selected: select one or more layers, then run it again."))
    lines = "\n".join(f"{layer_label(entry.drawable)}: {entry.reason}" for entry in selected)
    raise UsageError(_("None of the selected layers can be sent, so nothing was sent:") + "\n" + lines)


def why_not_sent(drawable: Gimp.Drawable) -> str | None:
    """Why ``drawable`` cannot be sent ("a layer group", "an empty layer" ...), ``None`` when it can."""
    if not isinstance(drawable, Gimp.Layer):
        return _("not a layer (a mask or a channel): select the layer itself")
    if drawable.is_group():
        return _("a layer group: select the layers inside it")
    if _empty(drawable):
        return _("an empty layer: it has nothing to see")
    return None


def _empty(layer: Gimp.Layer) -> bool:
    """Whether every pixel of ``layer`` is fully transparent."""
    if not layer.has_alpha():
        return False
    rectangle = Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height())
    alpha = layer.get_buffer().get(rectangle, 1.0, "A u8", Gegl.AbyssPolicy.NONE)
    return not bytes(alpha).strip(b"\0")


def image_label(image: Gimp.Image) -> str:
    """The image as its window title names it: "portrait.png-2"."""
    return f"{image.get_name()}-{image.get_id()}"


def layer_label(drawable: Gimp.Drawable) -> str:
    """The layer as a message names it: 'IMG_0042'."""
    return f"'{drawable.get_name()}'"
