"""Put downloaded results into GIMP: new layers (or a layer group) over the source, or new images.

Two phases, so that a failure leaves the user's image and its undo history as they were:
first every result is loaded (a loaded layer is not yet part of the image, and a new image
is the plug-in's own), then the layers go over the source in one short undo group.

Results go where the uploaded part of the source was: the whole layer, or the part of it
around the selection (``part``); in that case each layer gets a mask made from the selection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gi.repository import Gimp, Gio
from halloween_mask.i18n import N_, _
from halloween_mask.placement import PARASITE_NAME, place_result
from halloween_mask.region import Box

from halloween_mask_gimp.selection import SelectedPart, add_selection_mask, layer_box

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


def insert_results(
    results: Labelled, image: Gimp.Image, source: Gimp.Layer, new_image: bool, part: SelectedPart | None = None
) -> list[Gimp.Layer]:
    """Place every download of one run, in order; returns the new layers.

    A result of the uploaded part's shape goes directly above the source, in its group, at
    that part's offsets and size; the results over the source stack in the service's order
    (the first on top and selected) and make one undo step. A result of another shape, a
    forced new image, or a source closed or deleted meanwhile gives a new image each; the
    source image is then untouched.
    """
    target = _target(image, source, part)
    loaded: list[Gimp.Layer] = []
    try:
        for name, provenance, path, size in results.layers():
            if target is not None and place_result((target.width, target.height), size, new_image).target == "layer":
                layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
            else:
                layer = _load_as_image(path)
            _label(layer, name, provenance)
            loaded.append(layer)
    except BaseException:
        _discard(loaded, image)
        raise
    over = [layer for layer in loaded if layer.get_image() == image]
    if over:
        with _undo_step(image):
            for layer in over:  # each one goes directly above the source, below the ones before it
                image.insert_layer(layer, source.get_parent(), image.get_item_position(source))
                _fit(layer, target, part)
            image.set_selected_layers(over[:1])
    return loaded


def insert_variants(
    variants: Sequence[Labelled], image: Gimp.Image, source: Gimp.Layer, part: SelectedPart | None = None
) -> list[Gimp.Layer]:
    """Place the results of several styles as one layer group; returns the groups made.

    The group "Halloween Mask variants" goes directly above the source in its parent, one
    layer per result in the order given (the first on top), each placed like a single run's
    layer, in one undo step. Results of another shape (a fixed aspect ratio the source does
    not have) go together into one new image, as the same kind of group, unmasked.
    """
    target = _target(image, source, part)
    here: list[Gimp.Layer] = []
    elsewhere: list[tuple[str, bytes, Path]] = []
    try:
        for variant in variants:
            for name, provenance, path, size in variant.layers():
                if target is not None and place_result((target.width, target.height), size).target == "layer":
                    layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
                    _label(layer, name, provenance)
                    here.append(layer)
                else:
                    elsewhere.append((name, provenance, path))
        groups = [_group_in_new_image(elsewhere)] if elsewhere else []
    except BaseException:
        _discard(here, image)
        raise
    if here:
        with _undo_step(image):
            group = Gimp.GroupLayer.new(image, _(VARIANTS_GROUP))
            image.insert_layer(group, source.get_parent(), image.get_item_position(source))
            for position, layer in enumerate(here):
                image.insert_layer(layer, group, position)
                _fit(layer, target, part)
            group.set_expanded(True)
            image.set_selected_layers([group])
        groups.insert(0, group)
    return groups


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


def _target(image: Gimp.Image, source: Gimp.Layer, part: SelectedPart | None) -> Box | None:
    """Where results over the source go (image pixels); ``None`` once the source is gone."""
    if not (image.is_valid() and source.is_valid()):
        return None
    return part.box if part else layer_box(source)


def _fit(layer: Gimp.Layer, target: Box, part: SelectedPart | None) -> None:
    """Size and place an inserted layer at ``target``; with a selected ``part``, mask it by the selection."""
    if (layer.get_width(), layer.get_height()) != (target.width, target.height):
        layer.scale(target.width, target.height, False)
    layer.set_offsets(target.x, target.y)
    if part is not None:  # the selection's own values, so feathered edges stay soft
        add_selection_mask(layer, part)


def _label(layer: Gimp.Layer, name: str, provenance: bytes) -> None:
    layer.set_name(name)
    layer.attach_parasite(Gimp.Parasite.new(PARASITE_NAME, Gimp.PARASITE_PERSISTENT, list(provenance)))


def _load_as_image(path: Path) -> Gimp.Layer:
    """A new untitled image holding the result (so "Save" does not aim at the temp file)."""
    image = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)
    try:
        image.undo_disable()
        layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
        image.resize(layer.get_width(), layer.get_height(), 0, 0)
        image.insert_layer(layer, None, 0)
        image.undo_enable()
    except BaseException:
        image.delete()
        raise
    return layer


def _group_in_new_image(entries: Sequence[tuple[str, bytes, Path]]) -> Gimp.Layer:
    """A new untitled image with a variants group of ``entries`` (first on top), sized to fit them."""
    image = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)
    try:
        image.undo_disable()
        group = Gimp.GroupLayer.new(image, _(VARIANTS_GROUP))
        image.insert_layer(group, None, 0)
        for position, (name, provenance, path) in enumerate(entries):
            layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
            _label(layer, name, provenance)
            image.insert_layer(layer, group, position)
        image.resize_to_layers()
        group.set_expanded(True)
        image.undo_enable()
    except BaseException:
        image.delete()
        raise
    return group


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
