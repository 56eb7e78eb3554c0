"""The ``halloween-mask`` command line, run for real: offline emulator, loopback HTTP, files on disk."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from emulator_support import API_KEY, EmulatorApi, free_port, portrait_copies, wait_until_serving
from halloween_mask_cli import DEFAULT_JOBS, main
from halloween_mask_emulator import Emulator, Failure, Fault
from halloween_mask_emulator.detect import find_face
from PIL import Image


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_offline_apply_paints_a_mask_over_the_face(portrait_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    assert main(["apply", str(portrait_path), "--style", "7", "--offline", "-o", str(out)]) == 0

    before, after = _pixels(portrait_path), _pixels(out)
    assert after.shape == before.shape
    with Image.open(portrait_path) as image:
        face = find_face(image)
    assert face is not None
    repainted = np.abs(after - before).sum(axis=2) > 200  # painted over, not just colour-graded
    in_face = np.zeros_like(repainted)
    in_face[face.y : face.y + face.h, face.x : face.x + face.w] = True
    inside, outside = repainted[in_face].mean(), repainted[~in_face].mean()
    assert inside > 0.5, f"only {inside:.0%} of the face box was painted over"
    assert outside < 0.1, f"{outside:.0%} of the picture outside the face was painted over"


def _most_tasks_in_flight(emulator: Emulator) -> int:
    """The most tasks that were between their submit and their result download at one moment."""
    downloaded = {r.path.split("/")[2]: r.time for r in emulator.requests_to("result")}
    events = [(t.created, 1) for t in emulator.tasks.values()] + [(end, -1) for end in downloaded.values()]
    in_flight = most = 0
    for _, change in sorted(events):  # at equal times a download (-1) sorts before a submit (+1)
        in_flight += change
        most = max(most, in_flight)
    return most


def test_several_inputs_go_to_a_folder(service: Emulator, portrait_path: Path, tmp_path: Path) -> None:
    inputs = portrait_copies(portrait_path, tmp_path, ("anna", "bert", "carl"))
    out = tmp_path / "results"
    assert main(["apply", *inputs, "--style", "12", "-j", "3", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["anna.mask12.png", "bert.mask12.png", "carl.mask12.png"]
    assert {t.mask_style for t in service.tasks.values()} == {12}
    assert len(service.tasks) == 3


@pytest.mark.parametrize(("jobs_option", "bound"), [(["-j", "2"], 2), ([], DEFAULT_JOBS)])
def test_several_inputs_run_concurrently_but_at_most_jobs_at_once(
    service: Emulator, portrait_path: Path, tmp_path: Path, jobs_option: list[str], bound: int
) -> None:
    inputs = portrait_copies(portrait_path, tmp_path, [f"guest{n}" for n in range(bound + 3)])
    # Each task's first poll takes 0.4 s, so tasks that run together overlap for certain.
    service.configure(faults=(Fault("latency", route="poll", seconds=0.4, count=len(inputs)),))
    out = tmp_path / "results"
    assert main(["apply", *inputs, "--style", "9", *jobs_option, "-o", str(out)]) == 0
    assert len(list(out.iterdir())) == len(service.tasks) == len(inputs)
    assert _most_tasks_in_flight(service) == bound


def test_template_and_aspect_ratio_reach_the_service(service: Emulator, portrait_path: Path, tmp_path: Path) -> None:
    template = tmp_path / "template.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(template)
    out = tmp_path / "wide.jpg"
    assert (
        main(["apply", str(portrait_path), "--template", str(template), "--aspect-ratio", "16:9", "-o", str(out)]) == 0
    )
    (task,) = service.tasks.values()
    assert task.template_used and task.mask_style is None and task.aspect_ratio == "16:9"
    with Image.open(out) as image:
        assert image.format == "JPEG"  # converted because the file name asks for it
        assert abs(image.width / image.height - 16 / 9) < 0.02


def test_oversize_input_is_fitted_with_a_notice(
    service: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.png"
    Image.open(Path(__file__).parent / "data" / "portrait-astronaut.png").resize((4600, 4600)).save(big)
    out = tmp_path / "o.png"
    assert main(["apply", str(big), "--style", "3", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "scaled from 4600x4600" in err
    (task,) = service.tasks.values()
    assert max(task.image_size) <= 4095
    with Image.open(out) as result:
        assert result.size == (4600, 4600), "the result is not at the input's size"
    assert f"(scaled from {task.image_size[0]}x{task.image_size[1]} px to the input's 4600x4600)" in err


def test_service_errors_are_one_clear_line_and_exit_1(
    service: Emulator, portrait_path: Path, no_face_bytes: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faceless = tmp_path / "landscape.png"
    faceless.write_bytes(no_face_bytes)
    assert main(["apply", str(faceless), "--style", "1", "-o", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert "No usable face was found" in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()

    service.configure(credits=0)
    assert main(["apply", str(portrait_path), "--style", "1", "-o", str(tmp_path / "y.png")]) == 1
    assert "out of API credits" in capsys.readouterr().err


def test_a_task_that_never_finishes_names_the_task_to_fetch_later(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service.configure(next_failures=(Failure("never"),))
    out = tmp_path / "late.png"
    assert main(["apply", str(portrait_path), "--style", "2", "--deadline", "1", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    (task_id,) = service.tasks
    assert f"halloween-mask fetch {task_id}" in err


def test_running_the_same_command_again_collects_the_unfinished_task(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service.configure(processing_seconds=2.5)
    argv = ["apply", str(portrait_path), "--style", "4", "-o", str(tmp_path / "out.png")]
    assert main([*argv, "--deadline", "1"]) == 1
    assert "paid for: run the same again within 24 hours to collect it at no charge" in capsys.readouterr().err
    assert main(argv) == 0
    (task_id,) = service.tasks
    err = capsys.readouterr().err
    assert f"collected task {task_id}, paid on " in err and "collected, no charge" in err
    assert len(service.requests_to("submit")) == 1
    assert Image.open(tmp_path / "out.png").size == (512, 512)


def test_fetch_downloads_an_earlier_task(service: Emulator, api, portrait_bytes: bytes, tmp_path: Path) -> None:
    task_id = api.task_id(portrait_bytes, mask_style="5")
    out = tmp_path / "fetched.png"
    assert main(["fetch", task_id, "-o", str(out)]) == 0
    assert Image.open(out).size == (512, 512)


def test_an_unwritable_output_names_the_paid_task_to_fetch(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / ("x" * 300 + ".png")  # a name the file system refuses only when it is written
    assert main(["apply", str(portrait_path), "--style", "6", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    (task_id,) = service.tasks
    assert f"{portrait_path}: cannot write {out}: " in err and "Traceback" not in err
    assert "paid for and kept: fix that and run the same command again (free)" in err
    assert f"or save it with: halloween-mask history save 1 -o {out}" in err

    assert main(["fetch", task_id, "-o", str(out)]) == 1
    assert f"cannot write {out}: " in capsys.readouterr().err
    saved = tmp_path / "saved.png"
    assert main(["fetch", task_id, "-o", str(saved)]) == 0
    assert Image.open(saved).size == (512, 512)
    assert len(service.requests_to("submit")) == 1


@pytest.mark.parametrize("name", ["out.tif", "out.BMP", "out.gif", "out.heic"])
def test_output_formats_that_cannot_be_written_are_refused(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / name
    assert main(["apply", str(portrait_path), "--style", "1", "-o", str(out)]) == 2
    assert main(["fetch", "some-task", "-o", str(out)]) == 2
    assert capsys.readouterr().err.count("use .png, .jpg/.jpeg or .webp") == 2
    assert not out.exists() and not service.tasks


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["apply", "x.png", "--style", "1", "-o", "o.png", "--deadline", "0"], "number of seconds above 0"),
        (["apply", "x.png", "--style", "1", "-o", "o.png", "--deadline", "-5"], "number of seconds above 0"),
        (["apply", "x.png", "--style", "1", "-o", "o.png", "-j", "0"], "whole number of at least 1"),
        (["emulator", "--port", "70000"], "whole number from 1 to 65535"),
        (["emulator", "--credits", "-1"], "whole number of at least 0"),
    ],
)
def test_impossible_numbers_are_refused_by_the_parser(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["apply", "missing.png", "--style", "1", "-o", "o.png"], "no such file"),
        (["apply", "{portrait}", "{portrait}", "--style", "1", "-o", "o.png"], "-o must be a folder"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, portrait_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(portrait=portrait_path) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_bad_style_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", "x.png", "--style", "86", "-o", "o.png"])
    assert exit_info.value.code == 2
    assert "choose a style from 1 to 85" in capsys.readouterr().err


def test_styles_lists_all_85(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["styles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 85
    assert lines[6].split()[:3] == ["7", "Mask", "7"] and lines[6].endswith("/masks/7.jpg")


def test_check_reports_key_source_and_credits(service: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "set, from environment" in out and "10000" in out and API_KEY not in out

    os.environ["AILAB_API_KEY"] = "wrong-key"
    assert main(["check"]) == 1
    assert "API key was rejected" in capsys.readouterr().err


def test_set_key_writes_a_private_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "cfg" / "settings.json"
    monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(settings))
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret-key-123\n"))
    assert main(["set-key"]) == 0
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert "secret-key-123" not in capsys.readouterr().err


def test_the_emulator_command_serves_until_terminated(
    portrait_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port, key = free_port(), "shell-key"
    command = [sys.executable, "-m", "halloween_mask_cli", "emulator", "--port", str(port), "--key", key]
    process = subprocess.Popen([*command, "--credits", "450"], stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(EmulatorApi(base, key=key))
        monkeypatch.setenv("AILAB_API_BASE", base)
        monkeypatch.setenv("AILAB_API_KEY", key)
        monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(tmp_path / "settings.json"))
        assert main(["check"]) == 0
        assert "credits:   450 " in capsys.readouterr().out
        out = tmp_path / "spooky.png"
        assert main(["apply", str(portrait_path), "--style", "7", "-o", str(out)]) == 0
        with Image.open(out) as result:
            assert result.size == (512, 512)
        monkeypatch.setenv("AILAB_API_KEY", "not-the-key")
        assert main(["check"]) == 1  # only the --key given is accepted
    finally:
        process.terminate()
        try:
            _, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, err
    assert f"AILAB_API_BASE={base} AILAB_API_KEY={key}" in err  # what it tells the user to export
    assert "Emulator stopped." in err and "Traceback" not in err


def test_console_script_is_installed() -> None:
    """``pip install`` put the command beside this Python (on PATH once the venv is active)."""
    script = Path(sysconfig.get_path("scripts")) / (
        "halloween-mask.exe" if sys.platform == "win32" else "halloween-mask"
    )
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("halloween-mask ")
