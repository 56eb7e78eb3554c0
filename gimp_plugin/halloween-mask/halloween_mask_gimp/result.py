"""Put a downloaded result into GIMP: a new layer over the source, or a new image."""

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
    """``insert_result`` for every (path, size) result, in order; returns the new layers.

    Over the source they stack in the service's order, the first on top and selected, and
    make one undo step together. Later results are named "<name> #2", "#3", ...
    """
    grouped = len(results) > 1 and image.is_valid()
    if grouped:
        image.undo_group_start()
    try:
        layers = [
            insert_result(path, size, image, source, name if number == 1 else f"{name} #{number}", provenance,
                          new_image)
            for number, (path, size) in enumerate(results, start=1)
        ]
        if grouped and layers[0].get_image() == image:
            image.set_selected_layers([layers[0]])
    finally:
        if grouped:
            image.undo_group_end()
    return layers


def insert_result(
    path: Path,
    size: tuple[int, int],
    image: Gimp.Image,
    source: Gimp.Layer,
    name: str,
    provenance: bytes,
    new_image: bool,
) -> Gimp.Layer:
    """Place the ``size`` result in ``path``; returns the new layer (in ``image`` or a new image).

    Over the source: directly above it in the same group, at its offsets, scaled to its size,
    all of it one undo step. A result of another shape, a forced new image, or a source that
    was closed or deleted meanwhile gives a new image instead; the source image is then untouched.
    """
    gfile = Gio.File.new_for_path(str(path))
    if image.is_valid() and source.is_valid():
        placement = place_result((source.get_width(), source.get_height()), size, new_image)
        if placement.target == "layer":
            return _insert_over(gfile, image, source, name, provenance)
    return _open_as_image(gfile, name, provenance)


def _insert_over(gfile: Gio.File, image: Gimp.Image, source: Gimp.Layer, name: str, provenance: bytes) -> Gimp.Layer:
    _ok, x, y = source.get_offsets()
    width, height = source.get_width(), source.get_height()
    Gimp.context_push()
    image.undo_group_start()
    try:
        Gimp.context_set_interpolation(Gimp.InterpolationType.CUBIC)
        layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, gfile)
        layer.set_name(name)
        image.insert_layer(layer, source.get_parent(), image.get_item_position(source))
        if (layer.get_width(), layer.get_height()) != (width, height):
            layer.scale(width, height, False)
        layer.set_offsets(x, y)
        layer.attach_parasite(_parasite(provenance))
        image.set_selected_layers([layer])
    finally:
        image.undo_group_end()
        Gimp.context_pop()
    return layer


def _open_as_image(gfile: Gio.File, name: str, provenance: bytes) -> Gimp.Layer:
    image = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)  # untitled: "Save" must not aim at the temp file
    image.undo_disable()
    layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image, gfile)
    image.resize(layer.get_width(), layer.get_height(), 0, 0)
    image.insert_layer(layer, None, 0)
    layer.set_name(name)
    layer.attach_parasite(_parasite(provenance))
    image.undo_enable()
    return layer


def _parasite(provenance: bytes) -> Gimp.Parasite:
    return Gimp.Parasite.new(PARASITE_NAME, Gimp.PARASITE_PERSISTENT, list(provenance))
