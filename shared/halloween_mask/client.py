"""The AILabTools "AI Halloween Mask" client: submit, wait, download, apply, credits.

with Client.from_settings() as client:
    result = client.apply(portrait_bytes, mask_style=7, on_progress=print)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from . import styles
from .config import DEFAULT_BASE_URL, ApiKey, Settings, load_settings, validate_base_url
from .errors import (
    CancelledError,
    DamagedDownloadError,
    DeadlineExceededError,
    HalloweenMaskError,
    InvalidArgumentError,
    NetworkError,
    ResultUnavailableError,
    SettingsError,
    TaskFailedError,
)
from .imageformat import DamagedImageError, ImageInfo, NotAnImageError, check_complete
from .ledger import Ledger, Request
from .pending import PendingTasks
from .polling import PollSchedule
from .preflight import check_upload
from .responses import CreditPool, PollResult, TaskState, read_credits, read_poll, read_submit
from .timing import CancelToken, Clock, Deadline
from .transport import RetryPolicy, Timeouts, Transport
from .urlpolicy import ResultHosts

__all__ = ["CancelToken", "Client", "CreditPool", "Progress", "Result", "TaskState"]

log = logging.getLogger(__name__)

SUBMIT_PATH = "/api/portrait/effects/ai-halloween-mask"
POLL_PATH = "/api/common/query-async-task-result"
CREDITS_PATH = "/api/common/query-credits"
KEY_HEADER = "ailabapi-api-key"
DEFAULT_DEADLINE = 600.0
MAX_RESULT_BYTES = 50_000_000
MAX_RESULTS = 8  # result images taken from one task; the service sends one


@dataclass(frozen=True)
class Progress:
    """A progress event while waiting: the task's state, seconds since the wait began, polls so far."""

    state: TaskState
    elapsed: float
    polls: int
    task_id: str


@dataclass(frozen=True)
class Result:
    """A finished task: its id, the result URLs (valid 24 h) and the downloaded images, in order.

    ``infos[n]`` is what the client checked of ``images[n]`` (a whole JPEG, PNG or WEBP, its
    format and size). At most ``MAX_RESULTS`` are taken; ``refused`` counts any more the
    service sent.
    """

    task_id: str
    urls: tuple[str, ...]
    images: tuple[bytes, ...]
    resumed: bool = False  # collected from an earlier (or a concurrent) run's task, not paid for again
    infos: tuple[ImageInfo, ...] = ()
    refused: int = 0
    reused: bool = False  # re-used from the history: nothing was sent, nothing paid
    entry_id: int | None = None  # the history's entry for it (``None``: not kept)
    created: float | None = None  # wall-clock time its task was paid (resumed), else it was kept
    fingerprint: str = ""  # the request's, when run through a ledger

    @property
    def free(self) -> bool:
        """Whether this run cost nothing: re-used from the history or collected from a paid task."""
        return self.reused or self.resumed


ProgressCallback = Callable[[Progress], Any]


class Client:
    """A small client for one API key and endpoint; use it as a context manager to close its session."""

    def __init__(
        self,
        api_key: str | ApiKey,
        base_url: str = DEFAULT_BASE_URL,
        deadline: float = DEFAULT_DEADLINE,
        *,
        schedule: PollSchedule | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        max_result_bytes: int = MAX_RESULT_BYTES,
        transport: Transport | None = None,
    ) -> None:
        self._key = ApiKey(api_key)
        self.base_url = validate_base_url(base_url)
        if deadline <= 0:
            raise InvalidArgumentError(f"deadline must be a positive number of seconds, not {deadline!r}")
        self.deadline = deadline
        self.schedule = schedule or PollSchedule()
        self.max_result_bytes = max_result_bytes
        self.transport = transport or Transport(timeouts=timeouts, retry=retry, clock=clock)
        self.clock = self.transport.clock

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **options: Any) -> Client:
        """A client for the configured key and endpoint (``AILAB_API_KEY``, settings file, ``AILAB_API_BASE``)."""
        settings = settings or load_settings()
        if settings.api_key is None:
            raise SettingsError("no API key is configured: set AILAB_API_KEY or save one in the settings file")
        return cls(settings.api_key, settings.base_url, **options)

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, deadline={self.deadline!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    # -- the verbs ---------------------------------------------------------------------------------

    def submit(
        self,
        image: bytes,
        mask_style: int | None = None,
        template: bytes | None = None,
        aspect_ratio: str = "auto",
        *,
        cancel: CancelToken | None = None,
        deadline: float | Deadline | None = None,
        slot: AbstractContextManager[Any] | None = None,
    ) -> str:
        """Upload ``image`` with a ``mask_style`` (1-85) or a ``template`` image; returns the task id.

        Checked before anything is sent. Never resent once the service may have received it.
        ``slot`` is held while the upload is on its way (a semaphore shared by threads bounds
        how many submits are in flight at once).
        """
        fields = _form_fields(mask_style, template, aspect_ratio)
        parts = {"image": _file_part("image", image)}
        if template is not None:
            parts["image_template"] = _file_part("template", template)
        with slot or nullcontext():
            response = self.transport.call(
                "POST",
                self.base_url + SUBMIT_PATH,
                safe=False,
                deadline=self._limit(deadline),
                cancel=cancel or CancelToken(),
                headers=self._auth(),
                data=fields,
                files=lambda: dict(parts),  # a fresh body for a retry of a submit that never left
            )
        task_id = read_submit(response)
        log.info("submitted task %s", task_id)
        return task_id

    def poll(self, task_id: str, *, cancel: CancelToken | None = None, deadline: Deadline | None = None) -> PollResult:
        """One status query (retried on transient failures); raises if the task failed."""
        if not isinstance(task_id, str) or not task_id.strip():
            raise InvalidArgumentError("the task id is empty")
        with _about(task_id):
            response = self.transport.call(
                "GET",
                self.base_url + POLL_PATH,
                safe=True,
                deadline=deadline or Deadline(self.clock, self.deadline),
                cancel=cancel or CancelToken(),
                headers=self._auth(),
                params={"task_id": task_id},  # URL-encoded by requests
            )
            return read_poll(response, task_id)

    def wait(
        self,
        task_id: str,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        deadline: float | Deadline | None = None,
    ) -> list[str]:
        """Poll on the adaptive schedule until the task is done; returns its result URLs.

        The schedule counts from the start of the wait; ``deadline`` (seconds, or a running
        ``Deadline`` shared with the submit and the downloads) bounds it.
        """
        cancel = cancel or CancelToken()
        limit = self._limit(deadline)
        origin = limit.elapsed
        times = (origin + t for t in self.schedule.times())
        not_before = next(times)
        polls = 0
        with _about(task_id):
            while True:
                if not_before >= limit.seconds:  # the next poll would come too late: wait out the deadline
                    if self.clock.sleep(limit.remaining, cancel):
                        raise CancelledError(f"after {polls} poll(s)")
                    raise DeadlineExceededError(f"the task was not finished after {limit.seconds:.0f} s")
                if self.clock.sleep(not_before - limit.elapsed, cancel):
                    raise CancelledError(f"after {polls} poll(s)")
                result = self.poll(task_id, cancel=cancel, deadline=limit)
                polls += 1
                log.debug("task %s: %s after %.1f s (%d polls)", task_id, result.state.name, limit.elapsed, polls)
                if on_progress is not None:
                    on_progress(Progress(result.state, limit.elapsed, polls, task_id))
                if result.state is TaskState.DONE:
                    return list(result.urls)
                not_before = max(next(times), limit.elapsed + (result.retry_after or 0.0))
                while not_before <= limit.elapsed:  # a slow poll overran its slots
                    not_before = next(times)

    def download(
        self, url: str, *, cancel: CancelToken | None = None, deadline: float | Deadline | None = None
    ) -> bytes:
        """The bytes of one result URL, checked to be a whole JPEG, PNG or WEBP image. No API key is sent."""
        return self._download(url, cancel or CancelToken(), self._limit(deadline))[0]

    def _download(self, url: str, cancel: CancelToken, deadline: Deadline) -> tuple[bytes, ImageInfo]:
        checked: list[ImageInfo] = []
        data = self.transport.fetch(
            url,
            max_bytes=self.max_result_bytes,
            deadline=deadline,
            cancel=cancel,
            verify=lambda body: checked.append(_check_result(body)),
            check_url=ResultHosts(self.base_url),  # HTTPS to the internet (loopback too if the endpoint is)
        )
        return data, checked[-1]

    def collect(
        self,
        task_id: str,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        deadline: float | Deadline | None = None,
    ) -> Result:
        """Wait for a submitted task and download its results (at most ``MAX_RESULTS``), within one deadline."""
        cancel = cancel or CancelToken()
        limit = self._limit(deadline)
        urls = self.wait(task_id, on_progress=on_progress, cancel=cancel, deadline=limit)
        kept = tuple(urls[:MAX_RESULTS])
        if len(urls) > len(kept):
            log.warning("task %s: the service sent %d results; taking the first %d", task_id, len(urls), len(kept))
        with _about(task_id), _paid_for():
            downloads = [self._download(url, cancel, limit) for url in kept]
        images = tuple(data for data, _ in downloads)
        infos = tuple(info for _, info in downloads)
        return Result(task_id, kept, images, infos=infos, refused=len(urls) - len(kept))

    def apply(
        self,
        image: bytes,
        mask_style: int | None = None,
        template: bytes | None = None,
        aspect_ratio: str = "auto",
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        deadline: float | None = None,
        pending: PendingTasks | None = None,
        submit_slot: AbstractContextManager[Any] | None = None,
        *,
        ledger: Ledger | None = None,
        reuse: bool = True,
        source: str = "",
    ) -> Result:
        """Submit, wait and download every result: the whole job in one call, within one deadline.

        With a ``ledger`` (``Ledger.for_user()``: the pending store and the history) the same
        request is not paid twice: a kept result is re-used (``result.reused``; not with
        ``reuse=False``), a task an earlier run paid for but never collected (killed, cancelled,
        out of time) is collected (``result.resumed``), and a new result is kept in the history
        (``result.entry_id``, with ``source`` as its source's name); call ``ledger.settle(result)``
        once the result is safe where the user wanted it. ``pending`` alone (the older call) is a
        ledger without a history that forgets a task once collected. ``submit_slot`` is held around
        the submit only (see ``submit``).
        """
        cancel = cancel or CancelToken()
        limit = self._limit(deadline)
        if ledger is None and pending is not None:
            ledger = Ledger(pending, settle_on_collect=True)  # the older call: the task goes once collected
        if ledger is None:
            task_id = self.submit(
                image, mask_style, template, aspect_ratio, cancel=cancel, deadline=limit, slot=submit_slot
            )
            return self.collect(task_id, on_progress, cancel, limit)
        request = Request(image, mask_style, template, aspect_ratio, source)
        return ledger.run(
            self, request, reuse=reuse, on_progress=on_progress, cancel=cancel, deadline=limit, submit_slot=submit_slot
        )

    def request_key(
        self, image: bytes, mask_style: int | None = None, template: bytes | None = None, aspect_ratio: str = "auto"
    ) -> str:
        """The request's fingerprint, as the ledger files it (``Ledger.lookup`` tells what a run would cost)."""
        return Request(image, mask_style, template, aspect_ratio).key(self.base_url)

    def credits(self) -> list[CreditPool]:
        """The account's credit pools (``common`` and ``portrait_ai_halloween_masks``); also checks the key."""
        response = self.transport.call(
            "GET",
            self.base_url + CREDITS_PATH,
            safe=True,
            deadline=Deadline(self.clock, min(self.deadline, 60.0)),
            cancel=CancelToken(),
            headers=self._auth(),
        )
        return read_credits(response)

    def _limit(self, deadline: float | Deadline | None) -> Deadline:
        """A running ``Deadline`` as is, else a new one of ``deadline`` (default: the client's) seconds."""
        return deadline if isinstance(deadline, Deadline) else Deadline(self.clock, deadline or self.deadline)

    def _auth(self) -> dict[str, str]:
        """The key header, built per API request (never session-wide, so result hosts never see it)."""
        return {KEY_HEADER: self._key.reveal(), "Accept": "application/json"}


def _check_result(data: bytes) -> ImageInfo:
    """A result must be a whole image: one cut short or damaged is fetched again, anything else fails."""
    try:
        info = check_complete(data)
    except DamagedImageError as exc:
        raise DamagedDownloadError(f"the result file is not whole: {exc}") from None
    except NotAnImageError as exc:
        raise TaskFailedError(f"the result file is not an image the plug-in can read ({exc})") from None
    log.info("downloaded a %dx%d %s result (%d bytes)", info.width, info.height, info.format, len(data))
    return info


def _form_fields(mask_style: int | None, template: bytes | None, aspect_ratio: str) -> dict[str, str]:
    if (mask_style is None) == (template is None):
        raise InvalidArgumentError("give exactly one of a mask style (1-85) or a template image")
    fields = {"aspect_ratio": styles.aspect_ratio(aspect_ratio)}
    if mask_style is not None:
        fields["mask_style"] = str(styles.style(mask_style).number)
    return fields


def _file_part(role: str, data: bytes) -> tuple[str, bytes, str]:
    """A multipart file named and typed after its sniffed bytes, e.g. ``("image.jpg", b"...", "image/jpeg")``."""
    info = check_upload(data, role)
    return f"{role}.{info.extension}", bytes(data), info.mime_type


@contextmanager
def _paid_for() -> Iterator[None]:
    """A result that cannot be downloaded or read is not a failed task: it is paid for and stays collectable."""
    try:
        yield
    except (CancelledError, DeadlineExceededError, NetworkError):
        raise  # not the task's fault either; the ledger keeps the task and says it is paid
    except HalloweenMaskError as error:
        raise ResultUnavailableError(
            error.detail or str(error), http_status=error.http_status, task_id=error.task_id
        ) from error


@contextmanager
def _about(task_id: str) -> Iterator[None]:
    """Stamp the task id on any error raised inside, so support and a later resume can use it."""
    try:
        yield
    except HalloweenMaskError as error:
        if not error.task_id:
            error.task_id = task_id
            error.args = (error.message,)
        raise
