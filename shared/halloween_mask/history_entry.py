"""What the history keeps of each result: ``Made`` (what made it) and ``Entry`` (one kept result)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def local_time_text(seconds: float) -> str:
    """``"2026-12-05 12:03"`` in local time: read the same in every language (no month names to translate)."""
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Made:
    """What made a result, as the history keeps it (the fingerprint is the ledger's)."""

    style: int | None = None
    template: bool = False
    aspect_ratio: str = "auto"
    source: str = ""  # "photo.jpg", or "portrait.xcf / Background" in GIMP


@dataclass(frozen=True)
class Entry:
    """One kept result: its metadata (the images are read with ``History.images``)."""

    id: int
    fingerprint: str
    task_id: str
    created: float  # seconds since the epoch, by the wall clock when it was kept
    style: int | None
    template: bool
    aspect_ratio: str
    source: str
    width: int
    height: int
    format: str
    size: int  # bytes of all its images
    count: int  # images (the service sends one)

    @property
    def created_text(self) -> str:
        """When it was made, for messages (see :func:`local_time_text`)."""
        return local_time_text(self.created)

    def to_json(self) -> dict[str, object]:
        """The entry as ``halloween-mask history --json`` prints it."""
        created = dt.datetime.fromtimestamp(self.created, dt.timezone.utc).isoformat(timespec="seconds")
        return {
            "id": self.id,
            "created": created,
            "task_id": self.task_id,
            "style": self.style,
            "template": self.template,
            "aspect_ratio": self.aspect_ratio,
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "bytes": self.size,
            "images": self.count,
        }
