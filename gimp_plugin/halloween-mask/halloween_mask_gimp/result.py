"""Put downloaded results into GIMP: new layers (or a layer group) over the source, or new images.

Two phases, so that a failure leaves the user's image and its undo history as they were:
first every result is loaded (a loaded layer is not yet part of the image, and a new image
is the plug-in's own), then the layers go over the source in one short undo group
(``insert_results`` does both; a run over many layers loads each layer's results while the
others are still at the service, and places them all at the end).

Results go where the uploaded part of the source was: the whole layer, or the part of it
around the selection (``part``); in that case each layer gets a mask made from the selection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from gi.repository import Gimp, Gio
from halloween_mask.i18n import N_
from halloween_mask.placement import place_result
from halloween_mask.region import Box

from halloween_mask_gimp.colour import keep_transparency
from halloween_mask_gimp.provenance import group_record, label, made_over
from halloween_mask_gimp.selection import SelectedPart, add_selection_mask, layer_box

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11

VARIANTS_GROUP = N_("Halloween Mask variants")  # the group's name, in the user's language

Downloads = Sequence[tuple[Path, tuple[int, int]]]  # (file, (width, height)), in the service's order


@dataclass(frozen=True)
class Labelled:
    """What one style (or template) gave: its layer name, provenance parasite and downloads."""

    name: str
    provenance: bytes
    downloads: Downloads

    def layers(self) -> list[tuple[str, bytes, Path, tuple[int, int]]]:
        """(layer name, provenance, file, size) per download: later ones are "<name> #2", "#3", ..."""
        return [
            (self.name if number == 1 else f"{self.name} #{number}", self.provenance, path, size)
            for number, (path, size) in enumerate(self.downloads, start=1)
        ]


class Where(TypedDict, total=False):
    """Where results go, besides over their source: ``insert_results``' and ``load_results``' options."""

    new_image: bool  # always as new images
    group: str | None  # into one new layer group of this name
    part: SelectedPart | None  # the uploaded part around the selection (masked by it), not the whole layer


@dataclass
class Loaded:
    """Results loaded for ``source`` (layers of ``image`` not inserted yet, or new images): the first phase."""

    results: Sequence[Labelled]
    image: Gimp.Image
    source: Gimp.Layer
    target: Box | None
    new_image: bool
    group: str | None
    part: SelectedPart | None
    made: list[Gimp.Layer]  # in order; those in ``image`` are loaded but not yet inserted

    def discard(self) -> None:
        """Drop what was loaded (a run that ends before placing it)."""
        _discard([layer for layer in self.made if layer.is_valid()], self.image)


def insert_results(
    results: Sequence[Labelled], image: Gimp.Image, source: Gimp.Layer, **where: Unpack[Where]
) -> list[Gimp.Layer]:
    """Place every download of ``results`` over ``source``; returns what was made, in order.

    A result of the uploaded part's shape goes into the source's parent, directly above the
    topmost earlier result over the same source (else directly above the source), at that
    part's offsets and size, masked by the selection kept in ``part`` if any; all of them make
    one undo step and stack in the order given (the first on top). The source stays selected
    (with any layers selected with it), so the next run and Repeat send it again. With
    ``group`` (a name), they go into one new layer group of that name instead, and the groups
    are returned. Each result and group names the source in its provenance.
    A result of another shape, a forced ``new_image``, or a source closed or deleted meanwhile
    opens as a new image (one per result; with ``group``, one image holding such a group, its
    layers unmasked); the source image is then untouched.
    """
    return place_results(load_results(results, image, source, **where))


def load_results(
    results: Sequence[Labelled],
    image: Gimp.Image,
    source: Gimp.Layer,
    *,
    new_image: bool = False,
    group: str | None = None,
    part: SelectedPart | None = None,
) -> Loaded:
    """The first phase of ``insert_results``: every download loaded, nothing in ``image`` changed yet."""
    target = _target(image, source, part)
    shape = (target.width, target.height) if target is not None else None
    made: list[Gimp.Layer] = []
    try:
        elsewhere: list[tuple[str, bytes, Path]] = []
        for result in results:
            for name, provenance, path, size in result.layers():
                if shape is not None and place_result(shape, size, new_image).target == "layer":
                    layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
                    label(layer, name, provenance, source)
                    made.append(layer)
                elif group is None:
                    made.append(_image_of([(name, provenance, path)]))
                else:
                    elsewhere.append((name, provenance, path))
        if elsewhere:
            made.append(_image_of(elsewhere, group))
    except BaseException:
        _discard(made, image)
        raise
    return Loaded(results, image, source, target, new_image, group, part, made)


def place_results(loaded: Loaded) -> list[Gimp.Layer]:
    """The second phase of ``insert_results``: the loaded layers over their source, one undo step.

    A source closed or deleted since the loading gets its results as new images instead.
    """
    image, source, target, part, group, made = (
        loaded.image,
        loaded.source,
        loaded.target,
        loaded.part,
        loaded.group,
        loaded.made,
    )
    over = [layer for layer in made if layer.get_image() == image]
    if not over:
        return made
    if _target(image, source, part) is None:  # gone while the results were loaded
        loaded.discard()
        return insert_results(loaded.results, image, source, new_image=True, group=group, part=part)
    selected = image.get_selected_layers()
    if not any(layer.get_id() == source.get_id() for layer in selected):
        selected = [source]  # e.g. a result was selected and the dialog's offer of its source was taken
    with _undo_step(image):
        parent, position = source.get_parent(), _above_earlier_results(image, source)
        if group is not None:
            holder = Gimp.GroupLayer.new(image, group)
            label(holder, group, group_record([result.provenance for result in loaded.results]), source)
            image.insert_layer(holder, parent, position)
            parent, position = holder, 0
        for layer in reversed(over):  # each one above the ones after it
            image.insert_layer(layer, parent, position)
            _fit(layer, target, part, source)
        if group is not None:
            holder.set_expanded(True)
            made = [holder, *(layer for layer in made if layer.get_image() != image)]
        image.set_selected_layers(selected)  # the source(s): the next run, and Repeat, send them again
    return made


@contextlib.contextmanager
def _undo_step(image: Gimp.Image) -> Iterator[None]:
    """One undo group, with cubic interpolation for the scaling inside it."""
    Gimp.context_push()
    image.undo_group_start()
    try:
        Gimp.context_set_interpolation(Gimp.InterpolationType.CUBIC)
        yield
    finally:
        image.undo_group_end()
        Gimp.context_pop()


def _above_earlier_results(image: Gimp.Image, source: Gimp.Layer) -> int:
    """The position in the source's parent directly above the topmost earlier result over ``source``
    (a layer or variants group whose provenance names it), or directly above the source."""
    parent = source.get_parent()
    siblings = parent.get_children() if parent is not None else image.get_layers()
    position = image.get_item_position(source)
    earlier = [index for index, item in enumerate(siblings[:position]) if made_over(item, source)]
    return earlier[0] if earlier else position


def _target(image: Gimp.Image, source: Gimp.Layer, part: SelectedPart | None) -> Box | None:
    """Where results over the source go (image pixels); ``None`` once the source is gone."""
    if not (image.is_valid() and source.is_valid()):
        return None
    return part.box if part else layer_box(source)


def _fit(layer: Gimp.Layer, target: Box, part: SelectedPart | None, source: Gimp.Layer) -> None:
    """Size and place an inserted layer at ``target``; with a selected ``part``, mask it by the selection."""
    if (layer.get_width(), layer.get_height()) != (target.width, target.height):
        layer.scale(target.width, target.height, False)
    layer.set_offsets(target.x, target.y)
    keep_transparency(layer, source)  # a service may drop the alpha channel
    if part is not None:  # the selection's own values, so feathered edges stay soft
        add_selection_mask(layer, part)


def _image_of(entries: Sequence[tuple[str, bytes, Path]], group: str | None = None) -> Gimp.Layer:
    """A new untitled image (so "Save" does not aim at a temp file) holding ``entries`` (the first on
    top), sized to fit them; returns its one layer, or with ``group`` the layer group holding them."""
    image = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)
    try:
        image.undo_disable()
        parent = None
        if group is not None:
            parent = Gimp.GroupLayer.new(image, group)
            image.insert_layer(parent, None, 0)
        for position, (name, provenance, path) in enumerate(entries):
            layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
            label(layer, name, provenance)
            image.insert_layer(layer, parent, position)
        image.resize_to_layers()
        if parent is not None:
            parent.set_expanded(True)
        image.undo_enable()
    except BaseException:
        image.delete()
        raise
    return parent or layer


def _discard(layers: list[Gimp.Layer], image: Gimp.Image) -> None:
    """Drop what a failed run loaded: layers never inserted into ``image``, and new images."""
    for layer in layers:
        owner = layer.get_image()
        if owner == image:
            layer.delete()  # loaded but not inserted: not part of the image, no undo step
        else:
            owner.delete()


def _gfile(path: Path) -> Gio.File:
    return Gio.File.new_for_path(str(path))
