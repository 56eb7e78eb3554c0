"""Transient faults: armed per route for the next N calls, then the route behaves again."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from werkzeug.wrappers import Response

from .config import Fault

SLOW_PIECES = 16


class FaultInjector:
    """Hands out armed faults: the first armed fault matching a route, until its count runs out."""

    def __init__(self, faults: Sequence[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self.arm(faults)

    def arm(self, faults: Sequence[Fault]) -> None:
        with self._lock:
            self._armed = [[Fault.of(fault), Fault.of(fault).count] for fault in faults]

    def take(self, route: str) -> Fault | None:
        with self._lock:
            for entry in self._armed:
                fault, remaining = entry
                if remaining > 0 and fault.route in (route, "*"):
                    entry[1] = remaining - 1
                    return fault
        return None

    def remaining(self) -> list[tuple[Fault, int]]:
        with self._lock:
            return [(fault, left) for fault, left in self._armed]


class DropConnection(Exception):
    """Raised by a route to have the connection closed without a response."""


def drop_connection(environ: dict[str, Any]) -> NoReturn:
    """Close the client's socket without a response; Werkzeug treats the raise as a dropped client."""
    sock: socket.socket = environ["werkzeug.socket"]
    with contextlib.suppress(OSError):  # the client may be gone already
        sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("emulator fault: connection dropped")


def slow(response: Response, seconds: float) -> Response:
    """The same response, its body sent in pieces spread over ``seconds``."""
    data = response.get_data()
    step = max(1, -(-len(data) // SLOW_PIECES))

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(data), step):
            time.sleep(seconds / SLOW_PIECES)
            yield data[start : start + step]

    return _with_body(response, pieces(), len(data))


def truncate(response: Response, environ: dict[str, Any]) -> Response:
    """The full Content-Length announced, half the body sent, then the connection closed."""
    data = response.get_data()

    def pieces() -> Iterator[bytes]:
        yield data[: len(data) // 2]
        drop_connection(environ)

    return _with_body(response, pieces(), len(data))


def cut(response: Response) -> Response:
    """The first half of the body, sent as if it were the whole of it."""
    data = response.get_data()
    half = data[: len(data) // 2]
    return _with_body(response, iter((half,)), len(half))


def _with_body(response: Response, body: Iterator[bytes], length: int) -> Response:
    out = Response(body, status=response.status_code, headers=list(response.headers.items()))
    out.headers["Content-Length"] = str(length)
    return out
