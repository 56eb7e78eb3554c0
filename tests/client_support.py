"""Shared helpers for the client's tests (not a test module)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import requests
from halloween_mask.client import Client
from halloween_mask.polling import PollSchedule
from halloween_mask.responses import Answer
from halloween_mask.timing import CancelToken, Clock
from halloween_mask.transport import RetryPolicy


def response(status: int, body: object, headers: dict[str, str] | None = None) -> Answer:
    """An answer as the transport hands it over (headers case-insensitive, as requests reads them)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(status, requests.structures.CaseInsensitiveDict(headers or {}), content)


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


Reply = tuple[int, dict[str, str], bytes]


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Reply | list[Reply]]] = {}
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []
    exact_headers: ClassVar[bool] = False

    def do_GET(self) -> None:
        self.seen.append((self.path, dict(self.headers)))
        route = self.routes.get(self.path) or self.routes.get(self.path.split("?")[0]) or (404, {}, b"not found")
        if isinstance(route, list):  # answers in turn, the last one from then on
            route = route.pop(0) if len(route) > 1 else route[0]
        status, headers, body = route
        if self.exact_headers:
            self.send_response_only(status)
        else:
            self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def tiny_server(routes: dict[str, Reply | list[Reply]], exact_headers: bool = False) -> Iterator[tuple[str, list]]:
    """A loopback HTTP server answering fixed responses per path, for cases the emulator has no knob for.

    A route is matched with its query string, then without; a list of answers is given in turn
    (the last one from then on). ``exact_headers``: only the given headers (no Server or Date).
    """
    handler = type("Handler", (_Handler,), {"routes": routes, "seen": [], "exact_headers": exact_headers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.seen
    finally:
        server.shutdown()
        server.server_close()


class _DripHandler(socketserver.BaseRequestHandler):
    """Reads one request and answers the route's whole response (status line and headers too) slowly."""

    server: _DripServer

    def handle(self) -> None:
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length"), 0)
        while len(body) < length:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            body += chunk
        path = lines[0].split()[1].split("?")[0]
        self.server.seen.append(path)
        status, content_type, payload, per_byte = self.server.routes.get(path, (404, "text/plain", b"no", 0.0))
        answer = (
            f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode() + payload
        try:
            if not per_byte:
                self.request.sendall(answer)
                return
            for byte in answer:
                if self.server.stopping.wait(per_byte):
                    return
                self.request.sendall(bytes([byte]))
        except OSError:
            return  # the client hung up, as it should at its deadline


class _DripServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    routes: dict[str, tuple[int, str, bytes, float]]
    seen: list[str]
    stopping: threading.Event


@contextmanager
def drip_server() -> Iterator[_DripServer]:
    """A loopback server that can send a route's answer one byte at a time, ``per_byte`` seconds apart.

    Fill ``server.routes[path] = (status, content type, body, per_byte)`` (0: at once) after it
    starts (``server.base``, also ``base_url`` as the emulator names it, is its URL); ``server.seen``
    lists the paths asked for.
    """
    server = _DripServer(("127.0.0.1", 0), _DripHandler)
    server.routes, server.seen, server.stopping = {}, [], threading.Event()
    server.base = server.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def fake_service(server: _DripServer, result: bytes, *, slow: str = "", per_byte: float = 0.0) -> None:
    """Routes for a whole task on ``server``: a submit, a finished poll, one result; ``slow`` drips one of them."""
    urls = [f"{server.base}/r.png"]  # type: ignore[attr-defined]
    answers = {
        SUBMIT: (200, "application/json", json.dumps(envelope(task_id="t-1")).encode()),
        POLL: (200, "application/json", json.dumps(envelope(task_status=2, data={"result_urls": urls})).encode()),
        "/r.png": (200, "image/png", result),
    }
    for path, (status, kind, body) in answers.items():
        server.routes[path] = (status, kind, body, per_byte if path == slow else 0.0)


SUBMIT = "/api/portrait/effects/ai-halloween-mask"
POLL = "/api/common/query-async-task-result"
