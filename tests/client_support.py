"""Shared helpers for the client's tests (not a test module)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import requests
from halloween_mask.client import Client
from halloween_mask.polling import PollSchedule
from halloween_mask.timing import CancelToken, Clock
from halloween_mask.transport import RetryPolicy


def response(status: int, body: object, headers: dict[str, str] | None = None) -> requests.Response:
    """A real ``requests.Response`` as the transport would hand it over."""
    r = requests.Response()
    r.status_code = status
    r._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    r.headers.update(headers or {})
    return r


def envelope(code: str = "", message: str = "", **extra: object) -> dict:
    """A vendor answer with the public fields, an error code if given, and any extra fields."""
    return {
        "request_id": "req-123",
        "log_id": "log-456",
        "error_detail": {"code": code, "code_message": "", "message": message},
        **extra,
    }


class RecordingClock(Clock):
    """Real time, recording each sleep the client asks for."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float, cancel: CancelToken) -> bool:
        self.sleeps.append(seconds)
        return super().sleep(seconds, cancel)


FAST_SCHEDULE = PollSchedule(first=0.02, steady=0.05, settle_after=1.0, final=0.1, ease=0.01)
FAST_RETRY = RetryPolicy(attempts=4, base=0.02, cap=0.1)


def fast_client(base_url: str, key: str = "test-key", **options: object) -> Client:
    """A client with test-speed polling and backoff (the production defaults are tested on their own)."""
    options = {"schedule": FAST_SCHEDULE, "retry": FAST_RETRY, "deadline": 20.0, **options}
    return Client(key, base_url, **options)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, dict(self.headers)))
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def tiny_server(routes: dict[str, tuple[int, dict[str, str], bytes]]) -> Iterator[tuple[str, list]]:
    """A loopback HTTP server answering fixed responses per path, for cases the emulator has no knob for."""
    handler = type("Handler", (_Handler,), {"routes": routes, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.seen
    finally:
        server.shutdown()
        server.server_close()
