"""The style catalogue: mask styles 1-85 and the output aspect ratios.

The vendor publishes no names for the styles, only a numbered preview image each, so ours are
"Mask 1" ... "Mask 85" and nothing is invented. Where the pictures live: ``previews``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidArgumentError
from .i18n import _

STYLE_COUNT = 85
ASPECT_RATIOS: tuple[str, ...] = ("auto", "1:1", "3:4", "4:3", "9:16", "16:9")


@dataclass(frozen=True)
class MaskStyle:
    number: int

    @property
    def label(self) -> str:
        return _("Mask {number}").format(number=self.number)


STYLES: tuple[MaskStyle, ...] = tuple(MaskStyle(n) for n in range(1, STYLE_COUNT + 1))


def style(number: int) -> MaskStyle:
    """The style with this number, or ``InvalidArgumentError`` (a ``ValueError``) naming the valid range."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= STYLE_COUNT:
        raise InvalidArgumentError(f"mask style must be a whole number from 1 to {STYLE_COUNT}, not {number!r}")
    return STYLES[number - 1]


def aspect_ratio(value: str) -> str:
    """``value`` if it is one of the documented aspect ratios, else ``InvalidArgumentError``."""
    if value not in ASPECT_RATIOS:
        raise InvalidArgumentError(f"aspect ratio must be one of {', '.join(ASPECT_RATIOS)}, not {value!r}")
    return value


def ratio_of(value: str) -> float | None:
    """Width / height for a fixed ratio such as ``"3:4"``; ``None`` for ``"auto"``."""
    if aspect_ratio(value) == "auto":
        return None
    width, height = value.split(":")
    return int(width) / int(height)
