"""Files kept for a user carry a format: 0.1.0's files are read and migrated; a newer release's are never rewritten."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from emulator_support import API_KEY, PORTRAIT
from halloween_mask import Client, PendingTasks
from halloween_mask.config import load_settings, save_api_key
from halloween_mask.errors import SettingsError
from halloween_mask.favourites import StylePicks
from halloween_mask.pending import fingerprint
from halloween_mask_emulator import Emulator

FROM_0_1_0 = Path(__file__).parent / "data" / "written-by-0.1.0"


def copy_from_0_1_0(name: str, target: Path) -> Path:
    shutil.copyfile(FROM_0_1_0 / name, target)
    target.chmod(0o600)
    return target


def test_settings_of_0_1_0_are_read_and_migrated_when_next_written(private_settings: Path, monkeypatch):
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    monkeypatch.delenv("AILAB_API_BASE", raising=False)
    copy_from_0_1_0("settings.json", private_settings)
    settings = load_settings()
    assert settings.api_key.reveal() == "key-from-0.1.0" and settings.base_url == "http://127.0.0.1:8765"
    save_api_key("a-new-key")
    stored = json.loads(private_settings.read_text())
    assert stored == {"format": 1, "api_key": "a-new-key", "api_base": "http://127.0.0.1:8765"}


def test_settings_from_a_newer_version_are_used_but_never_rewritten(private_settings: Path, monkeypatch, caplog):
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    monkeypatch.delenv("AILAB_API_BASE", raising=False)
    private_settings.write_text(json.dumps({"format": 7, "api_key": "key-from-the-future", "profiles": {"a": 1}}))
    private_settings.chmod(0o600)
    before = private_settings.read_bytes()
    with caplog.at_level(logging.WARNING):
        assert load_settings().api_key.reveal() == "key-from-the-future"
    assert "newer version of AI Halloween Mask (format 7" in caplog.text
    with pytest.raises(SettingsError, match="newer version of the plug-in; the key was not saved"):
        save_api_key("another-key")
    assert private_settings.read_bytes() == before


def test_favourites_of_0_1_0_are_read_and_migrated(tmp_path: Path):
    path = copy_from_0_1_0("favourite-styles.json", tmp_path / "favourite-styles.json")
    picks = StylePicks(path)
    assert picks.first() == [12, 7, 3]
    picks.used(5)
    assert json.loads(path.read_text()) == {"format": 1, "favourites": [12, 7], "recent": [5, 3, 12]}


def test_favourites_from_a_newer_version_are_shown_but_never_rewritten(tmp_path: Path):
    path = tmp_path / "favourite-styles.json"
    path.write_text(json.dumps({"format": 2, "favourites": [9], "recent": [], "tags": {"9": "spooky"}}))
    before = path.read_bytes()
    picks = StylePicks(path)
    picks.set_favourite(4, True)
    picks.used(4)
    assert picks.first() == [9, 4]
    assert path.read_bytes() == before


def test_a_task_0_1_0_paid_for_is_collected_after_the_upgrade(private_settings: Path, emulator: Emulator):
    """A task submitted by 0.1.0 and never collected (the run was killed): the new release collects it."""
    image = PORTRAIT.read_bytes()
    paid = Client(API_KEY, emulator.base_url).submit(image, mask_style=7)
    key = fingerprint(emulator.base_url, image, 7, None, "auto")
    store = private_settings.with_name("pending-tasks.json")
    store.write_text(json.dumps({key: {"task_id": paid, "submitted": time.time() - 60}}, indent=2) + "\n")
    store.chmod(0o600)
    result = Client(API_KEY, emulator.base_url).apply(image, mask_style=7, pending=PendingTasks.beside_settings())
    assert result.images
    assert len(emulator.requests_to("submit")) == 1, "the task 0.1.0 paid for was paid again"
