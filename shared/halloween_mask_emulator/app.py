"""The emulator's WSGI application: the vendor's routes, plus control routes for other processes."""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from halloween_mask.styles import STYLE_COUNT
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import control, envelope, faults
from .config import EmulatorConfig, Failure, Fault, Seconds
from .credits import Ledger
from .detect import find_face
from .renderer import preview_jpeg, render
from .tasks import DONE, Task, TaskStore
from .validation import ApiError, SubmitRequest, parse_submit

KEY_HEADER = "ailabapi-api-key"
MAX_BODY = 64 * 2**20  # a whole request; each file is held to 10 MB by validation
API_ROUTES = ("submit", "poll", "credits")
MAX_LOGGED_REQUESTS = 5_000  # the newest requests are kept (about 1 kB each)
MAX_RENDERING = 32  # submits waiting to be rendered hold decoded images: more are answered EXCEEDING_LIMITS
MAX_TASKS = 10_000  # the newest tasks are kept (a few hundred bytes each; results live on disk)

URLS = Map(
    [
        Rule("/api/portrait/effects/ai-halloween-mask", methods=["POST"], endpoint="submit"),
        Rule("/api/common/query-async-task-result", methods=["GET"], endpoint="poll"),
        Rule("/api/common/query-credits", methods=["GET"], endpoint="credits"),
        Rule("/results/<task_id>/<name>", methods=["GET"], endpoint="result"),
        Rule("/ai-halloween-masks/masks/<name>", methods=["GET"], endpoint="preview"),
        Rule("/_emulator/state", methods=["GET"], endpoint="control_state"),
        Rule("/_emulator/config", methods=["POST"], endpoint="control_config"),
        Rule("/_emulator/reset", methods=["POST"], endpoint="control_reset"),
    ]
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it. The API key's value is never kept, only its presence."""

    time: float
    method: str
    path: str
    route: str
    header_names: tuple[str, ...]
    key_present: bool
    form_fields: tuple[str, ...]
    file_sizes: dict[str, int]
    status: int | None = None  # None: the connection was dropped
    fault: str | None = None
    file_digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of each file part: the same upload?


class EmulatorApp:
    """All of the emulator's state and its HTTP surface."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="emulator-render")
        self.config = config or EmulatorConfig()
        self._defaults = self.config  # what a reset goes back to
        self.ledger = Ledger(self.config.credits, self.config.halloween_credits)
        self.faults = faults.FaultInjector(self.config.faults)
        self.tasks = TaskStore(self.ledger, self.config.poll_failure_mode)
        self.requests: deque[RequestRecord] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self._next_failures: deque[Failure] = deque()
        self._rng = random.Random(self.config.seed)
        self.configure()

    # ---- state ---------------------------------------------------------------------------
    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change settings at run time; credits, faults and queued failures are re-armed if given."""
        with self._lock:
            self.config = self.config.replace(**changes)
            everything = not changes
            if everything or {"credits", "halloween_credits"} & changes.keys():
                self.ledger.set(self.config.credits, self.config.halloween_credits)
            if everything or "faults" in changes:
                self.faults.arm(self.config.faults)
            if everything or "next_failures" in changes:
                self._next_failures = deque(Failure.of(f) for f in self.config.next_failures)
            if everything or "seed" in changes:
                self._rng = random.Random(self.config.seed)
            self.tasks.poll_failure_mode = self.config.poll_failure_mode
            return self.config

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """Forget tasks and the request log; back to the settings the emulator started with.

        A ``config`` given here becomes those settings (and so what the next reset restores).
        """
        with self._lock:
            self.tasks.clear()
            self.requests = deque(maxlen=MAX_LOGGED_REQUESTS)
            if config is not None:
                self._defaults = config
            self.config = self._defaults
        self.configure()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.tasks.close()

    # ---- WSGI ----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        adapter = URLS.bind_to_environ(environ)
        try:
            route, args = adapter.match()
        except HTTPException as exc:
            route, args = "unknown", {}
            if exc.code == 405:  # the vendor's envelope, not Werkzeug's HTML page
                return _wrong_method(request, exc)(environ, start_response)
        record = {"route": route, "status": None, "fault": None}
        try:
            response = self._handle(request, route, args, record)
        except faults.DropConnection:
            self._log(request, record)  # before the client can notice the drop
            faults.drop_connection(environ)
        record["status"] = response.status_code
        self._log(request, record)
        return response(environ, start_response)

    def _handle(self, request: Request, route: str, args: dict[str, str], record: dict[str, Any]) -> Response:
        if route.startswith("control_"):
            return control.handle(self, route, request)
        if route == "unknown":
            return envelope.error_response("ERROR_AI_NOT_EXISTS", legacy=self.config.legacy_fields)
        fault = self.faults.take(route)
        if fault is not None:
            record["fault"] = fault.kind
            early = self._early_fault(fault, request)
            if early is not None:
                return early
        response = self._route(request, route, args)
        if fault is not None and fault.kind == "slow":
            return faults.slow(response, fault.seconds)
        if fault is not None and fault.kind == "truncate":
            return faults.truncate(response, request.environ)
        if fault is not None and fault.kind == "cut":
            return faults.cut(response)
        return response

    def _early_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "latency":
            time.sleep(fault.seconds)
        elif fault.kind == "drop":
            raise faults.DropConnection
        elif fault.kind == "error":
            assert fault.code is not None
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
            return envelope.error_response(fault.code, legacy=self.config.legacy_fields, headers=headers)
        elif fault.kind == "malformed_json":
            return envelope.malformed_json()
        elif fault.kind == "html":
            return envelope.html_502()
        return None

    def _route(self, request: Request, route: str, args: dict[str, str]) -> Response:
        config = self.config
        try:
            if route in API_ROUTES and not self._authorised(request, config):
                raise ApiError(config.auth_error_code)
            return getattr(self, f"_{route}")(request, config, **args)
        except ApiError as exc:
            return envelope.error_response(exc.code, exc.message, legacy=config.legacy_fields)
        except RequestEntityTooLarge:
            return envelope.error_response("ERROR_REQUEST_BODY_TOO_LARGE", legacy=config.legacy_fields)

    @staticmethod
    def _authorised(request: Request, config: EmulatorConfig) -> bool:
        key = request.headers.get(KEY_HEADER, "")
        return bool(key) and (config.accept_any_key or key in config.api_keys)

    def _log(self, request: Request, record: dict[str, Any]) -> None:
        parsed = "files" in request.__dict__  # only what the route parsed: a dropped body is not read again
        files = request.files if parsed else {}
        form = tuple(request.form.keys()) if parsed else ()
        entry = RequestRecord(
            time=time.time(),
            method=request.method,
            path=request.path,
            route=record["route"],
            header_names=tuple(sorted(name.lower() for name, _ in request.headers.items())),
            key_present=KEY_HEADER in request.headers,
            form_fields=form + tuple(files.keys()),
            file_sizes={name: _size(storage) for name, storage in files.items()},
            file_digests={name: _digest(storage) for name, storage in files.items()},
            status=record["status"],
            fault=record["fault"],
        )
        with self._lock:
            self.requests.append(entry)

    def request_log(self) -> list[RequestRecord]:
        """The logged requests, oldest first (at most ``MAX_LOGGED_REQUESTS``)."""
        with self._lock:
            return list(self.requests)

    # ---- vendor routes -------------------------------------------------------------------
    def _submit(self, request: Request, config: EmulatorConfig) -> Response:
        if self.tasks.rendering() >= MAX_RENDERING:
            raise ApiError("EXCEEDING_LIMITS", f"at most {MAX_RENDERING} tasks are rendered at once")
        submit = parse_submit(request.form, request.files, config.invalid_style_code)
        if not self.ledger.can_pay():
            raise ApiError("ERROR_NOT_ENOUGH_CREDITS")
        failure = self._failure_for(submit, config)
        if failure is not None and failure.mode == "submit_reject":
            raise ApiError(failure.error_code, failure.message or "")
        face_box = None
        if failure is None and config.no_face_at == "submit":
            face_box = find_face(submit.image)
            if face_box is None:
                raise ApiError("ERROR_NO_FACE_IN_FILE")
        task = Task(
            task_id=envelope.new_task_id(),
            created=self.tasks.now(),
            queued_for=self._draw(config.queued_seconds),
            processing_for=math.inf if failure and failure.mode == "never" else self._draw(config.processing_seconds),
            ttl=config.result_ttl,
            mask_style=submit.mask_style,
            template_used=submit.mask_style is None,
            template_ignored=submit.template_ignored,
            aspect_ratio=submit.aspect_ratio,
            image_size=submit.image.size,
            failure=failure,
        )
        if failure is None or failure.mode == "nested_status":
            task.render = self._executor.submit(self._render, submit, config.output_size, face_box)
        self.tasks.add(task, limit=MAX_TASKS)
        return envelope.json_response(envelope.body(legacy=config.legacy_fields, task_id=task.task_id))

    @staticmethod
    def _render(submit: SubmitRequest, output_size: tuple[int, int] | None, face_box: Any) -> Any:
        return render(
            submit.image,
            style=submit.mask_style,
            template=submit.template,
            template_bytes=submit.template_bytes,
            aspect_ratio=submit.aspect_ratio,
            output_size=output_size,
            face_box=face_box,
        )

    def _failure_for(self, submit: SubmitRequest, config: EmulatorConfig) -> Failure | None:
        with self._lock:
            if self._next_failures:
                return self._next_failures.popleft()
        key: int | str = submit.mask_style if submit.mask_style is not None else "template"
        return Failure.of(config.failures_by_style.get(key)) or Failure.of(config.failure)

    def _draw(self, value: Seconds) -> float:
        if isinstance(value, tuple):
            with self._lock:
                return self._rng.uniform(*value)
        return float(value)

    def _poll(self, request: Request, config: EmulatorConfig) -> Response:
        task_id = request.args.get("task_id", "")
        if not task_id:
            raise ApiError("MISSING_PARAMETERS", "task_id is required")
        task = self.tasks.get(task_id, count_poll=True)
        if task is None:
            raise ApiError(config.unknown_task_code)
        legacy = config.legacy_fields
        failure = task.failure
        nested = failure is not None and failure.mode == "nested_status"
        if task.outcome == DONE:
            data = {"result_urls": self._result_urls(request, task, config)}
            if nested:
                return envelope.json_response(envelope.body(legacy=legacy, data={"task_status": 2, **data}))
            return envelope.json_response(envelope.body(legacy=legacy, task_status=2, data=data))
        if task.status < 2 or failure is None:
            pacing = None if config.poll_retry_after is None else {"Retry-After": f"{config.poll_retry_after:g}"}
            if nested:
                payload = envelope.body(legacy=legacy, data={"task_status": task.status})
            else:
                payload = envelope.body(legacy=legacy, task_status=task.status)
            return envelope.json_response(payload, headers=pacing)
        return self._failed_poll(failure, legacy)

    @staticmethod
    def _failed_poll(failure: Failure, legacy: bool) -> Response:
        message = failure.message or ""
        if failure.mode == "poll_error":
            return envelope.error_response(failure.error_code, message, legacy=legacy)
        if failure.mode == "status_3":
            return envelope.json_response(envelope.body(legacy=legacy, task_status=3))
        if failure.mode == "empty_urls":
            return envelope.json_response(envelope.body(legacy=legacy, task_status=2, data={"result_urls": []}))
        if failure.mode == "error_200":
            return envelope.json_response(envelope.body(failure.error_code, message, legacy=legacy, task_status=2))
        return envelope.html_502()  # "html_502"

    @staticmethod
    def _result_urls(request: Request, task: Task, config: EmulatorConfig) -> list[str]:
        base = f"{request.host_url}results/{task.task_id}/"
        return [
            f"{base}{n if config.distinct_urls else 0}.{config.result_extension}" for n in range(config.result_count)
        ]

    def _credits(self, request: Request, config: EmulatorConfig) -> Response:
        self.tasks.settle_all()  # tasks that finished unobserved are charged before the balance is read
        return envelope.json_response(envelope.body(legacy=config.legacy_fields, data=self.ledger.as_data()))

    def _result(self, request: Request, config: EmulatorConfig, task_id: str, name: str) -> Response:
        task = self.tasks.get(task_id)
        index = name.split(".", 1)[0]
        result = task.result if task is not None else None
        if result is None or not index.isdigit() or int(index) >= max(1, config.result_count):
            raise ApiError("ERROR_RESOURCE_NOT_FOUND")
        return Response(result, content_type="image/png")

    def _preview(self, request: Request, config: EmulatorConfig, name: str) -> Response:
        number = name.removesuffix(".jpg")
        if not number.isdigit() or not 1 <= int(number) <= STYLE_COUNT:
            raise ApiError("ERROR_RESOURCE_NOT_FOUND")
        return Response(preview_jpeg(int(number)), content_type="image/jpeg")

    def state(self) -> dict[str, Any]:
        """Tasks, credits and the request log as JSON-ready data."""
        return control.state(self)


def _wrong_method(request: Request, exc: HTTPException) -> Response:
    """A method the route does not take, answered in the vendor's envelope (405, with ``Allow``)."""
    allowed = sorted(getattr(exc, "valid_methods", None) or ())
    message = f"{request.method} is not allowed here; use {' or '.join(allowed) or 'another method'}"
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    return envelope.json_response(envelope.body("ERROR_ILLEGAL_OPERATION", message), 405, headers)


def _digest(storage: Any) -> str:
    digest = hashlib.sha256()
    storage.stream.seek(0)
    while chunk := storage.stream.read(1 << 20):
        digest.update(chunk)
    storage.stream.seek(0)
    return digest.hexdigest()


def _size(storage: Any) -> int:
    storage.stream.seek(0, 2)
    size = storage.stream.tell()
    storage.stream.seek(0)
    return size
