"""The command line never damages the user's files and answers hostile input in one line (issue 17 §1, §2).

The real ``halloween-mask`` entry point runs in this process against a real emulator on loopback
(``--offline`` or ``AILAB_API_BASE``); files, links and modes are real.
"""

from __future__ import annotations

import os
import shutil
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from halloween_mask import parse_styles
from halloween_mask.errors import InvalidArgumentError
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX links and modes")


def one_line(text: str) -> bool:
    """No traceback, no raw warning: every line the run printed is a message of ours."""
    return "Traceback" not in text and "Warning:" not in text and "warnings.warn" not in text


# -- §1: an output that is an input of the run is refused, in any spelling ---------------------------


@pytest.mark.parametrize("spelling", ["same", "dot", "absolute", "dotdot", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused_and_nothing_is_written(
    portrait_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spelling: str,
) -> None:
    photo = tmp_path / "me.png"
    shutil.copyfile(portrait_path, photo)
    original = photo.read_bytes()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    if spelling in ("symlink", "hardlink") and os.name != "posix":
        pytest.skip("POSIX links")
    output = {
        "same": "me.png",
        "dot": "./me.png",
        "absolute": str(photo),
        "dotdot": "sub/../me.png",
        "symlink": "link.png",
        "hardlink": "hard.png",
    }[spelling]
    if spelling == "symlink":
        (tmp_path / "link.png").symlink_to(photo)
    if spelling == "hardlink":
        os.link(photo, tmp_path / "hard.png")
    assert main(["apply", "me.png", "--style", "7", "--offline", "-o", output]) == 2
    said = capsys.readouterr().err
    assert "input" in said and one_line(said) and len(said.strip().splitlines()) == 1
    assert photo.read_bytes() == original


def test_a_folder_output_that_would_overwrite_an_input_is_refused(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``apply a.png out/me.mask7.png -o out/``: the second input is the first one's output file."""
    out = tmp_path / "out"
    out.mkdir()
    first, second = tmp_path / "me.png", out / "me.mask7.png"
    shutil.copyfile(portrait_path, first)
    shutil.copyfile(portrait_path, second)
    before = second.read_bytes()
    assert main(["apply", str(first), str(second), "--style", "7", "--offline", "-o", str(out)]) == 2
    assert "input" in capsys.readouterr().err
    assert second.read_bytes() == before


def test_the_template_is_an_input_too(portrait_path: Path, tmp_path: Path) -> None:
    photo, template = tmp_path / "me.png", tmp_path / "mask.png"
    shutil.copyfile(portrait_path, photo)
    shutil.copyfile(portrait_path, template)
    before = template.read_bytes()
    assert main(["apply", str(photo), "--template", str(template), "--offline", "-o", str(template)]) == 2
    assert template.read_bytes() == before


@posix_only
def test_a_read_only_output_file_is_not_replaced(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    out.write_bytes(b"kept")
    out.chmod(0o444)
    assert main(["apply", str(portrait_path), "--style", "7", "--offline", "-o", str(out)]) == 1
    said = capsys.readouterr().err
    assert "read-only" in said and one_line(said)
    assert out.read_bytes() == b"kept"


# -- §2: damaged and huge inputs: one line naming the file, the batch goes on to its summary ---------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


DAMAGED = {
    "truncated-ihdr.png": b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00\x00\x01",
    "bad-header.ppm": b"P6\n-3 zz\n255\n" + b"\x00" * 30,
    "broken.png": b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", b"\x78\x9c" + b"\x13" * 30)
    + _png_chunk(b"IEND", b""),
    "no-image.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 40,
    "text.png": b"hello, not an image\n",
    "empty.png": b"",
}


def test_damaged_inputs_each_get_one_line_and_the_batch_ends_with_its_summary(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [tmp_path / "good.png"]
    shutil.copyfile(portrait_path, inputs[0])
    for name, data in DAMAGED.items():
        (tmp_path / name).write_bytes(data)
        inputs.append(tmp_path / name)
    out = tmp_path / "out"
    assert main(["apply", *map(str, inputs), "--style", "7", "--offline", "-o", f"{out}/"]) == 1
    said = capsys.readouterr().err
    assert one_line(said), said
    for name in DAMAGED:
        lines = [line for line in said.splitlines() if line.startswith(str(tmp_path / name))]
        assert len(lines) == 1, (name, said)
    assert f"1 written, {len(DAMAGED)} failed" in said
    assert (out / "good.mask7.png").is_file()


def test_a_huge_file_in_a_batch_is_refused_by_its_size_without_reading_it(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, huge = tmp_path / "good.png", tmp_path / "huge.png"
    shutil.copyfile(portrait_path, good)
    with open(huge, "wb") as handle:
        handle.truncate(2 * 2**30)  # 2 GB of nothing, no disk
    tracemalloc.start()
    try:
        assert main(["apply", str(huge), str(good), "--style", "7", "--offline", "-o", f"{tmp_path / 'out'}/"]) == 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 300 * 2**20, f"{peak / 2**20:.0f} MB"  # the 2 GB were never read
    said = capsys.readouterr().err
    assert one_line(said)
    assert [line for line in said.splitlines() if line.startswith(str(huge))]
    assert "1 written, 1 failed" in said


# -- §2: numbers too large for the platform give one line -------------------------------------------


def test_a_huge_deadline_runs_in_one_piece(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    assert main(["apply", str(portrait_path), "--style", "7", "--offline", "--deadline", "1e10", "-o", str(out)]) == 0
    assert one_line(capsys.readouterr().err) and out.is_file()


@pytest.mark.parametrize("option", [["-j", "9" * 5000], ["-j", "100000"], ["--style", "9" * 5000]])
def test_huge_numbers_are_refused_in_one_short_line(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    args = ["apply", str(portrait_path), "--offline", "-o", str(tmp_path / "o.png"), *option]
    if "--style" not in option:
        args += ["--style", "7"]
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2
    said = capsys.readouterr().err
    assert one_line(said) and len(said) < 600 and "9" * 50 not in said


def test_a_style_list_with_a_huge_number_says_so_briefly() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_styles("3, " + "9" * 5000)
    assert len(str(caught.value)) < 400


# -- §2: out of credits in a batch: stop submitting and say how many were not sent -------------------


def test_out_of_credits_stops_the_batch_and_says_how_many_were_not_sent(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service.configure(credits=15)  # one mask
    inputs = []
    for n in range(5):
        inputs.append(tmp_path / f"p{n}.png")
        shutil.copyfile(portrait_path, inputs[-1])
        inputs[-1].write_bytes(inputs[-1].read_bytes() + bytes([n]))  # five different photos
    assert main(["apply", *map(str, inputs), "--style", "7", "-j", "1", "-o", f"{tmp_path / 'out'}/"]) == 1
    said = capsys.readouterr().err
    assert len(service.requests_to("submit")) == 2  # the paid one, and the one refused for credits
    assert "3 not sent" in said
    assert one_line(said)


def test_out_of_credits_with_several_in_flight_sends_no_more(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service.configure(credits=15)
    inputs = []
    for n in range(9):
        inputs.append(tmp_path / f"p{n}.png")
        inputs[-1].write_bytes(portrait_path.read_bytes() + bytes([n]))
    assert main(["apply", *map(str, inputs), "--style", "7", "-j", "3", "-o", f"{tmp_path / 'out'}/"]) == 1
    said = capsys.readouterr().err
    submits = len(service.requests_to("submit"))
    refused = submits - len(service.tasks)  # the service charges on completion: several may be accepted first
    assert 1 <= refused <= 3  # once one is refused, nothing more is sent: at most one refusal per worker (-j 3)
    assert f"{9 - submits} not sent" in said
