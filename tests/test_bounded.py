"""Bounded memory and disk whatever the server (or a file) claims, and whole output files."""

from __future__ import annotations

import errno
import gc
import io
import json
import os
import subprocess
import sys
import threading
import tracemalloc
import types
from pathlib import Path

import pytest
import requests
from client_support import POLL, envelope, fast_client, tiny_server
from emulator_support import API_KEY, PORTRAIT, EmulatorApi
from forged_support import forged_png
from halloween_mask.client import MAX_RESULTS
from halloween_mask.errors import ProtocolError, TooLargeError
from halloween_mask.imageformat import check_complete
from halloween_mask.transport import MAX_ANSWER_BYTES, Transport
from halloween_mask_cli import main
from halloween_mask_cli.fitting import fit_for_upload
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image

TESTS = Path(__file__).resolve().parent

KEYED = {"ailabapi-api-key": API_KEY}  # the control routes want the emulator's key


def small_png(colour: str = "purple") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def poll_route(task_id: str = "t-1") -> str:
    return f"{POLL}?task_id={task_id}"


# -- API answers and result URLs -------------------------------------------------------------------


def test_an_oversize_api_answer_is_refused_while_it_is_read() -> None:
    padding = "x" * (5 * MAX_ANSWER_BYTES)  # otherwise a valid, finished task
    body = json.dumps(envelope(task_status=2, data={"result_urls": ["http://127.0.0.1:1/r.png"]}, pad=padding))
    with tiny_server({poll_route(): (200, {"Content-Type": "application/json"}, body.encode())}) as (base, _):
        del padding, body
        gc.collect()
        tracemalloc.start()
        try:
            with fast_client(base) as client, pytest.raises(ProtocolError, match="byte limit"):
                client.wait("t-1")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 3 * MAX_ANSWER_BYTES, f"{peak:,} bytes held for a {5 * MAX_ANSWER_BYTES:,} byte answer"


def test_at_most_a_few_results_are_taken_and_the_rest_refused_with_a_note(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = {"/r.png": (200, {"Content-Type": "image/png"}, small_png())}
    with tiny_server(routes) as (base, seen):
        urls = [f"{base}/r.png"] * 20
        routes[poll_route()] = (200, {}, json.dumps(envelope(task_status=2, data={"result_urls": urls})).encode())
        with fast_client(base) as client:
            result = client.collect("t-1")
        assert len(result.images) == len(result.urls) == MAX_RESULTS and result.refused == 20 - MAX_RESULTS
        assert sum(path == "/r.png" for path, _ in seen) == MAX_RESULTS

        monkeypatch.setenv("AILAB_API_BASE", base)
        monkeypatch.setenv("AILAB_API_KEY", API_KEY)
        out = tmp_path / "out" / "fetched.png"
        assert main(["fetch", "t-1", "-o", str(out)]) == 0
    assert len(list(out.parent.iterdir())) == MAX_RESULTS
    assert f"the service sent 20 results; only the first {MAX_RESULTS} were taken" in capsys.readouterr().err


def test_the_result_carries_what_the_client_checked_of_each_image(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(result_count=2, distinct_urls=True)
    with fast_client(emulator.base_url) as client:
        result = client.apply(portrait_bytes, mask_style=3)
    assert result.infos == tuple(check_complete(data) for data in result.images)
    assert [(i.format, i.width, i.height) for i in result.infos] == [("png", 512, 512)] * 2


def test_every_thread_gets_its_own_session_and_close_ends_them_all() -> None:
    transport = Transport()
    sessions = []
    threads = [threading.Thread(target=lambda: sessions.append(transport.session)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert transport.session is transport.session  # one per thread, kept
    assert len({id(s) for s in [*sessions, transport.session]}) == 4
    transport.close()
    assert all(not s.adapters["https://"].poolmanager.pools for s in sessions)


# -- input images ----------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("side", "said"), [(10000, r"10000x10000 px \(100 MP\)"), (20000, "over 179 MP")], ids=["100MP", "400MP"]
)
def test_an_image_too_large_to_decode_is_refused_before_decoding(side: int, said: str) -> None:
    with pytest.raises(TooLargeError, match=said + ".*scale it down first"):
        fit_for_upload(forged_png(side, side))


def test_a_forged_huge_jpeg_is_decoded_at_a_reduced_scale() -> None:
    code = (
        "import resource, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from forged_support import forged_jpeg\n"
        "from halloween_mask_cli.fitting import fit_for_upload\n"
        "fitted = fit_for_upload(forged_jpeg(12000))\n"
        "print(fitted.size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    size, peak_mb = done.stdout.rsplit(" ", 1)
    assert size == "(12000, 12000)"
    assert int(peak_mb) < 800, f"{peak_mb} MB to fit a 12000x12000 JPEG (it was 1.7 GB decoded whole)"


# -- output files ----------------------------------------------------------------------------------


def test_a_full_disk_leaves_no_truncated_result(emulator: Emulator, tmp_path: Path) -> None:
    out = tmp_path / "out" / "result.png"
    out.parent.mkdir()
    code = (
        "import resource, signal, sys\n"
        "from halloween_mask_cli import main\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # as if the disk filled up\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "AILAB_API_BASE": emulator.base_url, "AILAB_API_KEY": API_KEY}
    env.update(HALLOWEEN_MASK_SETTINGS=str(tmp_path / "settings.json"), PYTHONDONTWRITEBYTECODE="1")
    argv = ["apply", str(PORTRAIT), "--style", "4", "-o", str(out)]
    done = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"cannot write {out}" in done.stderr and "halloween-mask fetch" in done.stderr
    assert list(out.parent.iterdir()) == [], "a partial file was left behind"


def test_offline_a_write_failure_says_what_to_do_instead_of_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    out = tmp_path / "out.png"
    assert main(["apply", str(PORTRAIT), "--style", "6", "--offline", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Nothing was paid (offline)" in err and "run the command again" in err
    assert "fetch" not in err
    assert list(tmp_path.iterdir()) == []


# -- the emulator ----------------------------------------------------------------------------------


def test_the_emulator_keeps_finished_results_out_of_memory(portrait_bytes: bytes) -> None:
    with Emulator(EmulatorConfig(api_keys={API_KEY})) as emulator:
        api = EmulatorApi(emulator.base_url)
        for _ in range(3):
            api.poll(api.task_id(portrait_bytes))
        result = len(next(iter(emulator.tasks.values())).result)
        kept = _bytes_reachable(emulator.app.tasks) / 3  # what the task store holds: not other threads' memory
        assert kept < result / 4, f"{kept:,.0f} bytes kept per task, for a {result:,} byte result"
        assert all(task.result for task in emulator.tasks.values())  # still served
    assert all(task.result is None for task in emulator.tasks.values())  # removed with the emulator


def _bytes_reachable(root: object) -> int:
    """The size of every object ``root`` holds, directly or not (classes and modules left out)."""
    seen: set[int] = set()
    pending, total = [root], 0
    while pending:
        obj = pending.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        pending.extend(gc.get_referents(obj))
    return total


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"queued_seconds": "abc"}, "queued_seconds"),
        ({"processing_seconds": [5, 1]}, "low <= high"),
        ({"credits": -3}, "credits"),
        ({"faults": [{"kind": "latency", "seconds": "soon"}]}, "seconds"),
        ({"result_count": 1.5}, "result_count"),
        ([1, 2], "JSON object"),
    ],
)
def test_the_control_route_refuses_bad_settings_with_the_reason(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes, changes: object, reason: str
) -> None:
    refused = requests.post(emulator.base_url + "/_emulator/config", json=changes, headers=KEYED, timeout=5)
    assert refused.status_code == 400 and reason in refused.json()["error_detail"]["message"]
    assert api.submit(portrait_bytes, mask_style="2").status_code == 200  # the emulator still works


def test_reset_restores_the_starting_settings(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    started = emulator.config
    changed = requests.post(
        emulator.base_url + "/_emulator/config", json={"credits": 15, "queued_seconds": 60}, headers=KEYED, timeout=5
    )
    assert changed.status_code == 200
    requests.post(emulator.base_url + "/_emulator/reset", json={}, headers=KEYED, timeout=5).raise_for_status()
    assert emulator.config == started
    task_id = api.task_id(portrait_bytes)
    assert api.poll(task_id).json()["task_status"] == 2  # not queued for a minute
