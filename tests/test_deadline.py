"""The run's deadline holds whatever the server does: answers sent a byte at a time end at it."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from client_support import POLL, SUBMIT, drip_server, fake_service, fast_client
from halloween_mask.errors import DeadlineExceededError, SubmitOutcomeUnknownError
from halloween_mask_cli import main
from PIL import Image

DEADLINE = 1.5
PER_BYTE = 0.05  # every answer here is over 150 bytes: at least 7 s, were it read to its end


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "orange").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("slow", "error"),
    [(SUBMIT, SubmitOutcomeUnknownError), (POLL, DeadlineExceededError), ("/r.png", DeadlineExceededError)],
    ids=["submit", "poll", "download"],
)
def test_an_answer_dripped_a_byte_at_a_time_ends_at_the_deadline(portrait_bytes: bytes, slow: str, error: type) -> None:
    with drip_server() as server, fast_client(server.base) as client:
        fake_service(server, tiny_png(), slow=slow, per_byte=PER_BYTE)
        started = time.monotonic()
        with pytest.raises(error):
            client.apply(portrait_bytes, mask_style=7, deadline=DEADLINE)
        took = time.monotonic() - started
    assert took < DEADLINE + 2.0, f"the run took {took:.1f} s with a {DEADLINE} s deadline"


def test_fetch_has_a_deadline_that_holds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with drip_server() as server:
        fake_service(server, tiny_png(), slow=POLL, per_byte=PER_BYTE)
        monkeypatch.setenv("AILAB_API_BASE", server.base)
        monkeypatch.setenv("AILAB_API_KEY", "test-key")
        started = time.monotonic()
        assert main(["fetch", "t-1", "-o", str(tmp_path / "out.png"), "--deadline", str(DEADLINE)]) == 1
        took = time.monotonic() - started
    assert took < DEADLINE + 2.0, f"fetch took {took:.1f} s with a {DEADLINE} s deadline"
    assert "did not finish in time" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
