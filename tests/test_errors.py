"""Every documented error code maps to a kind, a class and an actionable message with support ids."""

from __future__ import annotations

import pytest
from client_support import envelope, response
from halloween_mask.error_codes import ERROR_CODES, error_for, is_retryable, kind_for_status
from halloween_mask.errors import (
    ERROR_CLASSES,
    AuthError,
    ErrorKind,
    HalloweenMaskError,
    InvalidArgumentError,
    OutOfCreditsError,
    RateLimitedError,
    ServerBusyError,
    TaskFailedError,
)
from halloween_mask.responses import read_poll, read_submit


def test_the_table_has_every_documented_code() -> None:
    assert len(ERROR_CODES) == 126
    assert {row.http_status for row in ERROR_CODES.values()} >= {400, 401, 403, 404, 413, 415, 422, 429, 500, 502}


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_code_is_classified_with_advice_and_ids(code: str) -> None:
    row = ERROR_CODES[code]
    with pytest.raises(HalloweenMaskError) as caught:
        read_submit(response(row.http_status, envelope(code, "what the service said")))
    error = caught.value
    assert error.kind is row.kind
    assert type(error) is ERROR_CLASSES[row.kind]
    assert error.code == code and error.http_status == row.http_status
    text = str(error)
    assert row.kind.advice in text  # the sentence telling a person what to do
    assert "req-123" in text and "log-456" in text
    assert "what the service said" in text
    assert is_retryable(code, row.http_status) is row.retryable


def test_a_code_is_classified_by_code_even_with_http_200() -> None:
    with pytest.raises(OutOfCreditsError):
        read_poll(response(200, envelope("ERROR_NOT_ENOUGH_CREDITS")), "t1")


def test_429_is_switched_on_the_code_not_the_status() -> None:
    assert isinstance(error_for("ERROR_NOT_ENOUGH_CREDITS", 429), OutOfCreditsError)
    assert isinstance(error_for("EXCEEDING_LIMITS", 429), RateLimitedError)
    assert not is_retryable("ERROR_NOT_ENOUGH_CREDITS", 429)
    assert is_retryable("EXCEEDING_LIMITS", 429)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.BAD_INPUT),
        (401, ErrorKind.AUTH),
        (403, ErrorKind.AUTH),
        (404, ErrorKind.TASK_FAILED),
        (413, ErrorKind.TOO_LARGE),
        (415, ErrorKind.UNSUPPORTED_FORMAT),
        (422, ErrorKind.UNSUPPORTED_FORMAT),
        (429, ErrorKind.RATE_LIMITED),
        (500, ErrorKind.SERVER_BUSY),
        (502, ErrorKind.SERVER_BUSY),
        (418, ErrorKind.TASK_FAILED),
    ],
)
def test_unknown_codes_fall_back_on_the_http_status(status: int, kind: ErrorKind) -> None:
    assert kind_for_status(status) is kind
    error = error_for("SOMETHING_NEW", status, request_id="r9")
    assert error.kind is kind and "r9" in str(error)


def test_unknown_5xx_and_429_are_retryable_other_statuses_not() -> None:
    assert is_retryable("SOMETHING_NEW", 503)
    assert is_retryable("", 429)
    assert not is_retryable("", 400)
    assert not is_retryable("", 501)


def test_every_kind_has_a_class_and_an_advice_sentence() -> None:
    assert set(ERROR_CLASSES) == set(ErrorKind)
    for kind, cls in ERROR_CLASSES.items():
        assert cls.kind is kind
        assert kind.advice.endswith(".")


def test_message_lists_task_request_and_log_ids() -> None:
    error = AuthError("bad key", code="ERROR_USER_NOT_EXISTS", request_id="r", log_id="l", task_id="t")
    assert str(error).endswith("(ERROR_USER_NOT_EXISTS: bad key) [task t, request r, log l]")


def test_invalid_arguments_are_both_bad_input_and_value_errors() -> None:
    error = InvalidArgumentError("mask style must be ...")
    assert isinstance(error, ValueError) and error.kind is ErrorKind.BAD_INPUT
    assert "nothing was sent" in str(error)


def test_legacy_error_fields_are_read() -> None:
    body = {
        "request_id": "req-1",
        "log_id": "",
        "error_code": 422,
        "error_code_str": "FILE_CONTENT_NON_COMPLIANCE",
        "error_msg": "File content does not meet requirements. - 222202 - pic not has face",
    }
    with pytest.raises(HalloweenMaskError) as caught:
        read_submit(response(200, body))
    assert caught.value.code == "FILE_CONTENT_NON_COMPLIANCE" and caught.value.http_status == 422
    assert "pic not has face" in str(caught.value)


def test_legacy_message_order_prefers_error_detail() -> None:
    body = envelope("PROCESSING_FAILURE", "from detail", error_code=500, error_msg="from error_msg")
    with pytest.raises(ServerBusyError, match="from detail"):
        read_submit(response(500, body))
    body = envelope("", "", error_code=404, error_msg="", error_code_str="ERROR_RESOURCE_NOT_FOUND")
    with pytest.raises(TaskFailedError, match="ERROR_RESOURCE_NOT_FOUND"):
        read_submit(response(200, body))
