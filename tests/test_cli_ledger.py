"""The command line pays once per request: killed runs, batches, copies, a history it cannot write."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_support import API_KEY, PORTRAIT
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def slow_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The emulator, taking a little time per task, as the configured service of this test."""
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=0.3)) as emulator:
        monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
        monkeypatch.setenv("AILAB_API_KEY", API_KEY)
        yield emulator


def photos(folder: Path, count: int) -> list[Path]:
    """``count`` different portraits (one pixel apart): different requests, each paid once."""
    folder.mkdir(exist_ok=True)
    paths = []
    with Image.open(PORTRAIT) as original:
        base = original.convert("RGB")
    for n in range(count):
        image = base.copy()
        image.putpixel((n, 0), (n * 7 % 256, 255 - n, 3))
        path = folder / f"photo-{n:02d}.png"
        image.save(path)
        paths.append(path)
    return paths


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "halloween_mask_cli", *argv]


def scratch_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".halloween-mask-")]


# The child: a signal arrives while the output file is being written (between its bytes and their fsync).
TERM_WHILE_WRITING = """
import os, signal, sys, time
real_fsync = os.fsync
def fsync(fd):
    if "/out/.halloween-mask-" in os.readlink(f"/proc/self/fd/{{fd}}"):  # the output's scratch file only
        os.kill(os.getpid(), signal.SIG{name})
        time.sleep(0.5)
    real_fsync(fd)
os.fsync = fsync
from halloween_mask_cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name", ["TERM", "HUP", "KILL"])
def test_a_signal_while_the_output_is_written_then_the_same_run_pays_once_and_leaves_no_scratch_file(
    slow_service: Emulator, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out" / "spooky.png"
    argv = ["apply", str(PORTRAIT), "--style", "7", "-o", str(out)]
    killed = subprocess.run([sys.executable, "-c", TERM_WHILE_WRITING.format(name=name), *argv], timeout=60)
    assert killed.returncode != 0
    again = subprocess.run(command(*argv), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert "free" in again.stderr or "no charge" in again.stderr
    assert len(slow_service.requests_to("submit")) == 1, "the rerun paid again"
    assert Image.open(out).size == (512, 512)
    assert scratch_files(tmp_path) == []


def test_three_identical_copies_one_at_a_time_pay_once(slow_service: Emulator, tmp_path: Path) -> None:
    copies = []
    for n in range(3):
        copy = tmp_path / f"copy-{n}.png"
        copy.write_bytes(PORTRAIT.read_bytes())
        copies.append(str(copy))
    done = subprocess.run(
        command("apply", *copies, "--style", "3", "-j", "1", "-o", f"{tmp_path}/out/"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(slow_service.requests_to("submit")) == 1
    assert done.stderr.count("reused the mask made on") == 2


def test_a_batch_killed_at_random_points_and_run_again_pays_each_photo_once(
    slow_service: Emulator, tmp_path: Path
) -> None:
    inputs = [str(p) for p in photos(tmp_path / "in", 20)]
    argv = command("apply", *inputs, "--style", "5", "-j", "3", "-o", f"{tmp_path}/out/")
    rng = random.Random(15)
    for _ in range(4):
        child = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        child.send_signal(signal.SIGTERM)
        child.wait(60)
    final = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert len(list((tmp_path / "out").glob("*.png"))) == 20
    assert len(slow_service.requests_to("submit")) == 20, "some photo was paid for twice"
    assert scratch_files(tmp_path) == []


def test_two_overlapping_batches_at_once_pay_each_photo_once(slow_service: Emulator, tmp_path: Path) -> None:
    inputs = [str(p) for p in photos(tmp_path / "in", 14)]
    batches = [inputs[:9], inputs[5:]]  # four photos in both
    children = [
        subprocess.Popen(
            command("apply", *batch, "--style", "9", "-j", "3", "-o", f"{tmp_path}/out-{n}/"),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, batch in enumerate(batches)
    ]
    said = [child.communicate(timeout=300)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], said
    assert len(slow_service.requests_to("submit")) == 14, said


def test_the_history_command_lists_saves_deletes_and_clears(
    slow_service: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in (4, 12):
        assert main(["apply", str(PORTRAIT), "--style", str(number), "-o", str(tmp_path / f"m{number}.png")]) == 0
    assert main(["apply", str(PORTRAIT), "--template", str(PORTRAIT), "-o", str(tmp_path / "t.png")]) == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(e["style"], e["template"]) for e in listing] == [(None, True), (12, False), (4, False)]
    assert {"id", "created", "task_id", "aspect_ratio", "source", "width", "height"} <= set(listing[0])
    assert listing[0]["source"] == PORTRAIT.name and listing[0]["created"].endswith("+00:00")
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "template" in lines[0] and "Mask 12" in lines[1]
    saved = tmp_path / "saved.jpg"
    assert main(["history", "save", str(listing[1]["id"]), "-o", str(saved)]) == 0
    assert Image.open(saved).format == "JPEG"
    assert main(["history", "delete", str(listing[1]["id"])]) == 0
    assert main(["history", "delete", str(listing[1]["id"])]) == 2  # gone: the caller's mistake
    monkeypatch.setattr("sys.stdin", _Input("n\n"))
    assert main(["history", "clear"]) == 1
    assert "[y/N]" in capsys.readouterr().err
    assert main(["history", "clear", "--yes"]) == 0
    assert main(["history", "--json"]) == 0 and json.loads(capsys.readouterr().out) == []
    assert len(slow_service.requests_to("submit")) == 3


class _Input:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text


def test_the_key_is_nowhere_in_the_history_folder(
    slow_service: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("HALLOWEEN_MASK_DATA", str(data))
    assert main(["apply", str(PORTRAIT), "--style", "2", "-o", str(tmp_path / "a.png")]) == 0
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files and all(API_KEY.encode() not in p.read_bytes() for p in files)
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in files)
    assert oct((data / "history").stat().st_mode & 0o777) == "0o700"


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("where", ["full-disk", "read-only", "a-file-in-the-way"])
def test_a_history_that_cannot_be_written_never_fails_the_run(
    slow_service: Emulator,
    tmp_path: Path,
    where: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with contextlib.ExitStack() as stack:
        if where == "a-file-in-the-way":
            (tmp_path / "blocked").write_text("")
            data = tmp_path / "blocked" / "data"
        else:
            options = "size=64k" if where == "full-disk" else "ro,size=1m"
            data = stack.enter_context(mounted_tmpfs(tmp_path / "data", options))
        monkeypatch.setenv("HALLOWEEN_MASK_DATA", str(data))
        out = tmp_path / "out.png"
        assert main(["apply", str(PORTRAIT), "--style", "8", "-o", str(out)]) == 0
        err = capsys.readouterr().err
        assert out.is_file() and "history" in caplog.text and "Traceback" not in err
        assert main(["apply", str(PORTRAIT), "--style", "8", "-o", str(tmp_path / "again.png")]) == 0
    assert len(slow_service.requests_to("submit")) == 2  # nothing kept: the written output settled the task


def test_a_damaged_history_file_gives_a_notice_and_starts_over(
    slow_service: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["apply", str(PORTRAIT), "--style", "1", "-o", str(tmp_path / "a.png")]) == 0
    database = Path(os.environ["HALLOWEEN_MASK_DATA"]) / "history" / "history.sqlite3"
    database.write_bytes(b"\0garbage" * 4096)
    capsys.readouterr()
    assert main(["history"]) == 0
    assert "damaged" in caplog.text + capsys.readouterr().err  # the log line: "halloween-mask: ..." on stderr
    assert main(["apply", str(PORTRAIT), "--style", "1", "-o", str(tmp_path / "b.png")]) == 0
    assert main(["history", "--json"]) == 0 and len(json.loads(capsys.readouterr().out)) == 1
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
