"""Read the service's answers: a submit, a poll, a credits query -> a value or an exception.

The classification follows the contract's failure table row by row: non-200, non-JSON,
``error_detail.code`` even with 200, legacy ``error_code`` != 0, a submit without ``task_id``,
poll states 0/1 pending, 2 with URLs done, 2 without URLs, 3, unknown or missing failed. Legacy
and unknown extra fields are tolerated.
"""

from __future__ import annotations

import email.utils
import enum
import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .error_codes import error_for
from .errors import HalloweenMaskError, ProtocolError, TaskFailedError

# No wait between two requests is longer than this, whatever an answer asks: a poll asks again within
# 15 s, so a date from a skewed clock or a huge value cannot park a run until its deadline.
MAX_RETRY_AFTER = 15.0

log = logging.getLogger(__name__)


class TaskState(enum.Enum):
    QUEUED = 0
    PROCESSING = 1
    DONE = 2


@dataclass(frozen=True)
class PollResult:
    """One poll's verdict on a task that has not failed."""

    state: TaskState
    urls: tuple[str, ...] = ()
    retry_after: float | None = None  # the pause the answer asked for, at most MAX_RETRY_AFTER


@dataclass(frozen=True)
class CreditPool:
    """One credit pool of the account (``common`` = universal credits)."""

    unique_sign: str
    name: str
    balance: float
    total: float | None = None
    balance_warning: float | None = None
    last_update_time: int | None = None


@dataclass(frozen=True)
class Answer:
    """An API response, read whole by the transport (under its size cap, within the deadline)."""

    status_code: int
    headers: Mapping[str, str]  # case-insensitive, as requests gives them
    content: bytes

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` if it is not."""
        return self._json

    @cached_property
    def _json(self) -> Any:
        return json.loads(self.content)

    @cached_property
    def retry_after(self) -> float | None:
        return retry_after(self.headers)


@dataclass(frozen=True)
class _Envelope:
    body: dict[str, Any]
    ids: dict[str, Any]


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait a response's ``Retry-After`` header asks for, in seconds; ``None`` if absent or bad.

    An HTTP date is read against the answer's own ``Date`` header, so the computer's clock being
    off does not matter; only without a ``Date`` is this computer's clock used. Whoever waits
    waits at most ``MAX_RETRY_AFTER`` of it (see ``capped``).
    """
    return parse_retry_after(headers.get("Retry-After"), _date_of(headers))


def capped(wait: float | None) -> float | None:
    """``wait`` cut to ``MAX_RETRY_AFTER``: how long a client really waits before asking again."""
    return None if wait is None else min(wait, MAX_RETRY_AFTER)


def _date_of(headers: Mapping[str, str]) -> float | None:
    """The time the answer says it was sent (its ``Date`` header), as a POSIX timestamp; ``None`` if absent/bad."""
    try:
        when = email.utils.parsedate_to_datetime(headers.get("Date") or "")
    except (TypeError, ValueError):
        return None
    return when.timestamp() if when is not None and when.tzinfo is not None else None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date); ``None`` if absent/bad.

    ``now`` is the moment a date is counted from (default: this computer's clock).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)  # delta-seconds (decimals tolerated)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_code_of(response: Answer) -> str:
    """``error_detail.code`` of a JSON answer, or ``""``."""
    try:
        detail = response.json().get("error_detail")
    except (ValueError, AttributeError):
        return ""
    return _text(detail.get("code")) if isinstance(detail, dict) else ""


def read_submit(response: Answer) -> str:
    """The task id of a successful submit, else the matching exception."""
    env = _envelope(response)
    task_id = _text(env.body.get("task_id"))
    if not task_id:
        raise ProtocolError("the service accepted the image but returned no task id", **env.ids)
    return task_id


def read_poll(response: Answer, task_id: str) -> PollResult:
    """The task's state (and result URLs when done), else the matching exception."""
    env = _envelope(response, task_id)
    data = env.body.get("data")
    data = data if isinstance(data, dict) else {}
    status = _status(env.body, data)
    if status in (0, 1):
        return PollResult(TaskState(status), retry_after=capped(response.retry_after))
    if status == 2:
        urls = data.get("result_urls")
        urls = tuple(u.strip() for u in urls if isinstance(u, str) and u.strip()) if isinstance(urls, list) else ()
        if not urls:
            raise TaskFailedError("the task completed without a result image", **env.ids)
        return PollResult(TaskState.DONE, urls, capped(response.retry_after))
    if status == 3:
        raise TaskFailedError("the service reports that the task failed", **env.ids)
    said = "no task status" if status is None else f"an unknown task status {status!r}"
    raise ProtocolError(f"the service answered with {said}", **env.ids)


def read_credits(response: Answer) -> list[CreditPool]:
    """The account's credit pools."""
    env = _envelope(response)
    pools = env.body.get("data")
    if not isinstance(pools, list):
        raise ProtocolError("the credits answer holds no list of credit pools", **env.ids)
    return [
        CreditPool(
            unique_sign=_text(p.get("unique_sign")),
            name=_text(p.get("name")),
            balance=_number(p.get("balance")) or 0,
            total=_number(p.get("total")),
            balance_warning=_number(p.get("balance_warning")),
            last_update_time=_int(p.get("last_update_time")),
        )
        for p in pools
        if isinstance(p, dict)
    ]


def _envelope(response: Answer, task_id: str = "") -> _Envelope:
    """Rows 2-5 of the table: raise for a failed answer, else return its body and support ids."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _error_without_body(status, task_id, response.retry_after)
    detail = body.get("error_detail")
    detail = detail if isinstance(detail, dict) else {}
    ids = {
        "request_id": _text(body.get("request_id")),
        "log_id": _text(body.get("log_id")),
        "task_id": task_id,
    }
    log.debug("HTTP %s: request %s, log %s", status, ids["request_id"] or "-", ids["log_id"] or "-")  # support's ids
    code = _text(detail.get("code"))
    legacy = body.get("error_code")
    legacy_failed = legacy not in (None, 0, "0", "")
    if status != 200 or code or legacy_failed:
        message = _text(detail.get("message")) or _text(body.get("error_msg")) or _text(body.get("error_code_str"))
        code = code or (_text(body.get("error_code_str")) if legacy_failed else "")
        http_status = status if status != 200 else (_int(legacy) if legacy_failed else status)
        raise error_for(code, http_status, message, retry_after=response.retry_after, **ids)
    return _Envelope(body, ids)


def _error_without_body(status: int, task_id: str, retry_after: float | None) -> HalloweenMaskError:
    if status == 200:
        return ProtocolError("the answer was not JSON", http_status=status, task_id=task_id)
    if 300 <= status < 400:
        return ProtocolError(f"unexpected redirect (HTTP {status}); check the endpoint", http_status=status)
    return error_for("", status, f"HTTP {status}", task_id=task_id, retry_after=retry_after)


def _status(body: dict[str, Any], data: dict[str, Any]) -> Any:
    for value in (data.get("task_status"), data.get("taskStatus"), body.get("task_status")):
        if value is not None:
            return _int(value) if _int(value) is not None else value
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and math.isfinite(number) and number == int(number) else None
