"""Put downloaded results into GIMP: new layers over the source, or new images.

Two phases, so that a failure leaves the user's image and its undo history as they were:
first every result is loaded (a loaded layer is not yet part of the image, and a new image
is the plug-in's own), then the layers go over the source in one short undo group.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gi.repository import Gimp, Gio
from halloween_mask.placement import PARASITE_NAME, place_result


def insert_results(
    results: Sequence[tuple[Path, tuple[int, int]]],
    image: Gimp.Image,
    source: Gimp.Layer,
    name: str,
    provenance: bytes,
    new_image: bool,
) -> list[Gimp.Layer]:
    """Place every (file, size) result, in order; returns the new layers.

    A result of the source's shape goes directly above the source, in its group, at its offsets
    and size; the results over the source stack in the service's order (the first on top and
    selected) and make one undo step. A result of another shape, a forced new image, or a
    source closed or deleted meanwhile gives a new image; the source image is then untouched.
    Later results are named "<name> #2", "#3", ...
    """
    over_source = image.is_valid() and source.is_valid()
    source_size = (source.get_width(), source.get_height()) if over_source else (0, 0)
    loaded: list[Gimp.Layer] = []
    try:
        for number, (path, size) in enumerate(results, start=1):
            label = name if number == 1 else f"{name} #{number}"
            if over_source and place_result(source_size, size, new_image).target == "layer":
                layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, _gfile(path))
            else:
                layer = _load_as_image(path)
            layer.set_name(label)
            layer.attach_parasite(Gimp.Parasite.new(PARASITE_NAME, Gimp.PARASITE_PERSISTENT, list(provenance)))
            loaded.append(layer)
    except BaseException:
        _discard(loaded, image)
        raise
    _insert_over(image, source, [layer for layer in loaded if layer.get_image() == image])
    return loaded


def _insert_over(image: Gimp.Image, source: Gimp.Layer, layers: list[Gimp.Layer]) -> None:
    """Insert ``layers`` (loaded into ``image``) above ``source`` as one undo step."""
    if not layers:
        return
    _ok, x, y = source.get_offsets()
    width, height = source.get_width(), source.get_height()
    Gimp.context_push()
    image.undo_group_start()
    try:
        Gimp.context_set_interpolation(Gimp.InterpolationType.CUBIC)
        for layer in layers:  # each one goes directly above the source, below the ones before it
            image.insert_layer(layer, source.get_parent(), image.get_item_position(source))
            if (layer.get_width(), layer.get_height()) != (width, height):
                layer.scale(width, height, False)
            layer.set_offsets(x, y)
        image.set_selected_layers(layers[:1])
    finally:
        image.undo_group_end()
        Gimp.context_pop()


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
