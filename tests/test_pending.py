"""Uncollected tasks: a later run of the same request collects the task instead of paying again."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest
from client_support import fast_client
from emulator_support import API_KEY
from halloween_mask import pending
from halloween_mask.client import CancelToken
from halloween_mask.errors import AuthError, CancelledError, DeadlineExceededError, NoFaceError, RateLimitedError
from halloween_mask.ledger import Ledger
from halloween_mask.pending import COLLECTED, LIFETIME, PendingTasks, fingerprint
from halloween_mask_emulator import Emulator, EmulatorConfig, Failure, Fault


@pytest.fixture
def store(tmp_path):
    return PendingTasks(tmp_path / "config" / "pending-tasks.json")


# -- the store -------------------------------------------------------------------------------------


def test_fingerprint_changes_with_every_part_of_the_request():
    base = ("https://api.example", b"image", 7, None, "auto")
    variants = [
        ("https://other.example", b"image", 7, None, "auto"),
        ("https://api.example", b"imagf", 7, None, "auto"),
        ("https://api.example", b"image", 8, None, "auto"),
        ("https://api.example", b"image", None, b"template", "auto"),
        ("https://api.example", b"image", 7, None, "1:1"),
    ]
    assert fingerprint(*base) == fingerprint("https://api.example/", b"image", 7, None, "auto")
    assert len({fingerprint(*base), *(fingerprint(*v) for v in variants)}) == 1 + len(variants)


def test_store_remembers_forgets_and_keeps_its_file_private(store):
    store.remember("a", "task-1")
    store.remember("b", "task-2")
    assert (store.find("a"), store.find("b"), store.find("c")) == ("task-1", "task-2", None)
    store.forget("a")
    assert store.find("a") is None and store.find("b") == "task-2"
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert json.loads(store.path.read_text()).keys() == {"format", "b"}


@pytest.mark.parametrize("step", [600.0, 3 * 3600.0], ids=["10-min", "3-h"])
def test_an_entry_from_before_a_backward_clock_step_is_not_damaged(tmp_path, caplog, step):
    now = [1_000_000.0]
    store = PendingTasks(tmp_path / "pending.json", clock=lambda: now[0])
    store.remember("a", "task-1")
    now[0] -= step  # NTP corrects a clock that ran fast, a VM resumes, a dual boot
    assert store.find("a") == "task-1"
    assert "damaged" not in caplog.text
    now[0] += step + LIFETIME - 1
    assert store.find("a") == "task-1"


def test_entries_expire_after_the_service_drops_the_results(tmp_path):
    now = [1_000_000.0]
    store = PendingTasks(tmp_path / "pending.json", clock=lambda: now[0])
    store.remember("a", "task-1")
    now[0] += LIFETIME - 1
    assert store.find("a") == "task-1"
    now[0] += 2
    assert store.find("a") is None


def test_a_damaged_or_unwritable_file_never_breaks_a_run(tmp_path, caplog):
    broken = tmp_path / "pending.json"
    broken.write_text("{not json")
    assert PendingTasks(broken).find("a") is None
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    unwritable = PendingTasks(blocked / "pending.json")
    unwritable.remember("a", "task-1")  # logged, not raised
    assert unwritable.find("a") is None
    assert "cannot record pending tasks" in caplog.text


@pytest.mark.parametrize(
    "damaged",
    [
        {"task_id": 42, "submitted": 1_000_000.0},  # wrong type
        {"task_id": "", "submitted": 1_000_000.0},
        {"task_id": "task-x", "submitted": "yesterday"},
        {"task_id": "task-x", "submitted": True},  # a bool is not a time
        {"task_id": "task-x", "submitted": float("nan")},
        {"task_id": "task-x", "submitted": float("inf")},
        ["task-x", 1_000_000.0],
    ],
)
def test_damaged_entries_are_dropped_with_a_notice_and_good_ones_kept(tmp_path, caplog, damaged):
    path = tmp_path / "pending.json"
    good = {"task_id": "task-1", "submitted": 1_000_000.0 - 60}
    path.write_text(json.dumps({"good": good, "bad": damaged}))  # NaN and Infinity as Python's json writes them
    store = PendingTasks(path, clock=lambda: 1_000_000.0)
    assert (store.find("good"), store.find("bad")) == ("task-1", None)
    assert caplog.text.count("ignoring 1 damaged entry of the pending-task file") == 1  # once, not per lookup
    store.remember("new", "task-2")
    assert json.loads(path.read_text()).keys() == {"format", "good", "new"}


def test_a_file_that_is_not_an_object_is_reported(tmp_path, caplog):
    path = tmp_path / "pending.json"
    path.write_text("[1, 2, 3]")
    assert PendingTasks(path).find("a") is None
    assert "damaged entry of the pending-task file" in caplog.text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_the_file_is_not_waited_on(tmp_path, caplog):
    path = tmp_path / "pending.json"
    os.mkfifo(path)
    found = []
    reader = threading.Thread(target=lambda: found.append(PendingTasks(path).find("a")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():
        with open(path, "w") as writer:
            writer.write("{}")
        pytest.fail("the store waited on a FIFO")
    assert found == [None] and "ignoring the pending-task file" in caplog.text


# -- the client ------------------------------------------------------------------------------------


def test_a_cancelled_run_is_collected_by_the_next_run_without_paying_again(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=1.5)) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        cancel = CancelToken()
        with pytest.raises(CancelledError) as first:
            client.apply(
                portrait_bytes, mask_style=7, pending=store, cancel=cancel, on_progress=lambda progress: cancel.cancel()
            )
        assert len(emulator.requests_to("submit")) == 1

        result = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert result.task_id == first.value.task_id and result.resumed
        assert len(emulator.requests_to("submit")) == 1, "the second run paid for the same request again"
        assert result.images and store.find(fingerprint(emulator.base_url, portrait_bytes, 7, None, "auto")) is None

        third = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert not third.resumed, "a collected task must not be handed out twice"
        assert len(emulator.requests_to("submit")) == 2


def test_a_collected_task_not_yet_settled_is_collected_again_unless_a_fresh_one_is_asked_for(portrait_bytes, store):
    ledger = Ledger(store)  # no history: the task stays (collected) until the caller settles it
    with Emulator(EmulatorConfig(api_keys={API_KEY})) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        first = client.apply(portrait_bytes, mask_style=7, ledger=ledger)
        key = fingerprint(emulator.base_url, portrait_bytes, 7, None, "auto")
        assert store.task(key).state == COLLECTED
        again = client.apply(portrait_bytes, mask_style=7, ledger=ledger)  # e.g. killed while writing the output
        assert again.resumed and again.images == first.images and len(emulator.requests_to("submit")) == 1
        fresh = client.apply(portrait_bytes, mask_style=7, ledger=ledger, reuse=False)
        assert not fresh.resumed and len(emulator.requests_to("submit")) == 2
        ledger.settle(fresh)
        assert store.task(key) is None


def test_a_deadline_keeps_the_task_and_another_request_is_not_confused_with_it(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=2.0)) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        with pytest.raises(DeadlineExceededError):
            client.apply(portrait_bytes, mask_style=7, pending=store, deadline=0.5)
        other = client.apply(portrait_bytes, mask_style=8, pending=store)
        assert not other.resumed and len(emulator.requests_to("submit")) == 2
        again = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert again.resumed and len(emulator.requests_to("submit")) == 2


def test_a_remembered_task_the_service_no_longer_knows_is_submitted_afresh(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY})) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        key = fingerprint(emulator.base_url, portrait_bytes, 7, None, "auto")
        store.remember(key, "1700000000000.00000000-0000-0000-0000-000000000000")
        result = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert not result.resumed and len(emulator.requests_to("submit")) == 1 and result.images
        assert store.find(key) is None


def test_a_task_that_failed_for_good_is_forgotten(no_face_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY})) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        with pytest.raises(NoFaceError):
            client.apply(no_face_bytes, mask_style=7, pending=store)
        assert store.find(fingerprint(emulator.base_url, no_face_bytes, 7, None, "auto")) is None


def test_a_refused_key_does_not_lose_the_task_it_could_not_collect(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=1.0)) as emulator:
        with pytest.raises(DeadlineExceededError):
            fast_client(emulator.base_url, API_KEY).apply(portrait_bytes, mask_style=7, pending=store, deadline=0.3)
        with pytest.raises(AuthError):
            fast_client(emulator.base_url, "a-mistyped-key").apply(portrait_bytes, mask_style=7, pending=store)
        result = fast_client(emulator.base_url, API_KEY).apply(portrait_bytes, mask_style=7, pending=store)
        assert result.resumed and len(emulator.tasks) == 1


def test_parallel_jobs_sharing_a_store_lose_no_entry(store):
    threads = [threading.Thread(target=store.remember, args=(f"key-{n}", f"task-{n}")) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [store.find(f"key-{n}") for n in range(20)] == [f"task-{n}" for n in range(20)]


def test_a_look_waits_for_a_write_in_progress_in_another_thread(store, monkeypatch):
    """A write that is not atomic (half the file on disk for a while) is never read half-done."""
    halfway, finished = threading.Event(), threading.Event()

    def slow_write(path, text):  # stands for a writer that cannot replace the file at once
        with open(path, "w") as handle:
            handle.write(text[: len(text) // 2])
            handle.flush()
            halfway.set()
            finished.wait(10)
            handle.write(text[len(text) // 2 :])

    store.remember("kept", "task-kept")
    monkeypatch.setattr(pending, "write_private", slow_write)
    writer = threading.Thread(target=store.remember, args=("new", "task-new"))
    writer.start()
    assert halfway.wait(10)
    found: list[str | None] = []
    looks = [threading.Thread(target=lambda key=key: found.append(store.find(key))) for key in ("kept", "new") * 4]
    for look in looks:
        look.start()
    looks[0].join(0.3)  # a look that does not wait for the writer reads the half file now
    finished.set()
    for thread in (writer, *looks):
        thread.join(10)
    assert sorted(found) == ["task-kept"] * 4 + ["task-new"] * 4


def test_being_told_to_slow_down_does_not_lose_the_task(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, processing_seconds=0.5)) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        emulator.configure(faults=(Fault.error("EXCEEDING_LIMITS", route="poll", count=100),))
        with pytest.raises(RateLimitedError):
            client.apply(portrait_bytes, mask_style=7, pending=store)
        emulator.configure(faults=())
        assert client.apply(portrait_bytes, mask_style=7, pending=store).resumed
        assert len(emulator.tasks) == 1


def test_a_task_that_runs_out_of_time_twice_is_given_up(portrait_bytes, store):
    with Emulator(EmulatorConfig(api_keys={API_KEY}, next_failures=(Failure("never"),))) as emulator:
        client = fast_client(emulator.base_url, API_KEY)
        for _ in range(2):  # the first run, then the run that tries to collect it
            with pytest.raises(DeadlineExceededError):
                client.apply(portrait_bytes, mask_style=7, pending=store, deadline=0.3)
        result = client.apply(portrait_bytes, mask_style=7, pending=store)
        assert not result.resumed and len(emulator.tasks) == 2


def test_forgetting_a_task_leaves_a_newer_task_of_the_same_request(store):
    store.remember("a", "task-new")
    store.forget("a", "task-old")  # a run that collected the older task must not drop the newer one
    assert store.find("a") == "task-new"
    store.forget_task("task-new")
    assert store.find("a") is None


def test_the_file_carries_its_format_and_a_newer_ones_is_never_rewritten(tmp_path: Path) -> None:
    store = PendingTasks(tmp_path / "pending-tasks.json")
    store.remember("a", "task-a")
    assert json.loads(store.path.read_text())["format"] == 2
    newer = {"format": 9, "b": {"task_id": "task-b", "submitted": time.time(), "state": "paid", "more": 1}}
    store.path.write_text(json.dumps(newer))
    before = store.path.read_bytes()
    assert PendingTasks(store.path).find("b") == "task-b"  # its tasks are still collected
    PendingTasks(store.path).remember("c", "task-c")
    assert store.path.read_bytes() == before
