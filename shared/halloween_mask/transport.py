"""The one place that decides timeouts and retries, around the one ``requests.Session``.

Safe requests (polls, credits, downloads) are retried with exponential backoff and jitter on
transport errors, rate-limit codes and retryable 5xx, honouring ``Retry-After`` within the
deadline. A submit is retried only when it provably never left this machine (connection refused,
connect timeout, name resolution); once it may have been received it is never resent.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

try:
    from urllib3.exceptions import NameResolutionError
except ImportError:  # urllib3 1.26 reports a failed lookup as a plain NewConnectionError
    NameResolutionError = NewConnectionError

from . import __version__
from .error_codes import error_for, is_retryable
from .errors import (
    CancelledError,
    DeadlineExceededError,
    HalloweenMaskError,
    NetworkError,
    ProtocolError,
    SubmitOutcomeUnknownError,
    TaskFailedError,
)
from .responses import error_code_of, parse_retry_after
from .timing import CancelToken, Clock, Deadline

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = f"halloween-mask/{__version__} (+requests {requests.__version__})"
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect, and to wait for each read (an upload's answer, a poll, a download chunk)."""

    connect: float = 10.0
    read: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: about 1, 2, 4, 8 s between at most ``attempts`` tries."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 8.0
    jitter: float = 0.5  # the share of each wait that is random
    unreachable_attempts: int = 2  # refused, or a name that does not resolve: one quick retry, then say so

    def backoff(self, failures: int, rng: random.Random) -> float:
        full = min(self.cap, self.base * 2 ** (failures - 1))
        return full * (1 - self.jitter * rng.random())


class _Retry(Exception):
    """An attempt failed in a way a later attempt may not: carries what to return or raise at the end."""

    def __init__(self, outcome: requests.Response | HalloweenMaskError, retry_after: float | None = None) -> None:
        super().__init__()
        self.outcome = outcome
        self.retry_after = retry_after


class Transport:
    """HTTP for the client: timeouts on everything, retries only where safe, nothing else."""

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT  # nothing secret is ever session-wide

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        url: str,
        *,
        safe: bool,
        deadline: Deadline,
        cancel: CancelToken,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        files: Callable[[], dict[str, Any]] | None = None,
    ) -> requests.Response:
        """An API request; redirects are not followed (the key header must not travel).

        Returns the last response, successful or not, for the caller to classify.
        """
        what = f"{method} {urlsplit(url).path}"

        def attempt(timeout: tuple[float, float]) -> requests.Response:
            response = self.session.request(
                method,
                url,
                headers=headers,
                params=params,
                data=data,
                files=files() if files else None,  # rebuilt for every attempt
                timeout=timeout,
                allow_redirects=False,
            )
            log.debug("%s -> HTTP %s", what, response.status_code)
            if safe and self._retryable(response):
                raise _Retry(response, parse_retry_after(response.headers.get("Retry-After")))
            return response

        return self._attempts(attempt, what=what, safe=safe, deadline=deadline, cancel=cancel)

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        deadline: Deadline,
        cancel: CancelToken,
        verify: Callable[[bytes], object] | None = None,
        check_url: Callable[[str], object] | None = None,
    ) -> bytes:
        """The body of a result URL: a plain GET with no API key, http(s) only, streamed under ``max_bytes``.

        ``verify`` checks each body received: a ``NetworkError`` it raises (a file cut short on the
        way) is retried like a dropped connection; any other error is raised at once. ``check_url``
        vets the URL and every redirect target before it is requested (default: ``check_result_url``).
        """
        check_url = check_url or check_result_url
        host = urlsplit(url).hostname or "?"
        what = f"download from {host}"  # never the whole URL: it is a credential for 24 h

        def attempt(timeout: tuple[float, float]) -> bytes:
            target = url
            for _ in range(MAX_REDIRECTS + 1):
                check_url(target)
                with self.session.get(target, timeout=timeout, stream=True, allow_redirects=False) as response:
                    log.debug("%s -> HTTP %s", what, response.status_code)
                    if response.is_redirect:
                        target = urljoin(target, response.headers.get("Location", ""))
                        continue
                    if response.status_code != 200:
                        error = error_for(
                            "", response.status_code, f"the result download failed (HTTP {response.status_code})"
                        )
                        if self._retryable(response, peek=False):
                            raise _Retry(error, parse_retry_after(response.headers.get("Retry-After")))
                        raise error
                    body = self._read_capped(response, max_bytes, deadline, cancel)
                if verify is not None:
                    try:
                        verify(body)
                    except NetworkError as error:
                        raise _Retry(error) from None
                return body
            raise ProtocolError(f"the result download was redirected more than {MAX_REDIRECTS} times")

        return self._attempts(attempt, what=what, safe=True, deadline=deadline, cancel=cancel)

    def _read_capped(
        self, response: requests.Response, max_bytes: int, deadline: Deadline, cancel: CancelToken
    ) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TaskFailedError(f"the result file is {int(declared):,} bytes, over the {max_bytes:,} byte limit")
        body = bytearray()
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > max_bytes:
                raise TaskFailedError(f"the result file is over the {max_bytes:,} byte limit")
            if cancel.cancelled:
                raise CancelledError("while downloading the result")
            if deadline.expired:
                raise DeadlineExceededError("while downloading the result")
        return bytes(body)

    def _retryable(self, response: requests.Response, *, peek: bool = True) -> bool:
        status = response.status_code
        if status != 429 and status < 500:
            return False
        return is_retryable(error_code_of(response) if peek else "", status)

    def _attempts(
        self,
        attempt: Callable[[tuple[float, float]], T],
        *,
        what: str,
        safe: bool,
        deadline: Deadline,
        cancel: CancelToken,
    ) -> T:
        failures, budget = 0, self.retry.attempts
        while True:
            if cancel.cancelled:
                raise CancelledError()
            remaining = deadline.remaining
            if remaining <= 0:
                raise DeadlineExceededError(f"no time left for {what}")
            timeout = (min(self.timeouts.connect, remaining), min(self.timeouts.read, remaining))
            try:
                return attempt(timeout)
            except _Retry as retry:
                failed: _Retry = retry
            except requests.RequestException as exc:
                if safe and isinstance(exc, requests.exceptions.Timeout) and deadline.expired:
                    raise DeadlineExceededError(f"during {what}") from None  # cut short by the deadline
                failed = _Retry(self._transport_error(exc, what, safe))
                if unreachable(exc):  # no server answers there now: the full backoff would only delay saying so
                    budget = min(budget, failures + self.retry.unreachable_attempts)
            failures += 1
            wait = max(self.retry.backoff(failures, self.rng), failed.retry_after or 0.0)
            if failures >= budget or wait >= deadline.remaining:
                log.info("%s: giving up after %d attempt(s)", what, failures)
                if isinstance(failed.outcome, requests.Response):
                    return failed.outcome  # type: ignore[return-value]  # the caller classifies it
                raise failed.outcome
            log.info("%s failed (attempt %d); retrying in %.1f s", what, failures, wait)
            if self.clock.sleep(wait, cancel):
                raise CancelledError()

    @staticmethod
    def _transport_error(exc: requests.RequestException, what: str, safe: bool) -> HalloweenMaskError:
        """The error for a failed exchange, raised at once unless a retry is safe and may help."""
        kind = type(exc).__name__
        log.info("%s: %s", what, kind)
        if isinstance(exc, requests.exceptions.SSLError):  # a failed handshake: nothing was sent
            raise NetworkError(f"the TLS connection failed during {what} (certificate or proxy problem)") from None
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema)):
            raise NetworkError(f"invalid URL for {what}") from None
        if not safe and not never_sent(exc):
            raise SubmitOutcomeUnknownError(f"{kind} during {what}") from None
        return NetworkError(f"{unreachable(exc) or kind} during {what}")


def never_sent(exc: BaseException) -> bool:
    """Whether the request provably never reached the server (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(exc, requests.exceptions.SSLError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def unreachable(exc: BaseException) -> str:
    """Why no connection could be opened at all ("the connection was refused", "the host name does
    not resolve"), or "" for anything else: a connect timeout or a failure after connecting may pass."""
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(
        exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)
    ):
        return ""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    if isinstance(reason, NameResolutionError):
        return "the host name does not resolve"
    if isinstance(reason, NewConnectionError):
        return "the connection was refused" if "refused" in str(reason).lower() else "no connection could be made"
    return ""


def check_result_url(url: str) -> None:
    """Result URLs come from the service and are untrusted: only plain http(s) URLs to a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProtocolError(f"refusing a result URL with scheme {parts.scheme or 'none'!r}; only http(s) is fetched")
    if parts.username or parts.password:
        raise ProtocolError("refusing a result URL that carries credentials")
