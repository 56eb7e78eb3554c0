"""Several mask styles for one photo: the style list, the styles run concurrently, the failures.

    styles = parse_styles("3, 7, 12")                     # (3, 7, 12), or InvalidArgumentError
    with StyleBatch(client, image_bytes, styles, pending=store) as batch:
        while not batch.wait(0.2):
            print(f"{batch.done} of {len(styles)} done, {batch.elapsed:.0f} s")
    outcomes = batch.outcomes()                          # one StyleOutcome per style, in order

Every style goes through ``Client.apply`` on its own thread with its usual rules (safe retries,
pending tasks that a later run collects instead of paying twice; with a ``ledger``, a style with a
kept result is re-used for free), at most ``in_flight`` submits
at once (the service rate-limits), then every task waits at the service at the same time, all
within one deadline and stopped together by one cancel token. Imports only the standard library.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass

from .client import Client, Result
from .errors import CancelledError, DeadlineExceededError, HalloweenMaskError, InvalidArgumentError
from .i18n import _
from .ledger import Ledger
from .pending import PendingTasks
from .styles import STYLE_COUNT, style
from .timing import CancelToken, Deadline

MAX_STYLES = 12
DEFAULT_IN_FLIGHT = 3  # submits at once: the service rate-limits (429 EXCEEDING_LIMITS); three stays polite
_SEPARATORS = re.compile(r"[,\s]+")
_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() also takes "²"


def parse_styles(text: str) -> tuple[int, ...]:
    """``"3, 7 12,7"`` -> ``(3, 7, 12)``: duplicates dropped, order kept, every number checked.

    Raises ``InvalidArgumentError`` saying what is wrong (empty, not a number, out of range,
    too many) before anything could be sent.
    """
    how = _("Give 1 to {most} style numbers from 1 to {count}, separated by commas or spaces, e.g. 3, 7, 12.").format(
        most=MAX_STYLES, count=STYLE_COUNT
    )
    tokens = [token for token in _SEPARATORS.split(text or "") if token]
    if not tokens:
        raise InvalidArgumentError(_("no mask styles were given. {how}").format(how=how))
    numbers: list[int] = []
    for token in tokens:
        shown = token if len(token) <= 12 else f"{token[:6]}...({len(token):,} characters)"  # never 5,000 of them
        if not _NUMBER.fullmatch(token):
            raise InvalidArgumentError(_("{token} is not a style number. {how}").format(token=repr(shown), how=how))
        number = int(token) if len(token.lstrip("0")) <= 3 else 0  # a 5,000-digit number is not converted
        if not 1 <= number <= STYLE_COUNT:
            raise InvalidArgumentError(
                _("there is no mask style {number}: styles are numbered 1 to {count}.").format(
                    number=shown, count=STYLE_COUNT
                )
            )
        if number not in numbers:
            numbers.append(number)
    if len(numbers) > MAX_STYLES:
        raise InvalidArgumentError(
            _("{given} styles were given; at most {most} run at once.").format(given=len(numbers), most=MAX_STYLES)
        )
    return tuple(numbers)


@dataclass(frozen=True)
class StyleOutcome:
    """One style's end: its ``result``, or the ``error`` that stopped it."""

    style: int
    result: Result | None = None
    error: HalloweenMaskError | None = None


def failure_lines(outcomes: Sequence[StyleOutcome]) -> list[str]:
    """``"Mask 12: The service is busy ..."`` for each failed style, in order."""
    return [f"{style(o.style).label}: {o.error}" for o in outcomes if o.error is not None]


class StyleBatch:
    """``client.apply`` for each style on a worker thread each, at most ``in_flight`` submits at once.

    Use it as a context manager: entering starts the styles, leaving cancels what is still
    waiting and joins the threads. The caller's thread stays free (GIMP's main thread pulses
    its progress bar meanwhile); nothing here calls back into the caller's thread.
    """

    noun = "style"  # what one worker sends, in the error of one never sent
    outcome = StyleOutcome  # what one worker ends with

    def __init__(
        self,
        client: Client,
        image: bytes,
        styles: Sequence[int],
        *,
        aspect_ratio: str = "auto",
        pending: PendingTasks | None = None,
        deadline: float | None = None,
        in_flight: int = DEFAULT_IN_FLIGHT,
        ledger: Ledger | None = None,
        reuse: bool = True,
        source: str = "",
    ) -> None:
        if in_flight < 1:
            raise InvalidArgumentError(f"in_flight must be at least 1, not {in_flight!r}")
        self.client = client
        self.image = image
        self.styles = tuple(styles)
        self.aspect_ratio = aspect_ratio
        self.pending = pending
        self.ledger, self.reuse, self.source = ledger, reuse, source  # see ``Client.apply``: style by style
        self.deadline = Deadline(client.clock, deadline or client.deadline)
        self.cancel_token = CancelToken()
        self.submit_slots = threading.BoundedSemaphore(in_flight)
        self._futures: list[Future[StyleOutcome]] = []
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> StyleBatch:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=len(self.styles) or 1, thread_name_prefix="halloween-mask-style")
        self._futures = [self._pool.submit(self._run, number) for number in self.styles]

    def close(self) -> None:
        """Stop every wait and join the threads (a finished batch closes at once)."""
        self.cancel_token.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def cancel(self) -> None:
        """Stop all waits; styles not started yet are not submitted."""
        self.cancel_token.cancel()

    @property
    def done(self) -> int:
        return sum(future.done() for future in self._futures)

    @property
    def elapsed(self) -> float:
        return self.deadline.elapsed

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds, or until every style has finished; ``True`` once all have."""
        return not wait_for(self._futures, timeout).not_done

    def outcomes(self) -> list[StyleOutcome]:
        """Every style's outcome, in the order given (waits for the rest); bugs are raised, not listed."""
        return [future.result() for future in self._futures]

    def _request(self, number: int) -> tuple[bytes, int | None, bytes | None, str]:
        """What worker ``number`` sends: the upload, the style (``None``: the template), the template
        and the source's name. A subclass may wait for it here, or raise what stops it unsent."""
        return self.image, number, None, self.source

    def _run(self, number: int) -> StyleOutcome:
        try:
            image, mask_style, template, source = self._request(number)
            if self.cancel_token.cancelled:
                raise CancelledError(f"before the {self.noun} was sent")
            remaining = self.deadline.remaining
            if remaining <= 0:
                raise DeadlineExceededError(
                    f"no time was left for this {self.noun} after {self.deadline.seconds:.0f} s"
                )
            result = self.client.apply(
                image,
                mask_style=mask_style,
                template=template,
                aspect_ratio=self.aspect_ratio,
                cancel=self.cancel_token,
                deadline=remaining,  # the batch's one deadline, as seconds from now
                pending=self.pending,
                submit_slot=self.submit_slots,  # a re-used result takes no slot: only a submit holds it
                ledger=self.ledger,
                reuse=self.reuse,
                source=source,
            )
        except HalloweenMaskError as error:
            return self.outcome(number, error=error)
        return self.outcome(number, result=result)
