"""The part of a layer to upload when the image has a selection: pure box arithmetic.

The service needs to see the whole head, so the selection's bounding box is grown by a
margin (a quarter of the box's width and height on each side) and clipped to the layer. The
result is placed back at exactly that box. Boxes are in image pixels: x, y, width, height.
"""

from __future__ import annotations

from dataclasses import dataclass

MARGIN = 0.25  # of the selection box's width (left, right) and height (top, bottom)


@dataclass(frozen=True)
class Box:
    """A rectangle of whole pixels; ``width`` and ``height`` are positive for a non-empty box."""

    x: int
    y: int
    width: int
    height: int

    @classmethod
    def from_corners(cls, x1: int, y1: int, x2: int, y2: int) -> Box:
        return cls(x1, y1, x2 - x1, y2 - y1)

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def intersection(self, other: Box) -> Box:
        """The overlap of two boxes (``empty`` when they do not overlap)."""
        x, y = max(self.x, other.x), max(self.y, other.y)
        return Box(x, y, max(0, min(self.right, other.right) - x), max(0, min(self.bottom, other.bottom) - y))

    def grown(self, margin: float) -> Box:
        """The box with ``margin`` x its width added left and right, x its height above and below."""
        dx, dy = int(self.width * margin), int(self.height * margin)
        return Box(self.x - dx, self.y - dy, self.width + 2 * dx, self.height + 2 * dy)

    def relative_to(self, origin: Box) -> Box:
        """The same box in coordinates whose (0, 0) is ``origin``'s corner (e.g. layer pixels)."""
        return Box(self.x - origin.x, self.y - origin.y, self.width, self.height)

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


def upload_box(selection: Box | None, layer: Box, margin: float = MARGIN) -> Box | None:
    """The part of ``layer`` to upload for ``selection`` (both in image pixels), or ``None``.

    ``None`` means the whole layer: there is no selection, or it misses the layer. Otherwise
    the part of the selection's bounding box over the layer, grown by ``margin`` and clipped
    to the layer.
    """
    if selection is None or selection.empty:
        return None
    over = selection.intersection(layer)
    if over.empty:
        return None
    return over.grown(margin).intersection(layer)
