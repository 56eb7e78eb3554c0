"""The one place that decides timeouts and retries, around ``requests`` sessions.

Safe requests (polls, credits, downloads) are retried with exponential backoff and jitter on
transport errors, rate-limit codes and retryable 5xx, honouring ``Retry-After`` (at most 15 s) within the
deadline. A submit is retried only when it provably never left this machine (connection refused,
connect timeout, name resolution); once it may have been received it is never resent.

Every exchange ends by its deadline whatever the server does: ``requests``' timeouts bound each
socket read, not a response, so a watchdog shuts the exchange's socket when the deadline comes (a
server sending its status line, headers or body a byte at a time is cut off there), and answers
are read whole under a size cap, never more.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar
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
from .responses import Answer, capped, error_code_of, retry_after
from .timing import CancelToken, Clock, Deadline
from .urlpolicy import ResultHosts
from .watchdog import WatchedAdapter, peer_check, watchdog

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = f"halloween-mask/{__version__} (+requests {requests.__version__})"
MAX_REDIRECTS = 5
MAX_ANSWER_BYTES = 4_000_000  # an API answer is a few hundred bytes of JSON; never hold more than this
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect, and to wait for each read; never more than what is left of the deadline."""

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


@dataclass(frozen=True)
class Verdict(Generic[T]):
    """How one attempt ended: ``settle()`` returns or raises its outcome; ``retry`` when another try may help."""

    settle: Callable[[], T]
    retry: bool = False
    retry_after: float | None = None

    @classmethod
    def returning(cls, value: T, *, retry: bool = False, retry_after: float | None = None) -> Verdict[T]:
        return cls(lambda: value, retry, retry_after)

    @classmethod
    def raising(
        cls, error: HalloweenMaskError, *, retry: bool = False, retry_after: float | None = None
    ) -> Verdict[Any]:
        def settle() -> NoReturn:
            raise error

        return cls(settle, retry, retry_after)


class Transport:
    """HTTP for the client: the deadline on everything, retries only where safe, nothing else.

    Each thread gets its own ``requests.Session`` (``requests`` does not promise that a Session
    is thread-safe; the command line's jobs and the preview fetcher's workers share one Transport).
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        """This thread's session (made on first use, closed by ``close``)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT  # nothing secret is ever session-wide
            adapter = WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

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
    ) -> Answer:
        """An API request; redirects are not followed (the key header must not travel).

        Returns the last answer, successful or not, for the caller to classify; an answer over
        ``MAX_ANSWER_BYTES`` is a ``ProtocolError``.
        """
        what = f"{method} {urlsplit(url).path}"

        def attempt(timeout: tuple[float, float]) -> Verdict[Answer]:
            with self.session.request(
                method,
                url,
                headers=headers,
                params=params,
                data=data,
                files=files() if files else None,  # rebuilt for every attempt
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            ) as response:
                log.debug("%s -> HTTP %s", what, response.status_code)
                # read whole even when cancelled meanwhile: a submit's answer names the task just paid for
                body = _read_capped(response, MAX_ANSWER_BYTES, None, "the service's answer", ProtocolError)
                answer = Answer(response.status_code, response.headers, body)
            if safe and _retryable(answer.status_code, error_code_of(answer)):
                return Verdict.returning(answer, retry=True, retry_after=answer.retry_after)
            return Verdict.returning(answer)

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
        """The body of a result URL: a plain GET with no API key, streamed under ``max_bytes``.

        ``verify`` checks each body received: a ``NetworkError`` it raises (a file cut short on the
        way) is retried like a dropped connection; any other error is raised at once. ``check_url``
        vets the URL and every redirect target before it is requested (default: ``ResultHosts()``,
        HTTPS to public addresses); its ``peer`` method, if it has one, vets the address each
        connection reached.
        """
        check_url = check_url or ResultHosts()
        peer = getattr(check_url, "peer", None)
        host = urlsplit(url).hostname or "?"
        what = f"download from {host}"  # never the whole URL: it is a credential for 24 h

        def attempt(timeout: tuple[float, float]) -> Verdict[bytes]:
            target = url
            for _ in range(MAX_REDIRECTS + 1):
                check_url(target)
                with (
                    peer_check(peer),
                    self.session.get(target, timeout=timeout, stream=True, allow_redirects=False) as response,
                ):
                    log.debug("%s -> HTTP %s", what, response.status_code)
                    if response.is_redirect:
                        target = urljoin(target, response.headers.get("Location", ""))
                        continue
                    if response.status_code != 200:
                        status = response.status_code
                        error = error_for("", status, f"the result download failed (HTTP {status})")
                        return Verdict.raising(
                            error, retry=_retryable(status, ""), retry_after=retry_after(response.headers)
                        )
                    declared = response.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise TaskFailedError(
                            f"the result file is {int(declared):,} bytes, over the {max_bytes:,} byte limit"
                        )
                    body = _read_capped(response, max_bytes, cancel, "the result file", TaskFailedError)
                if verify is not None:
                    try:
                        verify(body)
                    except NetworkError as error:
                        return Verdict.raising(error, retry=True)
                return Verdict.returning(body)
            raise ProtocolError(f"the result download was redirected more than {MAX_REDIRECTS} times")

        return self._attempts(attempt, what=what, safe=True, deadline=deadline, cancel=cancel)

    def _attempts(
        self,
        attempt: Callable[[tuple[float, float]], Verdict[T]],
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
            with watchdog(remaining) as cut:
                try:
                    verdict = attempt(timeout)
                    if cut.is_set():  # what arrived before the socket was shut is not the whole answer
                        verdict = _cut_off(what, safe)
                except requests.RequestException as exc:
                    verdict = _verdict_on(exc, what, safe, cut=cut.is_set() or deadline.expired)
                    if unreachable(exc):  # no server answers there now: the full backoff would only delay saying so
                        budget = min(budget, failures + self.retry.unreachable_attempts)
                except HalloweenMaskError:
                    if not cut.is_set():
                        raise
                    verdict = _cut_off(what, safe)  # e.g. a body that ends where the socket was shut
            if not verdict.retry:
                return verdict.settle()
            failures += 1
            wait = max(self.retry.backoff(failures, self.rng), capped(verdict.retry_after) or 0.0)
            if failures >= budget or wait >= deadline.remaining:
                log.info("%s: giving up after %d attempt(s)", what, failures)
                return verdict.settle()
            log.info("%s failed (attempt %d); retrying in %.1f s", what, failures, wait)
            if self.clock.sleep(wait, cancel):
                raise CancelledError()


def _read_capped(
    response: requests.Response,
    max_bytes: int,
    cancel: CancelToken | None,
    what: str,
    too_large: type[HalloweenMaskError],
) -> bytes:
    """The whole body, read in chunks: never more than ``max_bytes`` are held; ``cancel`` stops it."""
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise too_large(f"{what} is over the {max_bytes:,} byte limit")
        if cancel is not None and cancel.cancelled:
            raise CancelledError(f"while reading {what}")
    return bytes(body)


def _retryable(status: int, code: str) -> bool:
    return (status == 429 or status >= 500) and is_retryable(code, status)


def _verdict_on(exc: requests.RequestException, what: str, safe: bool, *, cut: bool) -> Verdict[Any]:
    """What a failed exchange means: retried only when that is safe and may help."""
    kind = type(exc).__name__
    log.info("%s: %s%s", what, kind, " (cut at the deadline)" if cut else "")
    maybe_received = not never_sent(exc)
    if cut:
        return _cut_off(what, safe, maybe_received)
    if isinstance(exc, requests.exceptions.SSLError):  # a failed handshake: nothing was sent
        return Verdict.raising(NetworkError(f"the TLS connection failed during {what} (certificate or proxy problem)"))
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema)):
        return Verdict.raising(NetworkError(f"invalid URL for {what}"))
    if not safe and maybe_received:
        return Verdict.raising(SubmitOutcomeUnknownError(f"{kind} during {what}"))
    return Verdict.raising(NetworkError(f"{unreachable(exc) or kind} during {what}"), retry=True)


def _cut_off(what: str, safe: bool, maybe_received: bool = True) -> Verdict[Any]:
    """The deadline ended the exchange: for a submit the service may have the task, unanswered."""
    if safe or not maybe_received:
        return Verdict.raising(DeadlineExceededError(f"during {what}"))
    return Verdict.raising(SubmitOutcomeUnknownError(f"no answer to {what} before the deadline"))


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
