"""Recognise JPEG, PNG and WEBP by their bytes, read their size and check they are whole, without Pillow.

The GIMP plug-in runs on GIMP's own Python, which has no Pillow, so the pre-flight checks that
guard every upload read headers by hand: just enough to know format, width and height. Downloads
are untrusted, so ``check_complete`` also walks the file's structure to its end marker (a file cut
short on the way is caught before anyone tries to decode it), refuses more than ``MAX_PIXELS`` from
the header alone (a decompression bomb is never decoded), and inflates a PNG's image data without
keeping it (a broken zlib stream, or one holding fewer or more pixels than the header says, is
caught although every chunk's checksum is right).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import DamagedImageError, NotAnImageError  # defined with the other errors, raised here
from .i18n import _

# Limits as documented, read strictly so that either reading of "10 MB" and "less than 4096x4096"
# passes: under 10,000,000 bytes and at most 4095 px on each side.
MAX_UPLOAD_BYTES = 10_000_000
MAX_SIDE = 4095
# The most pixels any image is decoded with (an upload scaled down, a result, a preview): about
# 256 MB as RGBA. Checked from the header, before any decoding.
MAX_PIXELS = 64_000_000
INFLATE_STEP = 1 << 20  # bytes of a PNG's pixel data inflated at a time (then dropped)
_FEED = 1 << 16  # bytes of a PNG's compressed data fed to the inflater at a time

MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg", "png" or "webp"
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def sniff_format(data: bytes) -> str | None:
    """``"jpeg"``, ``"png"``, ``"webp"`` by magic bytes, or ``None``."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_image_info(data: bytes) -> ImageInfo:
    """Format and pixel size of an encoded image; ``NotAnImageError`` if unreadable."""
    fmt = sniff_format(data)
    try:
        if fmt == "png":
            width, height = _png_size(data)
        elif fmt == "jpeg":
            width, height = _jpeg_size(data)
        elif fmt == "webp":
            width, height = _webp_size(data)
        else:
            raise NotAnImageError("not a JPEG, PNG or WEBP image")
    except (struct.error, IndexError) as exc:  # a read past the end of the data
        raise DamagedImageError(f"damaged {fmt.upper()} header: the data ends too soon") from exc
    if width <= 0 or height <= 0:
        raise NotAnImageError(f"{fmt.upper()} header gives an empty image")
    return ImageInfo(fmt, width, height)


def check_complete(data: bytes) -> ImageInfo:
    """``read_image_info``, and also that the file is whole; ``DamagedImageError`` if it is not.

    PNG: every chunk fits and its CRC matches, up to IEND, and the image data inflates to exactly
    the pixels the header announces. JPEG: the scans end with the EOI marker. WEBP: the data is as
    long as the RIFF header says, and its chunks fit in it. Bytes after the end are ignored, as
    decoders do (some encoders append trailers). An image of more than ``MAX_PIXELS`` is a
    ``NotAnImageError`` before anything is inflated or decoded.
    """
    info = read_image_info(data)
    if info.width * info.height > MAX_PIXELS:
        raise NotAnImageError(
            f"the image is {info.width}x{info.height} px ({info.width * info.height / 1e6:,.0f} MP), over the"
            f" {MAX_PIXELS / 1e6:.0f} MP an image may have here; it was not decoded"
        )
    try:
        _END_CHECKS[info.format](data)
    except (struct.error, IndexError) as exc:
        raise DamagedImageError(f"the {info.format.upper()} data ends too soon") from exc
    if info.format == "png":
        _png_inflates(data)
    return info


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise NotAnImageError("PNG without an IHDR chunk")
    return struct.unpack(">II", data[16:24])


def _png_end(data: bytes) -> None:
    view = memoryview(data)  # CRCs over the chunks without copying them
    pos = 8
    while True:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise DamagedImageError(f"the PNG ends inside its {kind.decode('latin-1')} chunk, before IEND")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(view[pos + 4 : end - 4]) != crc:
            raise DamagedImageError(f"the PNG's {kind.decode('latin-1')} chunk is damaged (CRC mismatch)")
        if kind == b"IEND":
            return
        pos = end


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey+alpha, RGBA
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _png_raw_size(data: bytes) -> int:
    """The bytes a PNG's image data must inflate to: every row of every pass with its filter byte."""
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if colour not in _PNG_CHANNELS or depth not in (1, 2, 4, 8, 16) or interlace not in (0, 1):
        raise NotAnImageError(f"the PNG's header is not valid (colour type {colour}, bit depth {depth})")
    bits = _PNG_CHANNELS[colour] * depth
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + -(-(columns * bits) // 8))
    return total


def _png_inflates(data: bytes) -> None:
    """The IDAT chunks' zlib stream ends where it should, with exactly the header's pixels, none kept."""
    expected = _png_raw_size(data)
    view = memoryview(data)
    inflate = zlib.decompressobj()
    produced, pos = 0, 8
    try:
        while not inflate.eof:
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            if kind == b"IEND":
                break
            for start in range(pos + 8, pos + 8 + length, _FEED) if kind == b"IDAT" else ():
                pending = view[start : min(start + _FEED, pos + 8 + length)]  # only a small tail is ever copied
                while pending and not inflate.eof and produced <= expected:
                    produced += len(inflate.decompress(pending, INFLATE_STEP))
                    pending = inflate.unconsumed_tail
            if produced > expected:
                break
            pos += 12 + length
    except zlib.error as exc:
        raise NotAnImageError(f"the PNG's image data does not decode ({exc})") from None
    if produced != expected:
        said = "more" if produced > expected else "fewer"
        raise NotAnImageError(f"the PNG's image data does not decode: it holds {said} pixels than its header says")
    if not inflate.eof:
        raise NotAnImageError("the PNG's image data does not decode: its zlib stream does not end")


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
_JPEG_NO_LENGTH = {0x00, 0x01, 0xFF, *range(0xD0, 0xD8)}  # stuffed 0xFF, TEM, fill, RSTn


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """``(marker, offset, length)`` of each segment after SOI, up to and including the first SOS."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise NotAnImageError("JPEG marker expected")
        marker = data[pos + 1]
        if marker in _JPEG_NO_LENGTH:
            pos += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        yield marker, pos, length
        if marker == _JPEG_SOS:
            return
        pos += 2 + length
    raise DamagedImageError("the JPEG ends before its image data")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    for marker, pos, _length in _jpeg_segments(data):
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
    raise NotAnImageError("JPEG without a frame header")


def _jpeg_end(data: bytes) -> None:
    """After the first scan's header: entropy-coded data and marker segments, until EOI."""
    *_earlier, (_marker, pos, length) = _jpeg_segments(data)
    pos += 2 + length
    while (pos := data.find(b"\xff", pos)) >= 0 and pos + 1 < len(data):
        marker = data[pos + 1]
        if marker == _JPEG_EOI:
            return
        if marker in _JPEG_NO_LENGTH:  # inside scan data
            pos += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])  # DHT, SOS ... between progressive scans
        pos += 2 + length
    raise DamagedImageError("the JPEG ends before its end-of-image marker")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise NotAnImageError("WEBP VP8 frame without a start code")
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise NotAnImageError("WEBP VP8L without a signature")
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise NotAnImageError("unknown WEBP chunk")


def _webp_end(data: bytes) -> None:
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if len(data) < end:
        raise DamagedImageError(f"the WEBP is {len(data):,} bytes, but its RIFF header says {end:,}")
    pos = 12
    while pos < end:
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        if pos + 8 + size > end:
            raise DamagedImageError(f"the WEBP's {data[pos : pos + 4].decode('latin-1')} chunk overruns the file")
        pos += 8 + size + (size & 1)  # chunks are padded to an even size


_END_CHECKS = {"png": _png_end, "jpeg": _jpeg_end, "webp": _webp_end}


def limit_problems(info: ImageInfo, size: int) -> list[str]:
    """What breaks the API's limits, in words; empty when the image may be uploaded as is."""
    problems = []
    if size >= MAX_UPLOAD_BYTES:
        problems.append(
            _("{size} bytes is not under the limit of {limit} bytes").format(
                size=f"{size:,}", limit=f"{MAX_UPLOAD_BYTES:,}"
            )
        )
    if info.width > MAX_SIDE or info.height > MAX_SIDE:
        problems.append(
            _("{width}x{height} px is over the limit of {side} px per side").format(
                width=info.width, height=info.height, side=MAX_SIDE
            )
        )
    return problems
