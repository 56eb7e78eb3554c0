"""Colours and transparency for the command line: what is uploaded is sRGB with nothing hidden,
and each result is given back as the photo was (its colour space and profile, its transparency).

Services read an upload's numbers as sRGB and drop what they do not use (the vendor documents
neither profiles nor alpha), so a photo with an embedded profile is converted through it to sRGB
(Pillow's ImageCms, relative colorimetric with black point compensation, as GIMP does), the
colour under fully transparent pixels is cleared, and the photo's own profile and transparency
are put back on the result. Nothing here stamps a date: the same photo is the same upload.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache

from halloween_mask.placement import same_shape
from PIL import ExifTags, Image, ImageChops, ImageCms

log = logging.getLogger(__name__)

INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC
FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION
SRGB_TOLERANCE = 2  # a profile that moves no colour further than this (0-255) is sRGB in all but name
# The mode an image is put in before it goes through a profile of each colour space, and the modes
# a profile of that space belongs to (a profile of another space is ignored, as viewers do).
MODE_FOR_SPACE = {"RGB": "RGB", "CMYK": "CMYK", "GRAY": "L"}
MODES_OF_SPACE = {"RGB": {"RGB", "RGBA", "P", "PA"}, "CMYK": {"CMYK"}, "GRAY": {"L", "LA", "1"}}


@dataclass(frozen=True)
class Original:
    """What the upload set aside that the result gets back."""

    profile: bytes | None = None  # the photo's RGB profile (not sRGB): the result is converted back into it
    alpha: Image.Image | None = None  # the photo's transparency (mode L, upright, as uploaded before any scaling)

    @property
    def plain(self) -> bool:
        """Nothing to give back: the result is used as the service sent it."""
        return self.profile is None and self.alpha is None


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))  # used, never embedded (it is dated)


@lru_cache(maxsize=8)
def _opened(profile: bytes) -> ImageCms.ImageCmsProfile | None:
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except (OSError, ValueError, TypeError) as error:
        log.info("an embedded colour profile cannot be read (%s); the pixels are taken as sRGB", error)
        return None


def _space(profile: ImageCms.ImageCmsProfile) -> str:
    return profile.profile.xcolor_space.strip()


@lru_cache(maxsize=8)
def _is_srgb(profile: bytes) -> bool:
    """Whether ``profile`` is sRGB in effect: a grid of colours goes through it to sRGB unchanged."""
    opened = _opened(profile)
    if opened is None or _space(opened) != "RGB":
        return opened is None
    steps = range(0, 256, 17)
    grid = Image.new("RGB", (len(steps) ** 3, 1))
    grid.putdata([(r, g, b) for r in steps for g in steps for b in steps])
    try:
        converted = ImageCms.profileToProfile(grid, opened, _srgb(), renderingIntent=INTENT, flags=FLAGS)
    except ImageCms.PyCMSError:
        return True
    worst = max(high for _low, high in ImageChops.difference(grid, converted).getextrema())
    return worst <= SRGB_TOLERANCE


def foreign_profile(image: Image.Image) -> bytes | None:
    """The image's embedded profile when it is not sRGB and fits the image's mode, else ``None``."""
    profile = image.info.get("icc_profile")
    if not profile or _is_srgb(profile):
        return None
    opened = _opened(profile)
    if opened is None or image.mode not in MODES_OF_SPACE.get(_space(opened), ()):
        if opened is not None:
            log.info("a %s profile on a %s image is ignored", _space(opened), image.mode)
        return None
    return profile


def profile_name(profile: bytes) -> str:
    """The profile's own description, e.g. ``Adobe RGB (1998)``."""
    opened = _opened(profile)
    name = ImageCms.getProfileDescription(opened).strip() if opened is not None else ""
    return name or "its colour profile"


def turned(image: Image.Image) -> bool:
    """Whether the EXIF orientation asks for the picture to be turned or flipped to be seen upright."""
    return image.getexif().get(ExifTags.Base.Orientation, 1) not in (0, 1)


def transparent(image: Image.Image) -> bool:
    """Whether some pixel is not fully opaque (decodes the image; only for modes with alpha)."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255


def sent_as_is(image: Image.Image) -> bool:
    """Whether the file itself is the right upload: sRGB (or untagged), upright, and opaque."""
    return foreign_profile(image) is None and not turned(image) and not transparent(image)


def to_srgb(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """``image`` converted through its embedded profile to sRGB (alpha kept), and the profile the
    result goes back into (an RGB one; a CMYK or grey photo's result stays sRGB).

    An image without a profile, with sRGB, or with a profile of another colour space than its mode's
    is returned as it is. The image returned carries no profile.
    """
    profile = foreign_profile(image)
    if profile is None:
        image.info.pop("icc_profile", None)
        return image, None
    opened = _opened(profile)
    space = _space(opened)
    alpha = _alpha_of(image)
    colour = image if image.mode == MODE_FOR_SPACE[space] else image.convert(MODE_FOR_SPACE[space])
    converted = ImageCms.profileToProfile(
        colour, opened, _srgb(), renderingIntent=INTENT, outputMode="RGB", flags=FLAGS
    )
    converted.info.pop("icc_profile", None)  # ImageCms tags its output with a freshly made, dated sRGB profile
    if alpha is not None:
        converted.putalpha(alpha)
    return converted, profile if space == "RGB" else None


def _alpha_of(image: Image.Image) -> Image.Image | None:
    if image.mode in ("RGBA", "LA"):
        return image.getchannel("A")
    if image.mode == "PA" or "transparency" in image.info:
        return image.convert("RGBA").getchannel("A")
    return None


def without_hidden_colour(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """An RGBA ``image`` with black under its fully transparent pixels (a service that drops the
    alpha channel sees nothing the user hid), and its alpha when some pixel is not opaque."""
    if image.mode != "RGBA":
        return image, None
    alpha = image.getchannel("A")
    if alpha.getextrema()[0] == 255:
        return image, None
    hidden = alpha.point(lambda value: 255 if value == 0 else 0)
    cleared = image.copy()
    cleared.paste((0, 0, 0, 0), (0, 0, *image.size), hidden)
    return cleared, alpha


def give_back(data: bytes, original: Original) -> bytes:
    """A result as the photo was: converted from sRGB into the photo's profile (embedded), with the
    photo's transparency where the result has the photo's shape; ``data`` itself when there is nothing
    to give back. A PNG; the caller's ``-o`` may ask for another format."""
    if original.plain:
        return data
    with Image.open(io.BytesIO(data)) as result:
        result.load()
        own_alpha = _alpha_of(result)
        picture = result.convert("RGB")
    if original.profile is not None:
        target = _opened(original.profile)
        picture = ImageCms.profileToProfile(picture, _srgb(), target, renderingIntent=INTENT, flags=FLAGS)
    alpha = own_alpha
    if original.alpha is not None and same_shape(*picture.size, *original.alpha.size):
        alpha = original.alpha
        if alpha.size != picture.size:
            alpha = alpha.resize(picture.size, Image.Resampling.LANCZOS)
        if own_alpha is not None:
            alpha = ImageChops.multiply(alpha, own_alpha)
    if alpha is not None:
        picture.putalpha(alpha)
    out = io.BytesIO()
    picture.save(out, "PNG", icc_profile=original.profile)  # the photo's own profile bytes: no new date
    return out.getvalue()
