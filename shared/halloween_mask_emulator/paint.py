"""Paint a Halloween mask over a face box: 85 deterministic looks, or a look taken from a template.

A look is drawn from a generator seeded with the style number (or the template's bytes); the
hue steps by the golden ratio so every style has its own colour, and the pattern, eyes, mouth,
crown and decorations vary with it.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

from .detect import Box
from .patterns import paint_pattern

RGB = tuple[int, int, int]
PATTERNS = ("plain", "stripes", "dots", "cracks", "stitches", "web", "bones")
EYES = ("round", "almond", "slant", "diamond")
EYE_FILLS = ("black", "glow", "hollow")
MOUTHS = ("teeth", "stitched", "fangs", "grin")
CROWNS = ("none", "horns", "ears", "spikes")
SUPERSAMPLE = 2
GOLDEN = 0.6180339887


@dataclass(frozen=True)
class Look:
    base: RGB
    accent: RGB
    dark: RGB
    glow: RGB
    pattern: str
    eyes: str
    eye_fill: str
    mouth: str
    crown: str
    tears: bool
    tint: float  # how far the whole scene is pulled toward ``dark``
    seed: int
    texture: Image.Image | None = None  # a template, pasted tinted over the face


def _hsv(h: float, s: float, v: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return round(r * 255), round(g * 255), round(b * 255)


def _draw_look(rng: random.Random, hue: float, **fixed: object) -> Look:
    values: dict[str, object] = {
        "base": _hsv(hue, rng.uniform(0.35, 0.9), rng.uniform(0.55, 0.95)),
        "accent": _hsv(hue + rng.choice((0.33, 0.5, 0.66)), rng.uniform(0.6, 1.0), rng.uniform(0.7, 1.0)),
        "dark": _hsv(hue + 0.5, rng.uniform(0.3, 0.8), rng.uniform(0.05, 0.2)),
        "glow": _hsv(rng.choice((0.0, 0.08, 0.15, 0.33, 0.55, 0.8)), 0.9, 1.0),
        "pattern": rng.choice(PATTERNS),
        "eyes": rng.choice(EYES),
        "eye_fill": rng.choice(EYE_FILLS),
        "mouth": rng.choice(MOUTHS),
        "crown": rng.choice(CROWNS),
        "tears": rng.random() < 0.4,
        "tint": rng.uniform(0.1, 0.35),
        "seed": rng.getrandbits(32),
    }
    values.update(fixed)
    return Look(**values)  # type: ignore[arg-type]


def look_for_style(number: int) -> Look:
    """The look of mask style ``number`` (1..85); the same every time."""
    return _draw_look(random.Random(f"halloween-mask-style-{number}"), hue=number * GOLDEN)


def look_for_template(template: Image.Image, data: bytes) -> Look:
    """A look from a template image: its dominant colours, and the template itself as texture."""
    small = template.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    palette = small.quantize(colors=4, method=Image.Quantize.MEDIANCUT)
    counts = sorted(palette.getcolors() or [], reverse=True)
    colours = palette.getpalette() or [0, 0, 0]
    dominant = [tuple(colours[3 * index : 3 * index + 3]) for _, index in counts] or [(128, 128, 128)]
    base = dominant[0]
    accent = dominant[1] if len(dominant) > 1 else _hsv(0.08, 1.0, 1.0)
    hue = colorsys.rgb_to_hsv(*(c / 255 for c in base))[0]
    rng = random.Random(hashlib.sha256(data).digest())
    return _draw_look(rng, hue, base=base, accent=accent, pattern="plain", texture=template.convert("RGB"))


def paint_mask(image: Image.Image, box: Box, look: Look) -> Image.Image:
    """A copy of the RGB ``image`` with the scene tinted and the mask painted over ``box``."""
    scene = Image.blend(image, Image.new("RGB", image.size, look.dark), look.tint)
    # The mask's region: the face ellipse plus room for a crown above it.
    left = round(box.x - 0.35 * box.w)
    top = round(box.y - 0.75 * box.h)
    width, height = round(1.7 * box.w), round(2.1 * box.h)
    layer = _mask_layer(width, height, box, look)
    scene.paste(layer, (left, top), layer)
    return scene


def _mask_layer(width: int, height: int, box: Box, look: Look) -> Image.Image:
    s = SUPERSAMPLE
    w, h = width * s, height * s
    fw, fh = box.w * s, box.h * s
    cx, cy = w / 2, 0.75 * fh + 0.55 * fh  # face centre, a little below the box centre
    rx, ry = 0.62 * fw, 0.8 * fh
    face = (cx - rx, cy - ry, cx + rx, cy + ry)
    rng = random.Random(look.seed)

    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    _crown(draw, look, cx, cy, rx, ry)

    skin = Image.new("RGBA", (w, h), (*look.base, 240))
    pattern = ImageDraw.Draw(skin)
    if look.texture is not None:
        texture = ImageOps.fit(look.texture, (round(2 * rx), round(2 * ry)))
        tinted = Image.blend(texture, Image.new("RGB", texture.size, look.base), 0.35).convert("RGBA")
        skin.paste(tinted, (round(cx - rx), round(cy - ry)))
    paint_pattern(pattern, look.pattern, rng, face, (*look.accent, 255), (*look.dark, 255))
    # Cheek shadows give the mask a skull-like relief.
    for side in (-1, 1):
        pattern.ellipse(
            (cx + side * 0.55 * rx - 0.25 * rx, cy + 0.05 * ry, cx + side * 0.55 * rx + 0.25 * rx, cy + 0.4 * ry),
            fill=(*_mix(look.base, look.dark, 0.45), 240),
        )
    shape = Image.new("L", (w, h), 0)
    ImageDraw.Draw(shape).ellipse(face, fill=255)
    layer.paste(skin, (0, 0), shape)

    draw.ellipse(face, outline=(*look.dark, 255), width=max(2, round(0.03 * fw)))
    _eyes(draw, look, cx, cy, rx, ry)
    _nose(draw, look, cx, cy, rx, ry)
    _mouth(draw, look, cx, cy, rx, ry, s)
    return layer.resize((width, height), Image.Resampling.LANCZOS)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


# A pair of triangles on the head: how far apart (x rx), half a base's width (x rx), the base's and
# the tip's height from the top of the face (x ry), and how far out the tip leans (x rx).
_PAIRED_CROWNS = {"horns": (0.45, 0.2, 0.3, 0.45, -0.45), "ears": (0.6, 0.3, 0.4, 0.25, -0.3)}


def _crown(draw: ImageDraw.ImageDraw, look: Look, cx: float, cy: float, rx: float, ry: float) -> None:
    colour = (*look.accent, 255)
    outline = (*look.dark, 255)
    top = cy - ry
    if look.crown in _PAIRED_CROWNS:
        apart, half, base, reach, tip = _PAIRED_CROWNS[look.crown]
        for side in (-1, 1):
            base_x = cx + side * apart * rx
            draw.polygon(
                [
                    (base_x - half * rx, top + base * ry),
                    (base_x + half * rx, top + base * ry),
                    (base_x + side * reach * rx, top + tip * ry),
                ],
                fill=colour,
                outline=outline,
            )
    elif look.crown == "spikes":
        count = 7
        for i in range(count):
            angle = math.pi * (1.1 + 0.8 * i / (count - 1))
            bx, by = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
            tip = (cx + 1.3 * rx * math.cos(angle), cy + 1.25 * ry * math.sin(angle))
            spread = 0.12
            left = (cx + rx * math.cos(angle - spread), cy + ry * math.sin(angle - spread))
            right = (cx + rx * math.cos(angle + spread), cy + ry * math.sin(angle + spread))
            draw.polygon([left, tip, right, (bx, by)], fill=colour, outline=outline)


def _eyes(draw: ImageDraw.ImageDraw, look: Look, cx: float, cy: float, rx: float, ry: float) -> None:
    hole = {"black": (*look.dark, 255), "glow": (*look.glow, 255), "hollow": (0, 0, 0, 0)}[look.eye_fill]
    ew, eh = 0.26 * rx, 0.16 * ry
    # Angry brows over every eye shape.
    for side in (-1, 1):
        ex, ey = cx + side * 0.38 * rx, cy - 0.22 * ry
        draw.polygon(
            [
                (ex + side * 1.3 * ew, ey - 1.9 * eh),
                (ex - side * 1.2 * ew, ey - 1.2 * eh),
                (ex - side * 1.2 * ew, ey - 0.8 * eh),
            ],
            fill=(*look.dark, 255),
        )
        rim = (ex - 1.2 * ew, ey - 1.2 * eh, ex + 1.2 * ew, ey + 1.2 * eh)
        draw.ellipse(rim, fill=(*_mix(look.base, look.dark, 0.7), 255))
        if look.eyes == "round":
            draw.ellipse((ex - ew, ey - eh * 1.1, ex + ew, ey + eh * 1.1), fill=hole)
        elif look.eyes == "almond":
            draw.polygon([(ex - ew, ey), (ex, ey - eh), (ex + ew, ey), (ex, ey + eh)], fill=hole)
            draw.ellipse((ex - 0.7 * ew, ey - 0.7 * eh, ex + 0.7 * ew, ey + 0.7 * eh), fill=hole)
        elif look.eyes == "slant":
            draw.polygon(
                [(ex - side * ew, ey - eh), (ex + side * ew, ey + 0.2 * eh), (ex - side * ew, ey + eh)], fill=hole
            )
        else:
            draw.polygon([(ex - ew, ey), (ex, ey - 1.2 * eh), (ex + ew, ey), (ex, ey + 1.2 * eh)], fill=hole)
        if look.eye_fill == "glow":
            draw.ellipse((ex - 0.25 * ew, ey - 0.5 * eh, ex + 0.25 * ew, ey + 0.5 * eh), fill=(0, 0, 0, 255))
        if look.tears:
            draw.polygon(
                [(ex - 0.15 * ew, ey + eh), (ex + 0.15 * ew, ey + eh), (ex, ey + 3.2 * eh)], fill=(*look.accent, 255)
            )


def _nose(draw: ImageDraw.ImageDraw, look: Look, cx: float, cy: float, rx: float, ry: float) -> None:
    y = cy + 0.08 * ry
    draw.polygon(
        [(cx, y - 0.12 * ry), (cx - 0.1 * rx, y + 0.08 * ry), (cx + 0.1 * rx, y + 0.08 * ry)], fill=(*look.dark, 255)
    )


def _mouth(draw: ImageDraw.ImageDraw, look: Look, cx: float, cy: float, rx: float, ry: float, s: int) -> None:
    dark, bone = (*look.dark, 255), (240, 235, 215, 255)
    mw, my = 0.5 * rx, cy + 0.42 * ry
    if look.mouth == "teeth":
        draw.rounded_rectangle((cx - mw, my - 0.12 * ry, cx + mw, my + 0.12 * ry), radius=0.05 * ry, fill=dark)
        n = 7
        for i in range(n):
            x = cx - mw + (i + 0.5) * 2 * mw / n
            draw.polygon([(x - mw / n, my - 0.12 * ry), (x + mw / n, my - 0.12 * ry), (x, my)], fill=bone)
            draw.polygon([(x - mw / n, my + 0.12 * ry), (x + mw / n, my + 0.12 * ry), (x, my + 0.01 * ry)], fill=bone)
    elif look.mouth == "stitched":
        width = max(2, round(0.03 * rx))
        draw.line([(cx - mw, my), (cx + mw, my)], fill=dark, width=width)
        for i in range(9):
            x = cx - mw + i * 2 * mw / 8
            draw.line([(x, my - 0.08 * ry), (x, my + 0.08 * ry)], fill=dark, width=width)
    elif look.mouth == "fangs":
        draw.chord((cx - mw, my - 0.25 * ry, cx + mw, my + 0.2 * ry), 0, 180, fill=dark)
        for side in (-1, 1):
            x = cx + side * 0.45 * mw
            draw.polygon(
                [(x - 0.12 * mw, my - 0.03 * ry), (x + 0.12 * mw, my - 0.03 * ry), (x, my + 0.14 * ry)], fill=bone
            )
    else:  # a jack-o'-lantern grin
        points = [(cx - mw, my - 0.1 * ry)]
        for i in range(1, 8):
            x = cx - mw + i * 2 * mw / 8
            points.append((x, my + (0.02 if i % 2 else -0.06) * ry))
        points += [(cx + mw, my - 0.1 * ry), (cx + 0.6 * mw, my + 0.18 * ry), (cx - 0.6 * mw, my + 0.18 * ry)]
        draw.polygon(points, fill=(*look.glow, 255), outline=dark)
