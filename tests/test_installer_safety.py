"""install/install.py never damages what it did not make, and every problem is one line (issue 17 §1, §5).

The real installer runs in child processes (several at once for the lock), on real folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hm_installer import checks
from installer_support import INSTALLER, run_installer

as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The installer failed with exactly one ``error:`` line and no traceback; returns that line."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def test_a_profile_that_does_not_exist_is_refused_not_created(tmp_path: Path) -> None:
    (tmp_path / "GIMP" / "3.0").mkdir(parents=True)
    typo = tmp_path / "GIMP" / "3.O"
    said = one_line_error(run_installer("--profile", str(typo)))
    assert "does not exist" in said and str(typo) in said
    assert not typo.exists()


def test_plug_ins_that_is_a_file_is_one_line_and_left_alone(tmp_path: Path) -> None:
    profile = tmp_path / "3.0"
    profile.mkdir()
    (profile / "plug-ins").write_text("the user's file")
    said = one_line_error(run_installer("--profile", str(profile)))
    assert "plug-ins" in said and "not a folder" in said
    assert (profile / "plug-ins").read_text() == "the user's file"
    assert [p.name for p in profile.iterdir()] == ["plug-ins"]


def test_zip_onto_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("mine")
    said = one_line_error(run_installer("--zip", str(tmp_path / "afile")))
    assert "not a folder" in said
    assert (tmp_path / "afile").read_text() == "mine"


@pytest.mark.skipif(not Path("/proc/1").is_dir(), reason="Linux /proc")
def test_zip_into_a_folder_nothing_can_be_written_to_is_one_line() -> None:
    said = one_line_error(run_installer("--zip", "/proc/1"))
    assert "/proc/1" in said


@pytest.mark.skipif(as_root or os.name != "posix", reason="root writes into read-only folders")
def test_zip_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    said = one_line_error(run_installer("--zip", str(folder)))
    assert "ro" in said


def test_check_on_a_script_that_is_not_utf8_is_one_problem_not_a_traceback(tmp_path: Path) -> None:
    profile = tmp_path / "3.0"
    profile.mkdir()
    assert run_installer("--profile", str(profile)).returncode == 0
    script = profile / "plug-ins" / "halloween-mask" / "halloween-mask.py"
    script.write_bytes(b"#!/usr/bin/env python3\n# \xff\xfe not UTF-8\n" + script.read_bytes().split(b"\n", 1)[1])
    proc = run_installer("--profile", str(profile), "--check")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "UTF-8" in proc.stderr


def test_concurrent_installers_take_turns(tmp_path: Path) -> None:
    profile = tmp_path / "3.0"
    profile.mkdir()
    runs = [
        subprocess.Popen(
            [sys.executable, str(INSTALLER), "--profile", str(profile)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    assert [code for code, _out, _err in results] == [0, 0, 0, 0], [err for _code, _out, err in results]
    plug_ins = profile / "plug-ins"
    assert [p.name for p in plug_ins.iterdir()] == ["halloween-mask"]
    assert checks.check_layout(plug_ins / "halloween-mask") == []


def test_a_reinstall_names_the_users_files_it_removes(tmp_path: Path) -> None:
    profile = tmp_path / "3.0"
    profile.mkdir()
    assert run_installer("--profile", str(profile)).returncode == 0
    target = profile / "plug-ins" / "halloween-mask"
    (target / "my-notes.txt").write_text("mine")
    (target / "vendor" / "extra.py").write_text("")
    proc = run_installer("--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    assert "my-notes.txt" in proc.stdout and "vendor/extra.py" in proc.stdout.replace(os.sep, "/")
    quiet = run_installer("--profile", str(profile))
    assert "not part of" not in quiet.stdout  # nothing of the user's there now: nothing said


def test_an_uninstall_names_the_users_files_it_removes(tmp_path: Path) -> None:
    profile = tmp_path / "3.0"
    profile.mkdir()
    assert run_installer("--profile", str(profile)).returncode == 0
    (profile / "plug-ins" / "halloween-mask" / "my-notes.txt").write_text("mine")
    proc = run_installer("--profile", str(profile), "--uninstall")
    assert proc.returncode == 0 and "my-notes.txt" in proc.stdout
    assert "halloween-mask.py" not in proc.stdout.split("not part of the plug-in")[-1]
