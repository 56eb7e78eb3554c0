"""The command line's rough edges a new user meets: pipes, full disks, bad names and settings, help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_support import portrait_copies
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator


def test_styles_into_a_pipe_closed_early_ends_without_a_traceback() -> None:
    for options in ([], ["--json"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "halloween_mask_cli", "styles", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        process.stdout.close()  # like `| head -2` gone before the listing is written
        err = process.stderr.read()
        process.wait(timeout=60)
        assert "Traceback" not in err and "BrokenPipeError" not in err, err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_standard_output_on_a_full_disk_is_one_line_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "halloween_mask_cli", "styles"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 1 and result.stderr == "halloween-mask: No space left on device\n"


def test_a_bad_template_is_named_as_the_template(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "my-mask.png"
    template.write_text("not a picture")
    assert main(["apply", str(portrait_path), "--template", str(template), "-o", str(tmp_path / "o.png")]) == 2
    assert f"the template {template}: " in capsys.readouterr().err
    assert not service.tasks


def test_check_without_a_key_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    assert main(["check"]) == 2  # a SettingsError: the caller's to fix (see test_error_tree.py)
    err = capsys.readouterr().err
    assert "halloween-mask set-key" in err and "--offline" in err and "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_readable_settings_file_is_one_warning_when_the_environment_key_wins(service: Emulator) -> None:
    settings = Path(os.environ["HALLOWEEN_MASK_SETTINGS"])
    settings.write_text('{"api_key": "stored-key"}')
    settings.chmod(0o644)
    result = subprocess.run([sys.executable, "-m", "halloween_mask_cli", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    warning = f"halloween-mask: the settings file {settings} is readable by other users (mode 644)"
    assert result.stderr.count(warning) == 1 and "stored-key" not in result.stderr + result.stdout


def test_check_offline_says_it_is_the_emulator_without_a_credit_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "built-in emulator" in out and "about" not in out and "credits:" not in out


def test_check_counts_masks_over_every_pool_that_pays_for_them(
    service: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "about 0 masks" not in out and "masks:     about 666 left, at 15 credits each" in out


@pytest.mark.parametrize("name", ["spooky", "spooky.tga"])
def test_an_output_name_without_an_image_extension_is_refused(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / name
    assert main(["apply", str(portrait_path), "--style", "1", "-o", str(out)]) == 2
    assert f"-o {out}: name the output file .png, .jpg/.jpeg or .webp" in capsys.readouterr().err
    assert not out.exists() and not service.tasks
    assert main(["apply", str(portrait_path), "--style", "1", "-o", f"{out}/"]) == 0  # a folder, when asked for
    assert [p.name for p in out.iterdir()] == ["portrait-astronaut.mask1.png"]


def test_an_output_below_a_file_is_refused_before_anything_is_paid(
    service: Emulator, portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "text.jpg"
    photo.write_bytes(b"a file")
    (other,) = portrait_copies(portrait_path, tmp_path, ("other",))
    for argv in (
        ["apply", str(portrait_path), "--style", "1", "-o", str(photo / "x.png")],
        ["apply", str(portrait_path), other, "--style", "1", "-o", f"{photo}/"],
        ["fetch", "some-task", "-o", str(photo / "deeper" / "x.png")],
    ):
        assert main(argv) == 2, argv
        assert f"{photo} is a file, not a folder" in capsys.readouterr().err
    assert not service.tasks and photo.read_bytes() == b"a file"


def test_a_batch_with_failures_ends_with_a_summary(
    service: Emulator, portrait_path: Path, no_face_bytes: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = portrait_copies(portrait_path, tmp_path, ("anna", "bert", "carl"))
    faceless = tmp_path / "landscape.png"
    faceless.write_bytes(no_face_bytes)
    assert main(["apply", *inputs, str(faceless), "--style", "2", "-o", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == f"3 written, 1 failed: {faceless}"


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (["fetch"], "TASK_ID     the task id a message of apply or the plug-in named"),
        (["emulator"], "(default: 8765)"),
        (["set-key"], "Reads the API key from standard input"),
    ],
)
def test_help_explains_every_argument(command: list[str], text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    assert " ".join(text.split()) in " ".join(capsys.readouterr().out.split())  # as wrapped for any terminal
