"""What the emulator does: keys, timing, credits, results, failure modes and transient faults.

Everything is plain data so a run can be reconfigured from Python (``Emulator.configure``) or,
for emulators in another process, from JSON (``config_changes_from_json``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from halloween_mask.error_codes import ERROR_CODES

Seconds = float | tuple[float, float]  # a fixed delay, or a (low, high) range drawn per task

CREDITS_PER_TASK = 15
MAX_UPLOAD_BYTES = 10 * 2**20  # the emulator's reading of "10 MB"
MAX_SIDE_EXCLUSIVE = 4096  # "less than 4096x4096", per side
DAY = 24 * 3600.0

# How a task can fail: the ways seen in the wild or in vendor code, (a)-(h).
FAILURE_MODES = (
    "submit_reject",  # (a) the submit itself answers an error (default 422 ERROR_NO_FACE_IN_FILE)
    "poll_error",  # (b) the poll answers non-200 with error_detail (default 500 PROCESSING_FAILURE)
    "status_3",  # (c) the poll answers 200 with task_status 3
    "empty_urls",  # (d) the poll answers 200, task_status 2, data.result_urls == []
    "error_200",  # (e) the poll answers 200 with a non-empty error_detail.code
    "never",  # (f) the task stays in status 1 until it expires
    "nested_status",  # (g) succeeds, but the status is nested as data.task_status
    "html_502",  # (h) the poll answers an HTML 502 page from a "proxy"
)
_DEFAULT_FAILURE_CODES = {
    "submit_reject": "ERROR_NO_FACE_IN_FILE",
    "poll_error": "PROCESSING_FAILURE",
    "error_200": "PROCESSING_FAILURE",
}

ROUTES = ("submit", "poll", "credits", "result", "preview", "*")
FAULT_KINDS = (
    "error",  # answer error ``code`` (e.g. EXCEEDING_LIMITS 429) with the code's HTTP status
    "latency",  # wait ``seconds`` and then answer normally
    "drop",  # close the connection without any response
    "slow",  # send the normal body in small pieces spread over ``seconds``
    "truncate",  # announce the full Content-Length, send half the body, close
    "cut",  # send half the body as if it were all of it (a matching Content-Length), as a broken cache would
    "malformed_json",  # 200 with a body that is not valid JSON
    "html",  # an HTML 502 page, as a proxy in front of the API would send
)


@dataclass(frozen=True)
class Failure:
    """How one task fails; ``code`` and ``message`` default per mode."""

    mode: str
    code: str | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {self.mode!r}; one of {', '.join(FAILURE_MODES)}")
        if self.code is not None and self.code not in ERROR_CODES:
            raise ValueError(f"unknown error code {self.code!r}")

    @property
    def error_code(self) -> str:
        return self.code or _DEFAULT_FAILURE_CODES.get(self.mode, "PROCESSING_FAILURE")

    @classmethod
    def of(cls, value: Failure | str | Mapping[str, Any] | None) -> Failure | None:
        """A ``Failure`` from itself, a mode name or a JSON object."""
        if value is None or isinstance(value, Failure):
            return value
        if isinstance(value, str):
            return cls(value)
        return cls(**value)


@dataclass(frozen=True)
class Fault:
    """A transient fault on one route (or ``"*"``) for the next ``count`` calls after configuration."""

    kind: str
    route: str = "*"
    count: int = 1
    code: str | None = None  # for kind "error"
    retry_after: float | None = None  # adds a Retry-After header to an "error"
    seconds: float = 0.0  # for "latency" and "slow"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        if self.route not in ROUTES:
            raise ValueError(f"unknown route {self.route!r}; one of {', '.join(ROUTES)}")
        if self.kind == "error" and self.code not in ERROR_CODES:
            raise ValueError(f"fault kind 'error' needs a known error code, not {self.code!r}")
        _whole("count", self.count, 1)
        _seconds("seconds", self.seconds)
        if self.retry_after is not None:
            _seconds("retry_after", self.retry_after)

    @classmethod
    def error(cls, code: str, route: str = "*", count: int = 1, retry_after: float | None = None) -> Fault:
        return cls("error", route=route, count=count, code=code, retry_after=retry_after)

    @classmethod
    def of(cls, value: Fault | Mapping[str, Any]) -> Fault:
        return value if isinstance(value, Fault) else cls(**value)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that shapes the emulator's answers. Defaults: instant tasks, one result URL."""

    # Auth
    api_keys: Collection[str] = ("test-key",)
    accept_any_key: bool = False  # any non-empty key is valid (handy for a shell-started emulator)
    auth_error_code: str = "ERROR_APPLICATIONS_NOT_EXISTS"  # or ERROR_USER_NOT_EXISTS
    # Codes the vendor leaves open
    invalid_style_code: str = "ERROR_INVALID_PARAMETER"  # or UNSUPPORTED_PARAMETER_VALUES
    unknown_task_code: str = "ERROR_RESOURCE_NOT_FOUND"
    # Timing: status 0 for queued_seconds, then 1 for processing_seconds, then 2
    queued_seconds: Seconds = 0.0
    processing_seconds: Seconds = 0.0
    result_ttl: float = DAY  # how long tasks and result URLs live after completion
    seed: int = 0  # for timing ranges
    # Credits: the universal pool and the Halloween-specific pool (spent first)
    credits: int = 10_000
    halloween_credits: int = 0
    # Results
    result_count: int = 1
    distinct_urls: bool = False  # several URLs: distinct paths, or the same URL repeated
    result_extension: str = "png"  # the URL's extension; the body is always a PNG
    output_size: tuple[int, int] | None = None  # force the result's (width, height)
    # Pacing: a Retry-After header (seconds) on polls of unfinished tasks; undocumented, so off by default
    poll_retry_after: float | None = None
    # Failures
    no_face_at: Literal["poll", "submit"] = "poll"  # when a face-less image is reported
    poll_failure_mode: str = "poll_error"  # how a no-face task fails at poll time
    failure: Failure | str | None = None  # every task fails so
    failures_by_style: Mapping[int | str, Failure | str] = field(default_factory=dict)  # key: style or "template"
    next_failures: Sequence[Failure | str] = ()  # the next tasks fail so, one entry each
    faults: Sequence[Fault] = ()
    # Shape
    legacy_fields: bool = False  # adds error_code, error_code_str, error_msg, error_detail.status_code
    control_routes: bool = True  # /_emulator/state, /_emulator/config, /_emulator/reset

    def __post_init__(self) -> None:
        self._check_choices()
        self._check_numbers()
        self._check_results()
        Failure.of(self.failure)
        for value in (*self.failures_by_style.values(), *self.next_failures):
            Failure.of(value)
        for fault in self.faults:
            Fault.of(fault)

    def _check_choices(self) -> None:
        """Error codes, modes and switches the emulator knows; keys that are non-empty strings."""
        for name in ("auth_error_code", "invalid_style_code", "unknown_task_code"):
            if getattr(self, name) not in ERROR_CODES:
                raise ValueError(f"{name}: unknown error code {getattr(self, name)!r}")
        if self.no_face_at not in ("poll", "submit"):
            raise ValueError("no_face_at must be 'poll' or 'submit'")
        if self.poll_failure_mode not in ("poll_error", "status_3", "error_200", "html_502"):
            raise ValueError("poll_failure_mode must be poll_error, status_3, error_200 or html_502")
        for name in ("accept_any_key", "distinct_urls", "legacy_fields", "control_routes"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, not {getattr(self, name)!r}")
        if isinstance(self.api_keys, str) or not all(isinstance(k, str) and k for k in self.api_keys):
            raise ValueError("api_keys must be a list of non-empty strings")

    def _check_numbers(self) -> None:
        """Times are seconds >= 0 (or a (low, high) range of them); counts are whole numbers >= 0."""
        for name in ("queued_seconds", "processing_seconds"):
            _seconds_or_range(name, getattr(self, name))
        _seconds("result_ttl", self.result_ttl)
        if self.poll_retry_after is not None:
            _seconds("poll_retry_after", self.poll_retry_after)
        for name in ("seed", "credits", "halloween_credits", "result_count"):
            _whole(name, getattr(self, name), 0)

    def _check_results(self) -> None:
        """The result URL's extension and the forced result size, when given."""
        if not isinstance(self.result_extension, str) or not self.result_extension.isalnum():
            raise ValueError(f"result_extension must be letters or digits, not {self.result_extension!r}")
        if self.output_size is not None:
            if not isinstance(self.output_size, tuple) or len(self.output_size) != 2:
                raise ValueError(f"output_size must be (width, height), not {self.output_size!r}")
            for side in self.output_size:
                _whole("output_size", side, 1)

    @classmethod
    def realistic(cls, **changes: Any) -> EmulatorConfig:
        """Timing like the live service: a few seconds queued, tens of seconds processing."""
        return cls(**{"queued_seconds": (1.0, 5.0), "processing_seconds": (10.0, 40.0), **changes})

    def replace(self, **changes: Any) -> EmulatorConfig:
        return dataclasses.replace(self, **changes)


def _seconds(name: str, value: object) -> None:
    """A ``ValueError`` naming ``name`` unless ``value`` is a finite number of seconds >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")


def _seconds_or_range(name: str, value: object) -> None:
    """A ``ValueError`` naming ``name`` unless ``value`` is seconds or a (low, high) range with low <= high."""
    for part in value if isinstance(value, tuple) and len(value) == 2 else (value,):
        _seconds(name, part)
    if isinstance(value, tuple) and value[0] > value[1]:
        raise ValueError(f"{name}: a (low, high) range needs low <= high, not {value!r}")


def _whole(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, not {value!r}")


def config_changes_from_json(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a JSON object (control route) into ``EmulatorConfig`` changes: lists to tuples, etc."""
    known = {f.name for f in dataclasses.fields(EmulatorConfig)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    out = dict(changes)
    for name in ("queued_seconds", "processing_seconds", "output_size"):
        if isinstance(out.get(name), list):
            out[name] = tuple(out[name])
    if "api_keys" in out:
        out["api_keys"] = tuple(out["api_keys"])
    if "failure" in out:
        out["failure"] = Failure.of(out["failure"])
    if "failures_by_style" in out:
        out["failures_by_style"] = {
            (int(k) if str(k).isdigit() else k): Failure.of(v) for k, v in out["failures_by_style"].items()
        }
    if "next_failures" in out:
        out["next_failures"] = tuple(Failure.of(v) for v in out["next_failures"])
    if "faults" in out:
        out["faults"] = tuple(Fault.of(v) for v in out["faults"])
    return out
