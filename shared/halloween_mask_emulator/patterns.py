"""The patterns painted on a mask's skin, one function each, picked by the look's ``pattern``.

Each draws inside the face ellipse's box ``(x0, y0, x1, y1)`` with the look's accent and dark
colours, taking its randomness from ``rng`` (the style's seed): the same style paints the same mask.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from PIL import ImageDraw

Colour = tuple[int, int, int, int]
Painter = Callable[[ImageDraw.ImageDraw, random.Random, tuple[float, ...], Colour, Colour, int], None]


def paint_pattern(
    draw: ImageDraw.ImageDraw, pattern: str, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour
) -> None:
    """Paint ``pattern`` ("plain" paints nothing) over the face box ``face``."""
    painter = PAINTERS.get(pattern)
    if painter is not None:
        x0, _, x1, _ = face
        painter(draw, rng, face, accent, dark, max(2, round((x1 - x0) / 60)))


def _stripes(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    step = (y1 - y0) / rng.randint(5, 9)
    slope = rng.uniform(-0.4, 0.4) * (x1 - x0)
    y = y0
    while y < y1:
        draw.polygon([(x0, y), (x1, y + slope), (x1, y + slope + step / 2), (x0, y + step / 2)], fill=accent)
        y += step


def _dots(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    for _ in range(rng.randint(12, 24)):
        r = rng.uniform(0.03, 0.08) * (x1 - x0)
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=accent)


def _cracks(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    for _ in range(rng.randint(3, 6)):
        x, y = rng.uniform(x0, x1), rng.choice((y0, y1, rng.uniform(y0, y1)))
        points = [(x, y)]
        for _ in range(rng.randint(4, 8)):
            x += rng.uniform(-0.12, 0.12) * (x1 - x0)
            y += rng.uniform(-0.12, 0.12) * (y1 - y0)
            points.append((x, y))
        draw.line(points, fill=dark, width=width)


def _stitches(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    for _ in range(rng.randint(2, 3)):
        xa, ya = rng.uniform(x0, x1), rng.uniform(y0, y1)
        xb, yb = rng.uniform(x0, x1), rng.uniform(y0, y1)
        draw.line([(xa, ya), (xb, yb)], fill=dark, width=width)
        length = math.hypot(xb - xa, yb - ya) or 1.0
        nx, ny = -(yb - ya) / length * 0.03 * (x1 - x0), (xb - xa) / length * 0.03 * (x1 - x0)
        for i in range(1, 8):
            px, py = xa + (xb - xa) * i / 8, ya + (yb - ya) * i / 8
            draw.line([(px - nx, py - ny), (px + nx, py + ny)], fill=dark, width=width)


def _web(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    ox, oy = rng.choice(((x0, y0), (x1, y0), (x0, y1), (x1, y1)))
    radius = 0.8 * (x1 - x0)
    for i in range(9):
        angle = i * math.pi / 16 + rng.uniform(0, 0.1)
        for sign_x, sign_y in ((1 if ox == x0 else -1, 1 if oy == y0 else -1),):
            draw.line(
                [(ox, oy), (ox + sign_x * radius * math.cos(angle), oy + sign_y * radius * math.sin(angle))],
                fill=dark,
                width=width,
            )
    for ring in range(1, 6):
        r = ring * radius / 6
        box = (ox - r, oy - r, ox + r, oy + r)
        draw.arc(box, 0, 360, fill=dark, width=width)


def _bones(
    draw: ImageDraw.ImageDraw, rng: random.Random, face: tuple[float, ...], accent: Colour, dark: Colour, width: int
) -> None:
    x0, y0, x1, y1 = face
    for _ in range(rng.randint(3, 5)):
        y = rng.uniform(y0 + 0.1 * (y1 - y0), y1 - 0.1 * (y1 - y0))
        half = rng.uniform(0.1, 0.2) * (x1 - x0)
        x = rng.uniform(x0 + half, x1 - half)
        r = 0.035 * (x1 - x0)
        draw.line([(x - half, y), (x + half, y)], fill=accent, width=round(1.2 * r))
        for end in (x - half, x + half):
            draw.ellipse((end - r, y - 1.6 * r, end + r, y), fill=accent)
            draw.ellipse((end - r, y, end + r, y + 1.6 * r), fill=accent)


PAINTERS: dict[str, Painter] = {
    "stripes": _stripes,
    "dots": _dots,
    "cracks": _cracks,
    "stitches": _stitches,
    "web": _web,
    "bones": _bones,
}
