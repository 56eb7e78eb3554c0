"""The upload notice on the command line (issue 17 §6): one line, once, before the first upload; never offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator


@pytest.fixture(autouse=True)
def notice_not_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALLOWEEN_MASK_UPLOAD_NOTICE")


def _notice(err: str) -> list[str]:
    return [line for line in err.splitlines() if "uploaded to AILabTools" in line]


def test_the_first_upload_says_once_what_is_sent_kept_and_paid(
    service: Emulator, portrait_path: Path, tmp_path: Path, private_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["styles"]) == 0 and main(["check"]) == 0
    assert _notice(capsys.readouterr().err) == [], "nothing was going to be uploaded"
    assert main(["apply", str(portrait_path), "--style", "2", "-o", str(tmp_path / "a.png")]) == 0
    (line,) = _notice(capsys.readouterr().err)
    assert "24 hours" in line and "not kept" in line and "15 credits" in line
    assert main(["apply", str(portrait_path), "--style", "3", "-o", str(tmp_path / "b.png")]) == 0
    assert _notice(capsys.readouterr().err) == [], "said twice"
    stored = json.loads(private_settings.read_text())
    assert stored == {"upload_notice": "accepted"}


def test_offline_runs_send_nothing_and_say_nothing(
    portrait_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", str(portrait_path), "--style", "2", "--offline", "-o", str(tmp_path / "a.png")]) == 0
    assert _notice(capsys.readouterr().err) == []
