"""Colour-managed and transparent test pictures, and ICC profiles made by the tests themselves (none shipped).

``rgb_profile`` writes a small ICC v2 matrix/TRC display profile (Adobe RGB (1998) and ProPhoto
RGB from their published primaries, white and gamma); ``cmyk_profile`` an ICC v2 printer profile
whose A2B0 table is a made-up press (dot gain, tinted paper, impure inks), so a naive CMYK to RGB
conversion is visibly wrong. Every profile carries a fixed date: the same bytes on every run.

``truth_srgb`` is what a colour-managed viewer shows of a picture (its pixels through its embedded
profile, to sRGB); ``channel_error`` the largest difference of two pictures per channel (0-255).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageCms, ImageFilter

D50 = (0.9642, 1.0, 0.8249)
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
FIXED_DATE = (2026, 1, 1, 0, 0, 0)

# name: (red, green, blue chromaticities, white chromaticity, gamma)
RGB_SPACES = {
    "Adobe RGB (1998)": (((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)), (0.3127, 0.3290), 563 / 256),
    "ProPhoto RGB": (((0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001)), (0.3457, 0.3585), 1.8),
}


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(xyz: Sequence[float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in xyz)


def _desc_tag(text: str) -> bytes:
    """A v2 textDescriptionType: the ASCII text, then empty Unicode and ScriptCode parts."""
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + b"\0" * (4 + 4 + 3 + 67)


def _text_tag(text: str) -> bytes:
    return b"text\0\0\0\0" + text.encode("ascii") + b"\0"


def _profile(device_class: bytes, space: bytes, tags: dict[bytes, bytes]) -> bytes:
    """An ICC v2.1 profile: the header (fixed date, D50 illuminant) and ``tags`` (equal data shared)."""
    table, body, offsets = [], b"", {}
    start = 128 + 4 + 12 * len(tags)
    for signature, data in tags.items():
        if data not in offsets:
            offsets[data] = start + len(body)
            body += data + b"\0" * (-len(data) % 4)
        table.append(struct.pack(">4sII", signature, offsets[data], len(data)))
    size = start + len(body)
    header = (
        struct.pack(">I4sI4s4s4s", size, b"\0\0\0\0", 0x02100000, device_class, space, b"XYZ ")
        + struct.pack(">6H", *FIXED_DATE)
        + b"acsp"
        + b"\0" * 28
        + b"".join(_s15(v) for v in D50)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(table) + body


def icc_profile_of(space: bytes, name: str, tags: dict[bytes, bytes]) -> bytes:
    """A display profile of colour ``space`` (e.g. ``b"GRAY"``) named ``name`` with ``tags`` (e.g. a kTRC)."""
    return _profile(b"mntr", space, {b"desc": _desc_tag(name), b"wtpt": _xyz_tag(D50), **tags})


def _adapt_to_d50(white_xy: tuple[float, float]) -> np.ndarray:
    """Bradford adaptation from ``white_xy`` to D50."""
    x, y = white_xy
    source = np.array([x / y, 1.0, (1 - x - y) / y])
    gain = (BRADFORD @ np.array(D50)) / (BRADFORD @ source)
    return np.linalg.inv(BRADFORD) @ np.diag(gain) @ BRADFORD


def rgb_to_xyz_d50(name: str) -> np.ndarray:
    """The space's linear RGB to XYZ matrix, adapted to D50 (columns: the red, green, blue colorants)."""
    primaries, white, _gamma = RGB_SPACES[name]
    columns = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    wx, wy = white
    scale = np.linalg.solve(columns, np.array([wx / wy, 1.0, (1 - wx - wy) / wy]))
    return _adapt_to_d50(white) @ columns @ np.diag(scale)


def rgb_profile(name: str) -> bytes:
    """A matrix/TRC display profile of ``name`` (a key of ``RGB_SPACES``)."""
    matrix = rgb_to_xyz_d50(name)
    gamma = RGB_SPACES[name][2]
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    tags = {
        b"desc": _desc_tag(name),
        b"cprt": _text_tag("No copyright, made by the tests"),
        b"wtpt": _xyz_tag(D50),
        b"rXYZ": _xyz_tag(matrix[:, 0]),
        b"gXYZ": _xyz_tag(matrix[:, 1]),
        b"bXYZ": _xyz_tag(matrix[:, 2]),
        b"rTRC": curve,
        b"gTRC": curve,
        b"bTRC": curve,
    }
    return _profile(b"mntr", b"RGB ", tags)


# -- a made-up press, as an ICC printer profile ---------------------------------------------------

SRGB_TO_XYZ_D50 = np.array([[0.4360, 0.3851, 0.1431], [0.2225, 0.7169, 0.0606], [0.0139, 0.0971, 0.7141]])
PAPER = np.array([0.96, 0.94, 0.88])  # a warm paper, in sRGB


def press(cmyk: np.ndarray) -> np.ndarray:
    """What the press prints for ink amounts ``cmyk`` (0-1, last axis), as sRGB-encoded values 0-1."""
    c, m, y, k = (np.asarray(cmyk, dtype=float)[..., i] ** 0.7 for i in range(4))  # dot gain
    red = (1 - c) * (1 - 0.08 * m)
    green = (1 - m) * (1 - 0.18 * c) * (1 - 0.05 * y)
    blue = (1 - y) * (1 - 0.12 * m) * (1 - 0.1 * c)
    return np.stack([red, green, blue], axis=-1) * (1 - 0.92 * k)[..., None] * PAPER


def _srgb_to_linear(values: np.ndarray) -> np.ndarray:
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def cmyk_profile(grid: int = 9) -> bytes:
    """A CMYK printer profile of ``press`` (an A2B0 lut16 table to XYZ, ``grid`` points per ink)."""
    axis = np.linspace(0.0, 1.0, grid)
    cmyk = np.stack(np.meshgrid(axis, axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 4)
    xyz = _srgb_to_linear(np.clip(press(cmyk), 0, 1)) @ SRGB_TO_XYZ_D50.T
    clut = np.clip(np.round(xyz * 32768), 0, 65535).astype(">u2").tobytes()
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    a2b0 = (
        b"mft2\0\0\0\0"
        + struct.pack(">BBBx", 4, 3, grid)
        + identity
        + struct.pack(">HH", 2, 2)
        + struct.pack(">2H", 0, 65535) * 4
        + clut
        + struct.pack(">2H", 0, 65535) * 3
    )
    tags = {
        b"desc": _desc_tag("Made-up press (tests)"),
        b"cprt": _text_tag("No copyright, made by the tests"),
        b"wtpt": _xyz_tag(D50),
        b"A2B0": a2b0,
    }
    return _profile(b"prtr", b"CMYK", tags)


# -- pictures in those spaces, and how far apart two pictures are ------------------------------

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC


def from_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """``image`` (sRGB) converted into the RGB space of ``profile``, with the profile embedded (alpha kept)."""
    target = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    converted = ImageCms.profileToProfile(image.convert("RGB"), SRGB, target, renderingIntent=INTENT)
    if image.mode == "RGBA":
        converted.putalpha(image.getchannel("A"))
    converted.info["icc_profile"] = profile
    return converted


def truth_srgb(image: Image.Image) -> Image.Image:
    """What a colour-managed viewer shows of ``image``: its pixels through its embedded profile, in sRGB."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image.convert("RGB")
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    return ImageCms.profileToProfile(image, source, SRGB, renderingIntent=INTENT, outputMode="RGB")


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def channel_error(a: Image.Image, b: Image.Image, where: np.ndarray | None = None, smooth: float = 2.0) -> int:
    """The largest difference of any R, G or B value between ``a`` and ``b`` (0-255), over ``where``.

    Both are first smoothed over ``smooth`` px (a Gaussian blur), so a JPEG's own noise at sharp edges
    is left out and what remains is how far the colours are off; 0 compares the pixels as they are.
    """
    if smooth:
        a, b = (im.convert("RGB").filter(ImageFilter.GaussianBlur(smooth)) for im in (a, b))
    diff = np.abs(np.asarray(a.convert("RGB"), dtype=int) - np.asarray(b.convert("RGB"), dtype=int)).max(axis=-1)
    return int(diff[where].max() if where is not None else diff.max())


def apply_per_pixel(image: Image.Image, function: Callable[[np.ndarray], np.ndarray]) -> Image.Image:
    """``function`` of the 0-1 values of ``image`` (last axis: channels), back as an 8-bit picture."""
    values = np.asarray(image, dtype=float) / 255
    return Image.fromarray(np.clip(np.round(function(values) * 255), 0, 255).astype(np.uint8))


# -- the test portrait as users' files hold it ---------------------------------------------------

MAGENTA = (255, 0, 255)


def portrait_rgb() -> Image.Image:
    from emulator_support import PORTRAIT

    with Image.open(PORTRAIT) as image:
        return image.convert("RGB")


def transparent_portrait(border: int = 96) -> Image.Image:
    """The portrait cut out: fully transparent left and right strips of ``border`` px hiding magenta,
    a soft edge (alpha ramping over 16 px) between them and the opaque middle."""
    image = portrait_rgb().convert("RGBA")
    width, height = image.size
    ramp = np.clip((np.minimum(np.arange(width), width - 1 - np.arange(width)) - border) / 16, 0, 1)
    alpha = np.tile(np.round(ramp * 255).astype(np.uint8), (height, 1))
    pixels = np.asarray(image).copy()
    pixels[..., 3] = alpha
    pixels[alpha == 0, :3] = MAGENTA
    return Image.fromarray(pixels, "RGBA")


def turned_jpeg(orientation: int = 6) -> bytes:
    """The portrait stored turned, with the EXIF orientation that shows it upright (6: turn 90 degrees clockwise)."""
    stored = portrait_rgb().transpose(Image.Transpose.ROTATE_90)  # 6 means: turn it 270 to show it
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", quality=95, exif=exif.tobytes())
