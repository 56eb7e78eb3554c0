"""Emulator renderer benchmark, run on demand: ``python3 benchmarks/bench_emulator.py [--runs N]``.

The emulator answers a 1024x1024 portrait by decoding it, finding the face, painting the mask and
encoding a PNG. Reported as a ratio to the floor of that work measured in the same process: Pillow
decoding the same PNG and encoding the result size again (no detection, no painting), medians of
``--runs`` interleaved runs for styles 1, 42 and 85. The goal: well under a second a render on two
cores, so the emulator's own time never dominates a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests",))

from emulator_support import PORTRAIT
from halloween_mask_emulator.renderer import decode, render
from PIL import Image

STYLES = (1, 42, 85)


def portrait_png(size: int = 1024) -> bytes:
    big = Image.open(PORTRAIT).convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    return buffer.getvalue()


def floor(data: bytes) -> float:
    """Decode and re-encode only: what any renderer of this picture must spend."""
    started = time.perf_counter()
    image = Image.open(io.BytesIO(data))
    image.load()
    image.save(io.BytesIO(), "PNG", compress_level=1)  # as the renderer encodes its result
    return time.perf_counter() - started


def rendering(data: bytes, style: int) -> float:
    started = time.perf_counter()
    render(decode(data), style=style)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    data = portrait_png()
    floors, renders = [], {style: [] for style in STYLES}
    for _ in range(args.runs):
        floors.append(floor(data))
        for style in STYLES:
            renders[style].append(rendering(data, style))
    base = statistics.median(floors)
    print(f"floor (decode + encode, 1024x1024 PNG): {base:.3f} s")
    for style, times in renders.items():
        median = statistics.median(times)
        print(f"style {style:2d}: {median:.3f} s, {median / base:.1f}x the floor")


if __name__ == "__main__":
    main(sys.argv[1:])
