"""Favourite styles and the styles used last, kept beside the settings file (never in an image).

A small JSON file, ``favourite-styles.json``: ``{"format": 1, "favourites": [12, 7], "recent": [3, 12]}``,
most recent first. Losing it costs nothing but the order of a gallery, so file errors are logged,
never raised.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .config import open_regular, settings_path, write_private
from .formats import is_newer, stamped
from .styles import STYLE_COUNT

log = logging.getLogger(__name__)

FILE_NAME = "favourite-styles.json"
FILE_FORMAT = 1  # formats.py
RECENT_COUNT = 5  # how many recently used styles are remembered


class StylePicks:
    """The user's favourite styles and recently used styles, read once and written on each change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = self._read()
        self.read_only = bool(data) and is_newer(data, FILE_FORMAT, path)  # a newer release's file stays as it is
        self.favourites: list[int] = _numbers(data.get("favourites"))
        self.recent: list[int] = _numbers(data.get("recent"))[:RECENT_COUNT]

    @classmethod
    def beside_settings(cls) -> StylePicks:
        return cls(settings_path().with_name(FILE_NAME))

    def first(self) -> list[int]:
        """The styles a gallery shows first: favourites, then recent ones that are not favourites."""
        return self.favourites + [n for n in self.recent if n not in self.favourites]

    def set_favourite(self, number: int, favourite: bool) -> None:
        if favourite and number not in self.favourites:
            self.favourites.append(number)
        elif not favourite and number in self.favourites:
            self.favourites.remove(number)
        else:
            return
        self._write()

    def used(self, number: int) -> None:
        """Record that style ``number`` was just used."""
        self.recent = [number, *[n for n in self.recent if n != number][: RECENT_COUNT - 1]]
        self._write()

    def _read(self) -> dict:
        try:
            with open_regular(self.path) as handle:  # a FIFO there is refused, not waited on
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable %s (%s)", self.path, type(error).__name__)
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self) -> None:
        if self.read_only:
            return
        text = json.dumps(stamped({"favourites": self.favourites, "recent": self.recent}, FILE_FORMAT)) + "\n"
        try:
            write_private(self.path, text)
        except OSError as error:
            log.warning("could not save %s (%s)", self.path, error.strerror)


def _numbers(value: object) -> list[int]:
    """The valid, distinct style numbers in ``value`` (a JSON list), in order."""
    if not isinstance(value, list):
        return []
    seen: list[int] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= STYLE_COUNT and item not in seen:
            seen.append(item)
    return seen
