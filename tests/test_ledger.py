"""One ledger of paid tasks: paid -> collected -> kept; never forgotten before the result is safe."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from client_support import drip_server, fake_service, fast_client
from emulator_support import API_KEY
from halloween_mask.errors import AuthError, CancelledError, ResultUnavailableError
from halloween_mask.history import History
from halloween_mask.ledger import Ledger
from halloween_mask.pending import PendingTasks
from halloween_mask.timing import CancelToken
from halloween_mask.variants import StyleBatch
from halloween_mask_emulator import Emulator, EmulatorConfig
from test_history import png

SUBMIT = "/api/portrait/effects/ai-halloween-mask"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(PendingTasks(tmp_path / "config" / "pending-tasks.json"), History(tmp_path / "data", 100_000_000))


BROKEN_RESULTS = {
    "html-200": (200, "text/html", b"<html><body>Sign in to the hotel Wi-Fi</body></html>"),
    "empty-200": (200, "image/png", b""),
    "404": (404, "text/html", b"<html>Not Found</html>"),
    "410": (410, "text/html", b"<html>Gone</html>"),
    "oversized": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 3_000_000),
    "403": (403, "application/xml", b"<Error><Code>AccessDenied</Code></Error>"),
}


@pytest.mark.parametrize("answer", BROKEN_RESULTS.values(), ids=BROKEN_RESULTS.keys())
def test_a_result_url_that_fails_keeps_the_paid_task_and_the_rerun_collects_it(
    ledger: Ledger, portrait_bytes: bytes, answer: tuple[int, str, bytes]
) -> None:
    healthy = png(7, side=96)
    with drip_server() as server:
        fake_service(server, healthy)
        server.routes["/r.png"] = (*answer, 0.0)
        client = fast_client(server.base_url, max_result_bytes=2_000_000)
        with pytest.raises(ResultUnavailableError) as caught:
            client.apply(portrait_bytes, mask_style=7, ledger=ledger)
        message = str(caught.value)
        assert caught.value.kept_pending and "paid for" in message and "at no charge" in message
        assert not isinstance(caught.value, AuthError) and "API key" not in message  # a 403 there is not the key's
        fake_service(server, healthy)  # the CDN catches up, the portal lets us through
        result = client.apply(portrait_bytes, mask_style=7, ledger=ledger)
        assert result.resumed and result.images == (healthy,) and result.entry_id is not None
        assert server.seen.count(SUBMIT) == 1, "the rerun paid again"
        again = client.apply(portrait_bytes, mask_style=7, ledger=ledger)
        assert again.reused and again.images == (healthy,) and server.seen.count(SUBMIT) == 1


def test_a_kept_result_is_reused_with_no_upload_and_a_fresh_one_is_paid_and_kept_too(
    emulator: Emulator, ledger: Ledger, portrait_bytes: bytes
) -> None:
    client = fast_client(emulator.base_url, API_KEY)
    first = client.apply(portrait_bytes, mask_style=7, ledger=ledger, source="photo.jpg")
    assert not first.free and first.entry_id is not None and first.created is not None
    again = client.apply(portrait_bytes, mask_style=7, ledger=ledger, source="photo.jpg")
    assert again.reused and again.free and again.images == first.images and again.entry_id == first.entry_id
    assert len(emulator.requests_to("submit")) == 1
    requests_before = len(emulator.requests)
    client.apply(portrait_bytes, mask_style=7, ledger=ledger)
    assert len(emulator.requests) == requests_before, "a re-use must not talk to the service at all"
    fresh = client.apply(portrait_bytes, mask_style=7, ledger=ledger, reuse=False)
    assert not fresh.free and fresh.entry_id != first.entry_id and len(emulator.requests_to("submit")) == 2
    assert ledger.lookup(client.request_key(portrait_bytes, 7)).entry.id == fresh.entry_id  # the newest
    assert not ledger.lookup(client.request_key(portrait_bytes, 8)).free
    other_style = client.apply(portrait_bytes, mask_style=8, ledger=ledger)
    assert not other_style.free and len(emulator.requests_to("submit")) == 3


def test_three_identical_requests_one_after_another_pay_once(
    emulator: Emulator, ledger: Ledger, portrait_bytes: bytes
) -> None:
    client = fast_client(emulator.base_url, API_KEY)
    results = [client.apply(portrait_bytes, mask_style=3, ledger=ledger, source=f"copy-{n}.png") for n in range(3)]
    assert [r.free for r in results] == [False, True, True]
    assert len(emulator.requests_to("submit")) == 1


def test_identical_requests_at_once_pay_once(ledger: Ledger, portrait_bytes: bytes) -> None:
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=0.5)) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(client.apply(portrait_bytes, mask_style=5, ledger=ledger)))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 3 and len(emulator.requests_to("submit")) == 1


class SteppedClock:
    """The wall clock the pending store reads, stepped by hand (NTP, a resumed VM, a dual boot)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("step", [600.0, 3 * 3600.0], ids=["back-10-min", "back-3-h"])
def test_a_wall_clock_stepped_back_between_run_and_rerun_pays_once(
    tmp_path: Path, portrait_bytes: bytes, step: float
) -> None:
    clock = SteppedClock()
    ledger = Ledger(PendingTasks(tmp_path / "pending.json", clock=clock), History(tmp_path / "data", 100_000_000))
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=1.0)) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        cancel = CancelToken()
        with pytest.raises(CancelledError) as first:
            client.apply(
                portrait_bytes, mask_style=7, ledger=ledger, cancel=cancel, on_progress=lambda p: cancel.cancel()
            )
        assert "paid for" in str(first.value) and "at no charge" in str(first.value)
        clock.now -= step
        result = client.apply(portrait_bytes, mask_style=7, ledger=ledger)
        assert result.resumed and result.created == clock.now + step  # "collects the mask paid at ..."
        assert len(emulator.requests_to("submit")) == 1


def test_without_a_history_the_task_stays_until_the_caller_settles_it(
    emulator: Emulator, tmp_path: Path, portrait_bytes: bytes
) -> None:
    ledger = Ledger(PendingTasks(tmp_path / "pending.json"), History(tmp_path / "data", max_bytes=0))  # off
    client = fast_client(emulator.base_url, API_KEY)
    first = client.apply(portrait_bytes, mask_style=7, ledger=ledger)
    assert first.entry_id is None and ledger.lookup(first.fingerprint).task is not None
    again = client.apply(portrait_bytes, mask_style=7, ledger=ledger)  # e.g. killed while writing the output
    assert again.resumed and len(emulator.requests_to("submit")) == 1
    ledger.settle(again)
    assert not ledger.lookup(first.fingerprint).free


def test_variants_pay_only_for_the_styles_without_a_kept_result(
    emulator: Emulator, ledger: Ledger, portrait_bytes: bytes
) -> None:
    client = fast_client(emulator.base_url, API_KEY)
    client.apply(portrait_bytes, mask_style=7, ledger=ledger)
    with StyleBatch(client, portrait_bytes, (3, 7, 12), ledger=ledger, source="photo.jpg") as batch:
        outcomes = batch.outcomes()
    assert [o.result.reused for o in outcomes] == [False, True, False]
    assert len(emulator.requests_to("submit")) == 3  # one for 7 alone, then 3 and 12
    assert all(o.result.entry_id is not None for o in outcomes)
    with StyleBatch(client, portrait_bytes, (3, 7, 12), ledger=ledger, reuse=False) as fresh:
        assert all(not o.result.free for o in fresh.outcomes())
    assert len(emulator.requests_to("submit")) == 6


def test_the_users_ledger_sweeps_what_a_killed_run_left_beside_the_settings(private_settings: Path) -> None:
    private_settings.parent.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = private_settings.parent / f".halloween-mask-{int(dead.stdout)}-1.part"
    stale.write_text('{"half": ')
    mine = private_settings.parent / "notes.part"
    mine.write_text("the user's")
    Ledger.for_user()
    assert not stale.exists() and mine.exists()
