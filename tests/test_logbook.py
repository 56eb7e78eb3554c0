"""The log (issue 17 §6): every command-line run appends to a bounded log in the user's state folder.

Real runs of ``halloween-mask`` against the emulator on loopback; the log is read back as a person
pasting it into a bug report would: time stamps, versions, the ids the service gave, task states
and timings, the error that ended a run; the home folder as ``~``; never the key.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from halloween_mask import __version__, logbook
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator, EmulatorConfig

CANARY = "sk-CANARY-log-7f3a9e21"  # the key: it must appear in no file of the log folder
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4} ")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's home folder with the log where a user's would be (no override, no XDG_STATE_HOME)."""
    folder = tmp_path / "home"
    (folder / "Pictures").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.delenv(logbook.ENV_LOGS, raising=False)
    return folder


@pytest.fixture
def canary_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(api_keys=(CANARY,))) as emulator:
        monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
        monkeypatch.setenv("AILAB_API_KEY", CANARY)
        yield emulator


def _log_text(home: Path) -> str:
    folder = home / ".local" / "state" / "halloween-mask" / "log"
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_a_run_is_logged_with_versions_ids_states_and_timings(
    home: Path, canary_service: Emulator, portrait_path: Path
) -> None:
    photo = home / "Pictures" / "me.png"
    photo.write_bytes(portrait_path.read_bytes())
    assert main(["apply", str(photo), "--style", "7", "-o", str(home / "Pictures" / "out.png")]) == 0

    text = _log_text(home)
    (task_id,) = canary_service.tasks
    assert f"halloween-mask {__version__}" in text and f"Python {sys.version.split()[0]}" in text
    assert "~/Pictures/me.png" in text and str(home) not in text  # the home folder shown as ~
    assert task_id in text
    assert re.search(r"request [0-9a-f-]{36}, log [0-9a-f]{32}", text), "the service's request and log ids"
    assert re.search(r"task \S+: DONE after \d+\.\d s", text), "the task's states and timings"
    assert "exit 0" in text
    records = [line for line in text.splitlines() if not line.startswith(" ")]
    assert records and all(STAMP.match(line) for line in records), records[:3]


def test_the_error_that_ended_a_run_is_logged(home: Path, canary_service: Emulator, portrait_path: Path) -> None:
    canary_service.configure(credits=0)
    photo = home / "Pictures" / "me.png"
    photo.write_bytes(portrait_path.read_bytes())
    assert main(["apply", str(photo), "--style", "7", "-o", str(home / "out.png")]) == 1
    text = _log_text(home)
    assert re.search(r"out of API credits.*\[request [0-9a-f-]{36}, log [0-9a-f]{32}\]", text), text[-2000:]
    assert "exit 1" in text


def test_the_key_is_in_no_file_of_the_log_folder(
    home: Path, canary_service: Emulator, portrait_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = home / "Pictures" / "me.png"
    photo.write_bytes(portrait_path.read_bytes())
    assert main(["apply", str(photo), "--style", "3", "-o", str(home / "a.png")]) == 0
    assert main(["check"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY + "\n"))
    assert main(["set-key"]) == 0
    monkeypatch.delenv("AILAB_API_KEY")  # the key from the settings file now
    assert main(["apply", str(photo), "--style", "4", "-o", str(home / "b.png")]) == 0
    logging.getLogger("halloween_mask.test").warning("a careless line: %s", CANARY)  # scrubbed all the same
    monkeypatch.setenv("AILAB_API_KEY", "sk-wrong-key-000")
    assert main(["check"]) == 1  # refused key: an error with the service's ids
    assert CANARY not in logbook.shown_argv(["emulator", "--key", CANARY, f"--key={CANARY}"])

    folder = home / ".local" / "state" / "halloween-mask" / "log"
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path.name
        assert path.stat().st_mode & 0o077 == 0, "the log is readable by its owner only"
    assert "sk-wrong-key-000" not in _log_text(home)


def test_the_log_is_bounded_and_rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logbook.ENV_LOGS, str(tmp_path / "logs"))
    logbook.start("test")
    try:
        noisy = logging.getLogger("halloween_mask.test")
        for n in range(12_000):
            noisy.info("line %d %s", n, "x" * 900)
    finally:
        logbook.stop()
    files = sorted((tmp_path / "logs").iterdir())
    assert 2 <= len(files) <= logbook.BACKUPS + 1
    assert sum(p.stat().st_size for p in files) <= (logbook.BACKUPS + 1) * logbook.MAX_BYTES + 10_000
    assert "line 11999" in (tmp_path / "logs" / logbook.LOG_NAME).read_text()


def test_a_forged_line_or_a_huge_message_stays_one_bounded_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(logbook.ENV_LOGS, str(tmp_path / "logs"))
    logbook.start("test")
    try:
        logging.getLogger("halloween_mask.test").warning(
            "the service said: %s", "bad\n2026-01-01T00:00:00.000+0000 ERROR forged\x1b[31m" + "A" * 100_000
        )
    finally:
        logbook.stop()
    lines = (tmp_path / "logs" / logbook.LOG_NAME).read_text().splitlines()
    forged = [line for line in lines if "forged" in line]
    assert forged and all(line.startswith(" ") for line in forged)  # a continuation, not a record of its own
    assert "\x1b" not in "".join(lines)
    assert max(len(line) for line in lines) < 10_000


def test_a_log_that_cannot_be_written_never_fails_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder would be")
    monkeypatch.setenv(logbook.ENV_LOGS, str(blocker))
    assert main(["styles"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
