"""Images whose headers claim far more pixels than they hold (for the size-cap tests and benchmarks)."""

from __future__ import annotations

import io
import struct
import zlib

from emulator_support import PORTRAIT
from PIL import Image


def forged_png(width: int, height: int) -> bytes:
    """A PNG that is only a header claiming ``width`` x ``height`` px (and one empty data chunk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def forged_jpeg(side: int = 12000) -> bytes:
    """A small real JPEG whose frame header claims ``side`` x ``side`` px."""
    out = io.BytesIO()
    Image.open(PORTRAIT).convert("RGB").save(out, "JPEG", quality=85)
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = side.to_bytes(2, "big") * 2
    return bytes(data)
