"""Thumbnails of kept results: made with GdkPixbuf (no Pillow in GIMP's Python) and stored in the history.

A stored thumbnail is its pixels as they are, deflated (``thumbnail_bytes``): reading a thousand
back needs no image loader (GdkPixbuf's loaders run in a sandboxed process each in newer GIMPs,
where a thousand PNGs take seconds). A run stores the result layer's own thumbnail as it keeps the
result (``keep_thumbnail``), so the history dialog shows it at once.
"""

from __future__ import annotations

import struct
import zlib

import gi

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, Gimp, GLib  # noqa: E402
from halloween_mask.history import History  # noqa: E402

from halloween_mask_gimp.log import log  # noqa: E402

THUMB = 128  # pixels, the longer side
RAW = b"HMT1"  # a stored thumbnail's first bytes: raw pixels follow (see ``thumbnail_bytes``)
PLACEHOLDER_RGBA = 0x3A3440FF


def keep_thumbnail(history: History | None, entry_id: int | None, layer: Gimp.Drawable) -> None:
    """Store ``layer``'s thumbnail with its history entry (nothing without a history or an entry)."""
    if history is None or entry_id is None or not layer.is_valid():
        return
    try:
        pixbuf = layer.get_thumbnail(THUMB, THUMB, Gimp.PixbufTransparency.SMALL_CHECKS)
    except (GLib.Error, TypeError) as error:
        log(f"no thumbnail for history entry {entry_id}: {error}")
        return
    if pixbuf is not None:
        history.set_thumbnail(entry_id, thumbnail_bytes(pixbuf))


def thumbnail_bytes(pixbuf: GdkPixbuf.Pixbuf) -> bytes:
    """A thumbnail as the history stores it: its pixels as they are, deflated (read back without any image
    loader: GdkPixbuf's loaders run in a sandboxed process each in newer GIMPs, a thousand of them take seconds)."""
    head = struct.pack(">HHIB", pixbuf.get_width(), pixbuf.get_height(), pixbuf.get_rowstride(), pixbuf.get_has_alpha())
    return RAW + head + zlib.compress(pixbuf.get_pixels(), 1)


def thumbnail_pixbuf(data: bytes) -> GdkPixbuf.Pixbuf | None:
    """The pixbuf of a stored thumbnail (``thumbnail_bytes``, or an image file); ``None`` if unreadable."""
    if not data.startswith(RAW):
        return decode(data)
    try:
        width, height, rowstride, alpha = struct.unpack_from(">HHIB", data, len(RAW))
        pixels = zlib.decompress(data[len(RAW) + struct.calcsize(">HHIB") :])
    except (struct.error, zlib.error):
        return None
    channels = 4 if alpha else 3
    if not (0 < width <= 4 * THUMB and 0 < height <= 4 * THUMB) or rowstride < width * channels:
        return None
    if len(pixels) < rowstride * (height - 1) + width * channels:
        return None
    return GdkPixbuf.Pixbuf.new_from_bytes(
        GLib.Bytes.new(pixels), GdkPixbuf.Colorspace.RGB, bool(alpha), 8, width, height, rowstride
    )


def decode(data: bytes, size: int = 0) -> GdkPixbuf.Pixbuf | None:
    """A pixbuf of image ``data`` (scaled to fit ``size`` while decoding, when given); ``None`` if unreadable."""
    loader = GdkPixbuf.PixbufLoader()
    if size:
        loader.connect("size-prepared", _fit, size)
    try:
        loader.write(data)
        loader.close()
    except GLib.Error:
        return None
    return loader.get_pixbuf()


def _fit(loader: GdkPixbuf.PixbufLoader, width: int, height: int, size: int) -> None:
    scale = min(1.0, size / max(width, height, 1))
    loader.set_size(max(1, round(width * scale)), max(1, round(height * scale)))


def placeholder() -> GdkPixbuf.Pixbuf:
    pixbuf = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, THUMB, THUMB)
    pixbuf.fill(PLACEHOLDER_RGBA)
    return pixbuf
