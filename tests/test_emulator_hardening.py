"""The emulator as a server others can reach (issue 17 §7): control routes locked, bounded threads and memory.

Every test talks to a real emulator on 127.0.0.1 over real sockets.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from emulator_support import API_KEY, SUBMIT_PATH, EmulatorApi
from halloween_mask_emulator import Emulator, EmulatorConfig
from halloween_mask_emulator import app as emulator_app
from halloween_mask_emulator import server as emulator_server

KEYED = {"ailabapi-api-key": API_KEY}


def test_control_routes_need_the_key_when_one_is_set(emulator: Emulator) -> None:
    for route in ("/_emulator/config", "/_emulator/reset"):
        refused = requests.post(emulator.base_url + route, json={"credits": 15}, timeout=5)
        assert refused.status_code == 401
        assert refused.json()["error_detail"]["code"]
    assert requests.get(emulator.base_url + "/_emulator/state", timeout=5).status_code == 401
    wrong = requests.post(
        emulator.base_url + "/_emulator/config", json={"credits": 15}, headers={"ailabapi-api-key": "nope"}, timeout=5
    )
    assert wrong.status_code == 401
    assert emulator.credits() == 10_000  # nothing changed
    accepted = requests.post(emulator.base_url + "/_emulator/config", json={"credits": 15}, headers=KEYED, timeout=5)
    assert accepted.status_code == 200
    assert emulator.credits() == 15


def test_control_routes_without_keys_set_stay_open() -> None:
    with Emulator(EmulatorConfig(accept_any_key=True)) as emulator:
        assert requests.post(emulator.base_url + "/_emulator/config", json={"credits": 30}, timeout=5).ok
        assert emulator.credits() == 30


def test_control_routes_take_json_only(emulator: Emulator) -> None:
    """A browser page can send text/plain or a form without asking first: such a body changes nothing."""
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        answer = requests.post(
            emulator.base_url + "/_emulator/config",
            data=b'{"credits": 15}',
            headers={**KEYED, "Content-Type": kind},
            timeout=5,
        )
        assert answer.status_code == 400, kind
        assert answer.headers["Content-Type"] == "application/json"
        reset = requests.post(
            emulator.base_url + "/_emulator/reset", headers={**KEYED, "Content-Type": kind}, timeout=5
        )
        assert reset.status_code == 400, kind
    assert emulator.credits() == 10_000


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_wrong_method_on_an_api_route_answers_the_json_envelope(emulator: Emulator, method: str) -> None:
    answer = requests.request(method, emulator.base_url + SUBMIT_PATH, headers=KEYED, timeout=5)
    assert answer.status_code == 405
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["request_id"] and body["log_id"]
    assert body["error_detail"]["code"] and body["error_detail"]["message"]


def test_the_request_log_is_bounded(emulator: Emulator, api: EmulatorApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator_app, "MAX_LOGGED_REQUESTS", 20)
    emulator.reset()  # the log is made anew with the bound
    for _ in range(35):
        api.credits()
    log = emulator.requests
    assert len(log) == 20
    assert all(record.route == "credits" for record in log)


def test_unpolled_tasks_are_bounded_and_keep_no_image_in_memory(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator_app, "MAX_TASKS", 4)
    ids = [api.task_id(portrait_bytes) for _ in range(6)]
    deadline = time.monotonic() + 30
    while any(task.render is not None for task in emulator.app.tasks._tasks.values()):  # rendered, not yet polled
        assert time.monotonic() < deadline
        time.sleep(0.05)
    kept = emulator.app.tasks._tasks
    assert list(kept) == ids[2:]  # the oldest are forgotten
    assert all(task.result_path is not None and task.result_path.is_file() for task in kept.values())
    assert api.poll(ids[0]).status_code == 404
    assert api.poll(ids[-1]).json()["task_status"] == 2


def _open_idle(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /api/common/query-credits HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        sockets.append(sock)
    return sockets


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` (whatever it said first) within 2 s."""
    sock.settimeout(2)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        return False
    return True


def test_slow_connections_are_bounded_and_cut_after_the_header_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator_server, "MAX_CONNECTIONS", 8)
    monkeypatch.setattr(emulator_server, "HEADER_TIMEOUT", 1.0)
    with Emulator(EmulatorConfig(api_keys=(API_KEY,))) as emulator:
        before = threading.active_count()
        idle = _open_idle(emulator.port, 40)
        try:
            time.sleep(0.3)
            assert threading.active_count() - before <= 8 + 2
            busy = requests.get(emulator.base_url + "/api/common/query-credits", headers=KEYED, timeout=5)
            assert busy.status_code == 503 and busy.json()["error_detail"]["code"]  # the envelope, at once
            time.sleep(1.5)  # the header timeout closes the slow ones
            assert all(_closed_by_server(sock) for sock in idle)
            answer = requests.get(emulator.base_url + "/api/common/query-credits", headers=KEYED, timeout=5)
            assert answer.status_code == 200
            assert threading.active_count() - before <= 2
        finally:
            for sock in idle:
                sock.close()
