"""One error tree for everything that can go wrong, each with a sentence a person can act on.

``HalloweenMaskError`` is the root, like ``requests.RequestException``: callers catch what they
mean (``AuthError``, ``NoFaceError`` ...) or the root for "anything from this package". Each class
says whether it is the caller's fault (``caller_fault``): the GIMP plug-in reports those as a
CALLING_ERROR and the command line exits with 2; every other error is the run failing.
"""

from __future__ import annotations

import enum

from .i18n import N_, _

KEYS_URL = "https://www.ailabtools.com/developer/keys"
BILLING_URL = "https://www.ailabtools.com/developer/billing"
PAID_NOTE = N_("The task is paid for: run the same again within 24 hours to collect it at no charge.")


class ErrorKind(enum.Enum):
    """What went wrong, from the user's point of view; the value is the advice shown to them."""

    AUTH = N_("The API key was rejected. Check it (or create a new one) at {keys_url}.")
    CREDITS = N_("Your AILabTools account is out of API credits. Top up at {billing_url}, then try again.")
    RATE_LIMITED = N_("The service is rate-limiting this key. Wait a minute and try again, with fewer images at once.")
    BAD_INPUT = N_("The request was rejected as invalid. Check the style, aspect ratio and template.")
    NO_FACE = N_(
        "No usable face was found. Use a clear, front-facing portrait with the face well lit and unobstructed."
    )
    TOO_LARGE = N_(
        "The image is too large for the service (at most 10 MB and under 4096 px on each side). Scale it down."
    )
    UNSUPPORTED_FORMAT = N_("The image is not in a form the service can read. Use a JPEG, PNG or WEBP file.")
    SERVER_BUSY = N_("The service is busy or had an internal problem. Try again in a few minutes.")
    TASK_FAILED = N_("The service could not finish this task. Try again, or try another style.")
    NETWORK = N_("Could not reach the service. Check your internet connection, proxy and the endpoint setting.")
    TIMEOUT = N_(
        "The service did not finish in time. Try again later; a task that was created can still be fetched "
        "with its task id for 24 hours."
    )
    CANCELLED = N_("Cancelled. A task that was already created can still be fetched with its task id for 24 hours.")
    SETTINGS = N_(
        "Check the settings: the API key (AILAB_API_KEY or the settings file) and the endpoint (AILAB_API_BASE)."
    )

    @property
    def advice(self) -> str:
        """The advice in the user's language (see ``i18n``)."""
        return _(self.value).format(keys_url=KEYS_URL, billing_url=BILLING_URL)


class HalloweenMaskError(Exception):
    """Base class: ``str(error)`` is the whole human message, with support ids when known."""

    kind: ErrorKind = ErrorKind.TASK_FAILED
    caller_fault: bool = False  # the caller gave bad input: CALLING_ERROR in GIMP, exit 2 on the command line
    advice: str = ""  # overrides ``kind.advice`` where a subclass knows better (marked with ``N_``)
    kept_pending: bool = False  # the task stays in the pending store: the same request again collects it
    says_paid: bool = False  # the advice already says the task is paid and how to collect it

    def __init__(
        self,
        detail: str = "",
        *,
        code: str = "",
        http_status: int | None = None,
        request_id: str = "",
        log_id: str = "",
        task_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.detail = detail
        self.code = code
        self.http_status = http_status
        self.request_id = request_id
        self.log_id = log_id
        self.task_id = task_id
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The advice, what the service said, and the ids support will ask for."""
        parts = [_(self.advice) if self.advice else self.kind.advice]
        said = ": ".join(p for p in (self.code, self.detail) if p)
        if said:
            parts.append(f"({said})")
        ids = ", ".join(
            f"{name} {value}"
            for name, value in (("task", self.task_id), ("request", self.request_id), ("log", self.log_id))
            if value
        )
        if ids:
            parts.append(f"[{ids}]")
        if self.kept_pending and not self.says_paid:
            parts.append(_(PAID_NOTE))
        return " ".join(parts)

    def __str__(self) -> str:
        return self.message


class PlainError(HalloweenMaskError):
    """An error whose detail is the whole sentence: ``str()`` is the detail alone, no advice, no ids."""

    @property
    def message(self) -> str:
        return self.detail


class AuthError(HalloweenMaskError):
    kind = ErrorKind.AUTH


class OutOfCreditsError(HalloweenMaskError):
    kind = ErrorKind.CREDITS


class RateLimitedError(HalloweenMaskError):
    kind = ErrorKind.RATE_LIMITED


class BadInputError(HalloweenMaskError):
    kind = ErrorKind.BAD_INPUT


class NoFaceError(HalloweenMaskError):
    kind = ErrorKind.NO_FACE


class TooLargeError(HalloweenMaskError):
    kind = ErrorKind.TOO_LARGE


class UnsupportedFormatError(HalloweenMaskError):
    kind = ErrorKind.UNSUPPORTED_FORMAT


class InvalidArgumentError(BadInputError, ValueError):
    """The caller passed arguments the API cannot take; raised before anything is sent."""

    caller_fault = True
    advice = N_("The request is not valid, so nothing was sent.")


class ServerBusyError(HalloweenMaskError):
    kind = ErrorKind.SERVER_BUSY


class ProtocolError(ServerBusyError):
    """The service answered with something that does not follow the documented contract."""

    advice = N_("The service gave an answer this plug-in does not understand. Try again in a few minutes.")


class TaskFailedError(HalloweenMaskError):
    kind = ErrorKind.TASK_FAILED


class NetworkError(HalloweenMaskError):
    kind = ErrorKind.NETWORK


class DamagedDownloadError(NetworkError):
    """A result image arrived cut short or damaged, again and again (a flaky connection, proxy or cache)."""

    advice = N_(
        "The result image arrived cut short or damaged. Try again: a finished task can be fetched with its task id "
        "for 24 hours. If it keeps happening, check your internet connection or proxy."
    )


class ResultUnavailableError(NetworkError):
    """A finished (paid) task's result file could not be downloaded or read: the task stays collectable."""

    says_paid = True
    advice = N_(
        "The mask is paid for, but its file could not be downloaded or read. Run the same again within 24 hours "
        "to collect it at no charge. If it keeps happening, check your internet connection or proxy."
    )


class SubmitOutcomeUnknownError(NetworkError):
    """A submit was sent but its answer was lost: the task may exist and may be billed."""

    advice = N_(
        "The connection failed after the image was sent, so the task may still have been created (and billed). "
        "It was not resubmitted automatically; check your credits before trying again."
    )


class DeadlineExceededError(HalloweenMaskError):
    kind = ErrorKind.TIMEOUT


class CancelledError(HalloweenMaskError):
    kind = ErrorKind.CANCELLED


class SettingsError(HalloweenMaskError, ValueError):
    """The configuration (key, endpoint, settings file) is missing, unsafe or invalid: the caller's to fix."""

    kind = ErrorKind.SETTINGS
    caller_fault = True


class UsageError(PlainError):
    """The caller asked for something impossible (a missing file, a selection of two layers ...).

    ``str()`` is the sentence given: it says what to do. The command line exits with 2, GIMP
    reports a CALLING_ERROR.
    """

    kind = ErrorKind.BAD_INPUT
    caller_fault = True


class NotAnImageError(PlainError, ValueError):
    """The bytes are not a JPEG, PNG or WEBP we can read the size of; ``str()`` says why."""

    kind = ErrorKind.UNSUPPORTED_FORMAT


class DamagedImageError(NotAnImageError):
    """The bytes begin as a JPEG, PNG or WEBP but are not whole: cut short, or damaged on the way."""


ERROR_CLASSES: dict[ErrorKind, type[HalloweenMaskError]] = {
    cls.kind: cls
    for cls in (
        AuthError,
        OutOfCreditsError,
        RateLimitedError,
        BadInputError,
        NoFaceError,
        TooLargeError,
        UnsupportedFormatError,
        ServerBusyError,
        TaskFailedError,
        NetworkError,
        DeadlineExceededError,
        CancelledError,
        SettingsError,
    )
}
"""The class raised for each kind (subclasses such as ``ProtocolError`` refine some of them)."""
