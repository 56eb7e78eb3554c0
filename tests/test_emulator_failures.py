"""Failure modes (a)-(h) and transient faults, observed from a real ``requests`` client."""

from __future__ import annotations

import time

import pytest
import requests
from emulator_support import EmulatorApi
from halloween_mask_emulator import Emulator, Failure, Fault
from test_emulator_api import assert_envelope


def finished_poll(emulator: Emulator, api: EmulatorApi, image: bytes, **fields: str) -> requests.Response:
    return api.poll(api.task_id(image, **fields))


# ---- failure modes ----------------------------------------------------------------------------
def test_a_submit_reject(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="submit_reject")
    body = assert_envelope(api.submit(portrait_bytes, mask_style="7"), "ERROR_NO_FACE_IN_FILE")
    assert body["error_detail"]["message"] == "pic not has face" and emulator.tasks == {}
    emulator.configure(failure=Failure("submit_reject", code="ERROR_CONTENT_NON_COMPLIANCE", message="nope"))
    body = assert_envelope(api.submit(portrait_bytes, mask_style="7"), "ERROR_CONTENT_NON_COMPLIANCE")
    assert body["error_detail"]["message"] == "nope"


def test_b_poll_error_is_the_default_model(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="poll_error")
    body = assert_envelope(finished_poll(emulator, api, portrait_bytes), "PROCESSING_FAILURE")
    assert "task_status" not in body and "data" not in body
    emulator.configure(failure=Failure("poll_error", code="ERROR_NO_FACE_IN_FILE"))
    assert_envelope(finished_poll(emulator, api, portrait_bytes), "ERROR_NO_FACE_IN_FILE")


def test_c_status_3(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="status_3")
    body = assert_envelope(finished_poll(emulator, api, portrait_bytes))
    assert body["task_status"] == 3 and "data" not in body


def test_d_empty_urls(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="empty_urls")
    body = assert_envelope(finished_poll(emulator, api, portrait_bytes))
    assert body["task_status"] == 2 and body["data"] == {"result_urls": []}


def test_e_error_code_with_200(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="error_200")
    response = finished_poll(emulator, api, portrait_bytes)
    assert response.status_code == 200
    assert response.json()["error_detail"]["code"] == "PROCESSING_FAILURE"


def test_f_never_completes(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="never", result_ttl=0.6)
    task_id = api.task_id(portrait_bytes)
    for _ in range(3):
        assert assert_envelope(api.poll(task_id))["task_status"] == 1
        time.sleep(0.1)
    time.sleep(0.4)
    assert_envelope(api.poll(task_id), "ERROR_RESOURCE_NOT_FOUND")


def test_g_nested_status(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="nested_status", processing_seconds=0.4)
    task_id = api.task_id(portrait_bytes)
    early = assert_envelope(api.poll(task_id))
    assert "task_status" not in early and early["data"] == {"task_status": 1}
    time.sleep(0.5)
    done = assert_envelope(api.poll(task_id))
    assert done["data"]["task_status"] == 2 and len(done["data"]["result_urls"]) == 1
    assert requests.get(done["data"]["result_urls"][0], timeout=10).status_code == 200
    assert emulator.tasks[task_id].charged


def test_h_html_502(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failure="html_502")
    response = finished_poll(emulator, api, portrait_bytes)
    assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_failures_by_style_and_next_failures(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(failures_by_style={13: "status_3", "template": "empty_urls"}, next_failures=["error_200"])
    assert finished_poll(emulator, api, portrait_bytes, mask_style="13").json()["error_detail"]["code"]  # queued
    assert finished_poll(emulator, api, portrait_bytes, mask_style="13").json()["task_status"] == 3
    assert finished_poll(emulator, api, portrait_bytes, mask_style="14").json()["data"]["result_urls"]
    files = {"image_template": ("t.png", portrait_bytes, "image/png")}
    task_id = api.submit(portrait_bytes, files=files).json()["task_id"]
    assert api.poll(task_id).json()["data"]["result_urls"] == []


def test_no_face_fails_at_poll_by_default(api: EmulatorApi, no_face_bytes: bytes) -> None:
    task_id = assert_envelope(api.submit(no_face_bytes, mask_style="7"))["task_id"]
    body = assert_envelope(api.poll(task_id), "ERROR_NO_FACE_IN_FILE")
    assert body["error_detail"]["message"] == "pic not has face"


def test_no_face_poll_style_is_configurable(emulator: Emulator, api: EmulatorApi, no_face_bytes: bytes) -> None:
    emulator.configure(poll_failure_mode="status_3")
    assert finished_poll(emulator, api, no_face_bytes).json()["task_status"] == 3


def test_no_face_at_submit(emulator: Emulator, api: EmulatorApi, no_face_bytes: bytes, portrait_bytes: bytes) -> None:
    emulator.configure(no_face_at="submit")
    assert_envelope(api.submit(no_face_bytes, mask_style="7"), "ERROR_NO_FACE_IN_FILE")
    task_id = assert_envelope(api.submit(portrait_bytes, mask_style="7"))["task_id"]
    assert api.poll(task_id).json()["task_status"] == 2


def test_bad_failure_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Failure("explode")
    with pytest.raises(ValueError):
        Fault("error", code="NOT_A_CODE")
    with pytest.raises(ValueError):
        Fault("drop", route="nowhere")


# ---- transient faults -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "code",
    [
        "EXCEEDING_LIMITS",
        "AI_SERVICE_FLOW_RESTRICTION",
        "AI_SERVICE_ERROR",
        "AI_SERVICE_TIMEOUT",
        "SERVICE_INTERNAL_ERROR",
    ],
)
def test_error_faults_hit_the_first_n_calls_then_recover(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes, code: str
) -> None:
    task_id = api.task_id(portrait_bytes)
    emulator.configure(faults=[Fault.error(code, route="poll", count=2)])
    for _ in range(2):
        response = api.poll(task_id)
        assert_envelope(response, code)
        assert "Retry-After" not in response.headers
    assert_envelope(api.poll(task_id))
    assert [r.fault for r in emulator.requests[-3:]] == ["error", "error", None]


def test_retry_after_header(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(faults=[Fault.error("EXCEEDING_LIMITS", route="submit", retry_after=2)])
    response = api.submit(portrait_bytes, mask_style="7")
    assert_envelope(response, "EXCEEDING_LIMITS")
    assert response.headers["Retry-After"] == "2"
    assert_envelope(api.submit(portrait_bytes, mask_style="7"))


def test_retry_after_on_pending_polls(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(processing_seconds=0.3, poll_retry_after=1.5)
    task_id = api.task_id(portrait_bytes)
    pending = api.poll(task_id)
    assert pending.json()["task_status"] == 1 and pending.headers["Retry-After"] == "1.5"
    time.sleep(0.3)
    done = api.poll(task_id)
    assert done.json()["task_status"] == 2 and "Retry-After" not in done.headers


def test_faults_only_hit_their_route(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(faults=[Fault.error("AI_SERVICE_ERROR", route="submit", count=5)])
    assert_envelope(api.credits())


def test_burst_on_every_route(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(faults=[Fault.error("SERVICE_INTERNAL_ERROR", route="*", count=3)])
    assert_envelope(api.credits(), "SERVICE_INTERNAL_ERROR")
    assert_envelope(api.submit(portrait_bytes, mask_style="7"), "SERVICE_INTERNAL_ERROR")
    assert_envelope(api.poll("x"), "SERVICE_INTERNAL_ERROR")
    assert_envelope(api.credits())


def test_latency(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(faults=[Fault("latency", route="credits", seconds=0.5)])
    started = time.perf_counter()
    assert_envelope(api.credits())
    assert time.perf_counter() - started >= 0.5


@pytest.mark.parametrize("route", ["submit", "poll", "credits", "result"])
def test_dropped_connection_raises_connection_error(
    emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes, route: str
) -> None:
    task_id = api.task_id(portrait_bytes)
    url = api.poll(task_id).json()["data"]["result_urls"][0]
    emulator.configure(faults=[Fault("drop", route=route)])
    call = {
        "submit": lambda: api.submit(portrait_bytes, mask_style="7"),
        "poll": lambda: api.poll(task_id),
        "credits": lambda: api.credits(),
        "result": lambda: requests.get(url, timeout=10),
    }[route]
    with pytest.raises(requests.ConnectionError):
        call()
    assert emulator.requests[-1].status is None and emulator.requests[-1].fault == "drop"
    assert call().status_code == 200


def test_truncated_download(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    url = api.poll(api.task_id(portrait_bytes)).json()["data"]["result_urls"][0]
    emulator.configure(faults=[Fault("truncate", route="result")])
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=10)
    assert requests.get(url, timeout=10).status_code == 200


def test_truncated_json(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(faults=[Fault("truncate", route="credits")])
    with pytest.raises(requests.RequestException):
        api.credits()


def test_cut_download(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    url = api.poll(api.task_id(portrait_bytes)).json()["data"]["result_urls"][0]
    whole = requests.get(url, timeout=10).content
    emulator.configure(faults=[Fault("cut", route="result")])
    cut = requests.get(url, timeout=10)  # nothing in HTTP shows the loss
    assert cut.status_code == 200 and int(cut.headers["Content-Length"]) == len(cut.content) == len(whole) // 2
    assert whole.startswith(cut.content)
    assert requests.get(url, timeout=10).content == whole


def test_slow_download(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    url = api.poll(api.task_id(portrait_bytes)).json()["data"]["result_urls"][0]
    whole = requests.get(url, timeout=10).content
    emulator.configure(faults=[Fault("slow", route="result", seconds=0.8)])
    started = time.perf_counter()
    slow = requests.get(url, timeout=10)
    assert time.perf_counter() - started >= 0.7 and slow.content == whole


def test_malformed_json(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(faults=[Fault("malformed_json", route="credits")])
    response = api.credits()
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_html_fault(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    emulator.configure(faults=[Fault("html", route="submit")])
    response = api.submit(portrait_bytes, mask_style="7")
    assert response.status_code == 502 and "Bad Gateway" in response.text
    assert emulator.tasks == {}


def test_faults_from_json_dicts(emulator: Emulator, api: EmulatorApi) -> None:
    emulator.configure(faults=[{"kind": "error", "route": "credits", "code": "AI_SERVICE_TIMEOUT"}])
    assert_envelope(api.credits(), "AI_SERVICE_TIMEOUT")
