"""Favourite and recent styles: kept beside the settings file, read back in order, never fatal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from fifo_support import read_beside_a_fifo
from halloween_mask.favourites import RECENT_COUNT, StylePicks


def test_favourites_and_recent_survive_a_restart(private_settings: Path) -> None:
    picks = StylePicks.beside_settings()
    picks.set_favourite(12, True)
    picks.set_favourite(40, True)
    picks.set_favourite(12, False)
    for number in (3, 40, 7, 3):
        picks.used(number)

    again = StylePicks.beside_settings()
    assert again.path == private_settings.with_name("favourite-styles.json")
    assert again.favourites == [40] and again.recent == [3, 7, 40]
    assert again.first() == [40, 3, 7]
    assert stat.S_IMODE(again.path.stat().st_mode) == 0o600


def test_only_the_last_few_styles_are_recent(tmp_path: Path) -> None:
    picks = StylePicks(tmp_path / "picks.json")
    for number in range(1, 20):
        picks.used(number)
    assert StylePicks(tmp_path / "picks.json").recent == list(range(19, 19 - RECENT_COUNT, -1))


def test_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "picks.json"
    path.write_text('{"favourites": [5, "x", 99, 5, true], "recent": 3}')
    assert StylePicks(path).favourites == [5] and StylePicks(path).recent == []
    path.write_text("{not json")
    assert StylePicks(path).first() == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_its_place_is_ignored_at_once(tmp_path: Path) -> None:
    picks = read_beside_a_fifo(tmp_path / "picks.json", lambda: StylePicks(tmp_path / "picks.json"))
    assert picks.first() == []
