"""A paid task is never paid twice: failures that prove nothing keep it, identical runs share it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from client_support import fast_client
from emulator_support import API_KEY, PORTRAIT
from halloween_mask.errors import DeadlineExceededError, ProtocolError, ServerBusyError
from halloween_mask.pending import PendingTasks, fingerprint
from halloween_mask.timing import CancelToken, Clock, Deadline
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator, EmulatorConfig, Fault


@pytest.fixture
def store(tmp_path: Path) -> PendingTasks:
    return PendingTasks(tmp_path / "config" / "pending-tasks.json")


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ((Fault("malformed_json", route="poll"),), ProtocolError),  # one answer that is not JSON
        ((Fault("html", route="poll", count=100),), ServerBusyError),  # 502 pages outlasting the retries
    ],
    ids=["malformed-answer", "5xx-outlasting-retries"],
)
def test_a_poll_failure_that_proves_nothing_keeps_the_task(
    portrait_bytes: bytes, store: PendingTasks, faults: tuple, error: type
) -> None:
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=0.3)) as emulator:
        client = fast_client(emulator.base_url)
        emulator.configure(faults=faults)
        with pytest.raises(error) as caught:
            client.apply(portrait_bytes, mask_style=7, pending=store)
        assert caught.value.kept_pending
        emulator.configure(faults=())
        again = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert again.resumed and again.images
        assert len(emulator.requests_to("submit")) == 1


def test_the_command_line_says_how_a_kept_task_will_be_collected(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
    monkeypatch.setenv("AILAB_API_KEY", API_KEY)
    emulator.configure(faults=(Fault("malformed_json", route="poll"),))
    argv = ["apply", str(PORTRAIT), "--style", "3", "-o", str(tmp_path / "out.png")]
    assert main(argv) == 1
    (task_id,) = emulator.tasks
    err = capsys.readouterr().err
    assert "paid for: run the same again within 24 hours to collect it at no charge" in err
    assert f"halloween-mask fetch {task_id}" in err
    assert main(argv) == 0 and len(emulator.requests_to("submit")) == 1


def test_identical_requests_on_threads_share_one_task(portrait_bytes: bytes, store: PendingTasks) -> None:
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=0.5)) as emulator:
        client = fast_client(emulator.base_url)
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(client.apply(portrait_bytes, mask_style=5, pending=store)))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 4 and all(r.images for r in results)
        assert len(emulator.requests_to("submit")) == 1
        assert sorted(r.resumed for r in results) == [False, True, True, True]


def test_identical_commands_in_two_processes_share_one_task(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=1.0)) as emulator:
        env = {**os.environ, "AILAB_API_BASE": emulator.base_url, "AILAB_API_KEY": API_KEY}
        env["HALLOWEEN_MASK_SETTINGS"] = str(settings)
        command = [sys.executable, "-m", "halloween_mask_cli", "apply", str(PORTRAIT), "--style", "9", "-o"]
        for trial in range(3):  # today's code submitted twice in most trials
            emulator.reset()
            env["HALLOWEEN_MASK_DATA"] = str(tmp_path / f"data-{trial}")  # no result kept from the trial before
            outputs = [tmp_path / f"out-{trial}-{n}.png" for n in range(2)]
            children = [
                subprocess.Popen(
                    [*command, str(out)],
                    env=env,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for out in outputs
            ]
            said = [child.communicate(timeout=60)[1] for child in children]
            assert [child.returncode for child in children] == [0, 0], said
            assert all(out.is_file() for out in outputs)
            assert len(emulator.requests_to("submit")) == 1, f"trial {trial}: {said}"


def test_a_killed_run_does_not_hold_its_request_locked(tmp_path: Path, store: PendingTasks) -> None:
    key = fingerprint("https://api.example", b"image", 7, None, "auto")
    holder = (
        "import sys, time\n"
        "from halloween_mask.pending import PendingTasks\n"
        "from halloween_mask.timing import CancelToken, Clock, Deadline\n"
        f"store = PendingTasks({str(store.path)!r})\n"
        f"with store.claim({key!r}, deadline=Deadline(Clock(), 60), cancel=CancelToken()):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        wait = Deadline(Clock(), 0.5)
        with (
            pytest.raises(DeadlineExceededError, match="still submitting"),
            store.claim(key, deadline=wait, cancel=CancelToken()),
        ):
            pass
        os.kill(child.pid, signal.SIGKILL)  # killed while holding the lock: the OS drops it
        child.wait(10)
        with store.claim(key, deadline=Deadline(Clock(), 5), cancel=CancelToken()):
            store.remember(key, "task-1")
        assert store.find(key) == "task-1"
    finally:
        child.kill()
        child.wait()


def test_a_failure_the_service_reports_for_the_task_forgets_it(portrait_bytes: bytes, store: PendingTasks) -> None:
    with Emulator(EmulatorConfig(api_keys={API_KEY}, failure="poll_error")) as emulator:  # PROCESSING_FAILURE
        client = fast_client(emulator.base_url)
        with pytest.raises(ServerBusyError, match="PROCESSING_FAILURE") as caught:
            client.apply(portrait_bytes, mask_style=7, pending=store)
        assert not caught.value.kept_pending
        assert store.find(fingerprint(emulator.base_url, portrait_bytes, 7, None, "auto")) is None
