"""The user's files are never damaged, and huge ones are refused by size (issue 17 §1, §2).

Real files in a temporary folder: sparse files stand for huge ones (they take no disk), links and
modes are the operating system's. Memory figures come from a child process.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from halloween_mask.config import load_settings, replace_whole, save_api_key
from halloween_mask.errors import SettingsError
from halloween_mask.imageformat import check_complete
from halloween_mask.pending import PendingTasks
from halloween_mask.previews import PreviewCache, PreviewFetcher
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator
from halloween_mask_emulator.renderer import preview_jpeg

SHARED = Path(__file__).resolve().parents[1] / "shared"
TESTS = Path(__file__).resolve().parent
GB = 2**30
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and links")


def sparse(path: Path, size: int, start: bytes = b"{") -> Path:
    """A file of ``size`` bytes that takes no disk (a hole after ``start``)."""
    with open(path, "wb") as handle:
        handle.write(start)
        handle.truncate(size)
    return path


def peak_in_child(code: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    """What a child process printed (all but its last line) and its peak memory in kB (its last line)."""
    program = (
        f"""
        import sys
        sys.path[:0] = [{str(SHARED)!r}, {str(TESTS)!r}]
        from memory_support import peak_kb
    """
        + textwrap.indent(textwrap.dedent(code), "        ")
        + "\n        print(peak_kb())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=True,
    )
    *said, peak = out.stdout.strip().splitlines()
    return "\n".join(said), int(peak)


# -- §2: settings and pending-task files are refused by size before they are read ----------------


def test_a_huge_settings_file_is_refused_in_one_line_without_reading_it(private_settings: Path) -> None:
    sparse(private_settings, GB)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "bytes" in str(caught.value) and "\n" not in str(caught.value)


def test_a_huge_settings_file_costs_little_memory(tmp_path: Path) -> None:
    settings = sparse(tmp_path / "settings.json", GB)
    said, peak = peak_in_child(
        """
        from halloween_mask.config import load_settings
        try:
            load_settings()
        except ValueError as error:
            print("refused:", error)
        """,
        {"HALLOWEEN_MASK_SETTINGS": str(settings), "AILAB_API_KEY": ""},
    )
    assert said.startswith("refused:")
    assert peak < 100_000, f"peak {peak / 1024:.0f} MB"
    print(f"peak memory refusing a 1 GB sparse settings file: {peak / 1024:.0f} MB")


def test_a_huge_pending_task_file_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = PendingTasks(sparse(tmp_path / "pending-tasks.json", GB))
    with caplog.at_level(logging.WARNING):
        assert store.find("0" * 64) is None
    assert "pending-tasks.json" in caplog.text
    said, peak = peak_in_child(
        f"""
        from halloween_mask.pending import PendingTasks
        print(PendingTasks({str(tmp_path / "pending-tasks.json")!r}).find("0" * 64))
        """
    )
    assert said == "None" and peak < 100_000, f"peak {peak / 1024:.0f} MB"


# -- §1: a linked settings file keeps its link; a protected file is not replaced silently ----------


@posix_only
def test_set_key_writes_through_a_linked_settings_file(private_settings: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "halloween-settings.json"
    target.write_text(json.dumps({"api_key": "old-key", "api_base": "http://127.0.0.1:9"}))
    target.chmod(0o600)
    private_settings.symlink_to(target)
    save_api_key("new-key")
    assert private_settings.is_symlink() and private_settings.resolve() == target.resolve()
    stored = json.loads(target.read_text())
    assert stored["api_key"] == "new-key" and stored["api_base"] == "http://127.0.0.1:9"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in dotfiles.iterdir()] == [target.name]  # no scratch file left beside it


@posix_only
def test_a_read_only_settings_file_is_not_replaced(private_settings: Path) -> None:
    private_settings.write_text(json.dumps({"api_key": "old-key"}))
    private_settings.chmod(0o400)
    with pytest.raises(OSError) as caught:
        save_api_key("new-key")
    assert "read-only" in str(caught.value)
    assert json.loads(private_settings.read_text()) == {"api_key": "old-key"}


@posix_only
def test_a_read_only_file_is_never_replaced(tmp_path: Path) -> None:
    photo = tmp_path / "out.png"
    photo.write_bytes(b"the user's own picture")
    photo.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        replace_whole(photo, b"a result")
    assert photo.read_bytes() == b"the user's own picture"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


@posix_only
def test_a_linked_output_is_written_through_its_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.png"
    target.write_bytes(b"old")
    link = tmp_path / "out.png"
    link.symlink_to(target)
    replace_whole(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


# -- §1: `styles --download DIR` leaves the user's own files alone, and reads by size first ---------


def test_styles_download_into_a_users_folder_leaves_files_that_are_not_ours(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AILAB_PREVIEW_BASE", emulator.base_url)
    folder = tmp_path / "mine"
    folder.mkdir()
    jpeg = preview_jpeg(1)
    theirs = {
        "1.jpg": jpeg[:-2],  # a JPEG without its end marker
        "2.jpg": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        "3.jpg": b"my notes, not a picture\n",
    }
    for name, data in theirs.items():
        (folder / name).write_bytes(data)
    sparse(folder / "4.jpg", GB, b"\xff\xd8\xff")
    assert main(["styles", "--download", str(folder)]) == 1
    for name, data in theirs.items():
        assert (folder / name).read_bytes() == data
    assert (folder / "4.jpg").stat().st_size == GB
    said = capsys.readouterr().err
    assert all(f"{n}.jpg" in said and "left alone" in said for n in (1, 2, 3, 4))
    assert "81 of 85" in said
    assert len(emulator.requests_to("preview")) == 81
    check_complete((folder / "5.jpg").read_bytes())


def test_the_preview_cache_itself_still_heals_and_reads_by_size_first(emulator: Emulator, tmp_path: Path) -> None:
    cache = PreviewCache(tmp_path)
    sparse(cache.path(4), GB, b"\xff\xd8\xff")
    report = PreviewFetcher(emulator.base_url, cache).fetch_all([4])
    assert report.fetched == [4] and cache.path(4).read_bytes() == preview_jpeg(4)
