"""The failure table of the contract, row by row, on real ``requests.Response`` objects."""

from __future__ import annotations

import email.utils
import time

import pytest
from client_support import envelope, response
from halloween_mask.errors import NoFaceError, ProtocolError, ServerBusyError, TaskFailedError
from halloween_mask.responses import TaskState, parse_retry_after, read_credits, read_poll, read_submit


def test_submit_returns_the_task_id_and_tolerates_legacy_and_extra_fields() -> None:
    body = envelope(task_id="1714743372764.fb8fd68b", error_code=0, error_msg="", task_type="async", new_field=[1])
    body["error_detail"]["status_code"] = 200
    assert read_submit(response(200, body)) == "1714743372764.fb8fd68b"


@pytest.mark.parametrize("task_id", [None, "", "   "])
def test_submit_without_task_id_is_a_protocol_error(task_id: object) -> None:
    with pytest.raises(ProtocolError, match="no task id") as caught:
        read_submit(response(200, envelope(task_id=task_id)))
    assert caught.value.request_id == "req-123"


@pytest.mark.parametrize(
    ("status", "state"), [(0, TaskState.QUEUED), (1, TaskState.PROCESSING), ("1", TaskState.PROCESSING)]
)
def test_pending_states(status: object, state: TaskState) -> None:
    assert read_poll(response(200, envelope(task_status=status)), "t").state is state


def test_done_returns_every_url_in_order() -> None:
    body = envelope(task_status=2, data={"result_urls": ["https://a/1.png", "https://a/2.png", "https://a/1.png"]})
    result = read_poll(response(200, body), "t")
    assert result.state is TaskState.DONE
    assert result.urls == ("https://a/1.png", "https://a/2.png", "https://a/1.png")


@pytest.mark.parametrize("data", [{"task_status": 2}, {"taskStatus": 2}])
def test_status_nested_under_data_is_read(data: dict) -> None:
    body = {"error_code": 0, "data": {**data, "result_urls": ["https://x/y.png"]}}
    assert read_poll(response(200, body), "t").state is TaskState.DONE


@pytest.mark.parametrize("urls", [None, [], [""], [None, 3]])
def test_done_without_urls_is_a_failure(urls: object) -> None:
    body = envelope(task_status=2, data={} if urls is None else {"result_urls": urls})
    with pytest.raises(TaskFailedError, match="without a result") as caught:
        read_poll(response(200, body), "task-9")
    assert caught.value.task_id == "task-9" and "task-9" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        (3, TaskFailedError, "failed"),  # the service says the task failed
        (7, ProtocolError, "unknown task status 7"),  # an answer out of contract proves nothing about the task
        ("weird", ProtocolError, "unknown"),
        (None, ProtocolError, "no task status"),
    ],
)
def test_failed_unknown_or_missing_status(status: object, error: type, match: str) -> None:
    body = envelope() if status is None else envelope(task_status=status)
    with pytest.raises(error, match=match):
        read_poll(response(200, body), "t")


def test_non_200_poll_is_classified_by_code() -> None:
    with pytest.raises(NoFaceError, match="pic not has face"):
        read_poll(response(422, envelope("ERROR_NO_FACE_IN_FILE", "pic not has face")), "t")


def test_error_detail_with_200_fails_even_when_status_says_done() -> None:
    body = envelope("PROCESSING_FAILURE", task_status=2, data={"result_urls": ["https://x/y.png"]})
    with pytest.raises(ServerBusyError):
        read_poll(response(200, body), "t")


def test_non_json_bodies() -> None:
    with pytest.raises(ProtocolError, match="not JSON"):
        read_poll(response(200, b"<html>oops</html>"), "t")
    with pytest.raises(ServerBusyError, match="HTTP 502"):
        read_poll(response(502, b"<html>Bad gateway</html>"), "t")
    with pytest.raises(ProtocolError):
        read_poll(response(200, [1, 2]), "t")


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-1") is None and parse_retry_after("nan") is None
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= parse_retry_after(date, now=now) <= 31
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    pending = read_poll(response(200, envelope(task_status=1), {"Retry-After": "12"}), "t")
    assert pending.retry_after == 12.0


def test_credits_are_typed_pools() -> None:
    pools = [
        {"unique_sign": "common", "name": "Universal", "balance": 1985, "total": 2000, "last_update_time": 1700000000},
        {"unique_sign": "portrait_ai_halloween_masks", "name": "Halloween", "balance": "30"},
        "junk",
    ]
    common, halloween = read_credits(response(200, envelope(data=pools)))
    assert (common.unique_sign, common.balance, common.total, common.last_update_time) == (
        "common",
        1985,
        2000,
        1700000000,
    )
    assert halloween.balance == 30 and halloween.total is None
    with pytest.raises(ProtocolError):
        read_credits(response(200, envelope(data={"x": 1})))
