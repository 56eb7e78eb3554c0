"""The history of results: kept whole and private, bounded, shared by processes, never failing a run."""

from __future__ import annotations

import io
import logging
import random
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from halloween_mask.history import DB_NAME, History, Made, configured_max_bytes
from halloween_mask.history_entry import local_time_text
from PIL import Image

TESTS = Path(__file__).resolve().parent


def png(seed: int, side: int = 64) -> bytes:
    """A distinct, incompressible PNG of about ``3 * side**2`` bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(3 * side * side)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "data" / "history", max_bytes=50_000_000)


def test_a_kept_result_is_found_listed_read_saved_and_deleted(history: History, tmp_path: Path) -> None:
    image = png(1)
    entry = history.keep("fp-1", "task-1", [image], Made(7, False, "1:1", "photo.jpg"))
    assert entry is not None and (entry.style, entry.template, entry.source) == (7, False, "photo.jpg")
    assert (entry.width, entry.height, entry.format, entry.size) == (64, 64, "png", len(image))
    assert history.find("fp-1") == entry and history.find("fp-2") is None
    assert history.images(entry.id) == (image,)
    other = history.keep("fp-2", "task-2", [png(2)], Made(None, True, "auto", "b.png"))
    assert [e.id for e in history.entries()] == [other.id, entry.id]  # newest first
    assert [e.id for e in history.entries(source="photo.jpg")] == [entry.id]
    assert other.to_json()["template"] is True and other.to_json()["style"] is None
    assert history.save(entry.id, tmp_path / "saved.png") and (tmp_path / "saved.png").read_bytes() == image
    assert history.delete(entry.id) and not history.delete(entry.id)
    assert history.images(entry.id) is None
    assert history.clear() == 1 and history.entries() == []


def test_the_folder_and_files_are_private_and_hold_no_key(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-very-secret-key-0123456789"
    monkeypatch.setenv("AILAB_API_KEY", secret)
    for n in range(3):
        history.keep(f"fp-{n}", f"task-{n}", [png(n)], Made(n + 1, source="photo.jpg"))
    assert stat.S_IMODE(history.folder.stat().st_mode) == 0o700
    for path in history.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert secret.encode() not in path.read_bytes()


def test_the_bound_keeps_the_newest_results_that_fit(tmp_path: Path) -> None:
    images = [png(n, side=200) for n in range(30)]  # about 120 kB each
    bound = 1_000_000
    history = History(tmp_path / "h", max_bytes=bound)
    for n, image in enumerate(images):
        history.keep(f"fp-{n}", f"task-{n}", [image], Made(1))
    kept = history.entries()
    sizes = [len(image) for image in images]
    fit = next(n for n in range(1, 31) if sum(sizes[-n:]) > bound) - 1  # how many of the newest fit
    assert [e.task_id for e in kept] == [f"task-{n}" for n in range(29, 29 - fit, -1)]
    assert history.usage()[1] <= bound
    assert History(tmp_path / "h", max_bytes=0).keep("fp-x", "task-x", [images[0]], Made(1)) is None  # 0: off
    assert History(tmp_path / "small", max_bytes=1000).keep("fp", "t", [images[0]], Made(1)) is None  # over alone


def test_the_bound_comes_from_the_settings(private_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_max_bytes() == 1_000_000_000
    private_settings.write_text('{"history_max_mb": 5}')
    assert configured_max_bytes() == 5_000_000
    monkeypatch.setenv("HALLOWEEN_MASK_HISTORY_MB", "0")
    assert configured_max_bytes() == 0 and not History(Path("unused"), None).enabled
    monkeypatch.setenv("HALLOWEEN_MASK_HISTORY_MB", "lots")
    assert configured_max_bytes() == 1_000_000_000


def test_a_damaged_index_is_set_aside_with_a_notice_and_the_history_starts_over(
    history: History, caplog: pytest.LogCaptureFixture
) -> None:
    history.keep("fp-1", "task-1", [png(1)], Made(1))
    history.path.write_bytes(b"this is not a database at all" * 100)
    fresh = History(history.folder, max_bytes=50_000_000)
    assert fresh.entries() == []
    assert "damaged" in caplog.text and "new history" in caplog.text
    assert fresh.keep("fp-2", "task-2", [png(2)], Made(2)) is not None
    assert [e.task_id for e in fresh.entries()] == ["task-2"]
    assert (history.folder / f"{DB_NAME}.damaged").exists()


def test_a_damaged_entry_is_dropped_with_a_notice(history: History, caplog: pytest.LogCaptureFixture) -> None:
    good = history.keep("fp-1", "task-1", [png(1)], Made(1))
    bad = history.keep("fp-2", "task-2", [png(2)], Made(2))
    with sqlite3.connect(history.path) as db:
        db.execute("UPDATE images SET data = substr(data, 1, 100) WHERE entry_id = ?", (bad.id,))
        db.execute("UPDATE entries SET width = 'wide' WHERE id = ?", (good.id,))
    third = history.keep("fp-3", "task-3", [png(3)], Made(3))
    assert history.images(bad.id) is None
    assert [e.id for e in history.entries()] == [third.id]  # the damaged record is dropped, not a crash
    assert "dropping history entry" in caplog.text
    assert history.find("fp-2") is None


def test_an_unwritable_folder_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    history = History(blocked / "history", max_bytes=10_000_000)
    assert history.keep("fp", "task", [png(1)], Made(1)) is None
    assert history.entries() == [] and history.images(1) is None and history.clear() == 0
    assert "cannot keep the result in the history" in caplog.text


WRITER = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from halloween_mask.history import History, Made
from test_history import png
history = History(Path({folder!r}), max_bytes=100_000_000)
for n in range(20):
    assert history.keep(f"{{sys.argv[1]}}-{{n}}", f"task-{{sys.argv[1]}}-{{n}}", [png(n)], Made(1)) is not None
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    code = WRITER.format(tests=str(TESTS), folder=str(folder))
    writers = [subprocess.Popen([sys.executable, "-c", code, name]) for name in ("cli", "gimp")]
    assert [w.wait(120) for w in writers] == [0, 0]
    entries = History(folder, max_bytes=100_000_000).entries()
    assert len(entries) == 40 and len({e.task_id for e in entries}) == 40
    with sqlite3.connect(folder / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_thumbnails_a_caller_stored_are_read_in_one_go_and_go_with_their_entry(history: History) -> None:
    entries = [history.keep(f"fp-{n}", f"task-{n}", [png(n)], Made(n + 1)) for n in range(3)]
    assert history.set_thumbnail(entries[0].id, b"small-0") and history.set_thumbnail(entries[2].id, b"small-2")
    assert not history.set_thumbnail(999, b"no such entry")
    assert history.thumbnails([e.id for e in entries]) == {entries[0].id: b"small-0", entries[2].id: b"small-2"}
    history.delete(entries[0].id)
    assert history.thumbnails([e.id for e in entries]) == {entries[2].id: b"small-2"}


def test_the_file_carries_its_format_and_a_newer_ones_is_left_as_it_is(tmp_path, caplog) -> None:
    folder = tmp_path / "history"
    History(folder).usage()  # creates the file
    path = next(folder.glob("*.sqlite3"))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        db.execute("PRAGMA user_version = 5")
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING):
        assert History(folder).entries() == []
    assert "from a newer version of AI Halloween Mask (format 5)" in caplog.text
    assert path.read_bytes() == before


def test_when_a_mask_was_made_reads_the_same_in_every_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages say "2026-12-05 12:03" (local time), never an English month name in a German dialog."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert local_time_text(1_764_932_580.0) == "2025-12-05 12:03"  # 11:03 UTC
    finally:
        monkeypatch.undo()
        time.tzset()
