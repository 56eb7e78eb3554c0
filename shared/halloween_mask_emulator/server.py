"""Run the emulator: a threaded Werkzeug server on 127.0.0.1, in-process or from the command line.

Bounded whatever connects: at most ``MAX_CONNECTIONS`` connections are served at once (one thread
each; more are answered 503 in the vendor's envelope and closed), a request's line and headers
must arrive within ``HEADER_TIMEOUT`` seconds (an idle keep-alive connection ends so too), and any
one read waits at most ``READ_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from . import envelope
from .app import EmulatorApp, RequestRecord
from .config import EmulatorConfig
from .tasks import Task

HOST = "127.0.0.1"
MAX_CONNECTIONS = 64
HEADER_TIMEOUT = 10.0  # seconds for a request line and its headers
READ_TIMEOUT = 30.0  # seconds for any one read (a body included)


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr; a request's headers must come within ``HEADER_TIMEOUT``."""

    timeout = READ_TIMEOUT

    def setup(self) -> None:
        self.timeout = READ_TIMEOUT  # read when the connection starts, so tests can lower the module's value
        super().setup()

    server: _BoundedServer

    def handle_one_request(self) -> None:
        self.server.header_watch.start(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.header_watch.stop(self.connection)

    def parse_request(self) -> bool:
        parsed = super().parse_request()  # reads the headers
        self.server.header_watch.stop(self.connection)  # they are in: the request runs on its own time
        return parsed

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _HeaderWatch:
    """One thread for the whole server: shuts connections whose request line and headers are late."""

    def __init__(self) -> None:
        self._due: dict[socket.socket, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emulator-header-watch", daemon=True)
        self._thread.start()

    def start(self, connection: socket.socket) -> None:
        with self._lock:
            self._due[connection] = time.monotonic() + HEADER_TIMEOUT

    def stop(self, connection: socket.socket) -> None:
        with self._lock:
            self._due.pop(connection, None)

    def close(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(min(0.25, HEADER_TIMEOUT / 4)):
            now = time.monotonic()
            with self._lock:
                late = [connection for connection, due in self._due.items() if due <= now]
                for connection in late:
                    del self._due[connection]
            for connection in late:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _BoundedServer(ThreadedWSGIServer):
    """Werkzeug's threaded server with at most ``MAX_CONNECTIONS`` connection threads."""

    def __init__(self, host: str, port: int, app: EmulatorApp) -> None:
        super().__init__(host, port, app, _QuietHandler)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.header_watch = _HeaderWatch()

    def server_close(self) -> None:
        self.header_watch.close()
        super().server_close()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _refuse(connection: socket.socket) -> None:
    """A 503 in the vendor's envelope to a connection over the bound (it is closed next)."""
    body = json.dumps(envelope.body("AI_SERVICE_FLOW_RESTRICTION", "too many connections; try again")).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        connection.settimeout(1.0)
        connection.sendall(head.encode() + body)


def make_server(host: str, port: int, app: EmulatorApp) -> _BoundedServer:
    return _BoundedServer(host, port, app)


class Emulator:
    """The emulator as an object: ``with Emulator(config) as emu: ... emu.base_url ...``.

    ``port=0`` picks a free port. The server only ever listens on 127.0.0.1.
    """

    def __init__(self, config: EmulatorConfig | None = None, port: int = 0) -> None:
        self.app = EmulatorApp(config)
        self._port = port
        self._server: _BoundedServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is None:
            self._server = make_server(HOST, self._port, self.app)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None
        self.app.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- what tests use --------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.server_port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, the stand-in for ``https://www.ailabapi.com``."""
        return f"http://{HOST}:{self.port}"

    @property
    def config(self) -> EmulatorConfig:
        return self.app.config

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change settings at run time (any ``EmulatorConfig`` field); returns the new config."""
        return self.app.configure(**changes)

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """Forget tasks and requests; back to the starting settings (or to ``config``, from now on)."""
        self.app.reset(config)

    @property
    def requests(self) -> list[RequestRecord]:
        """The request log so far (a copy)."""
        return self.app.request_log()

    def requests_to(self, route: str) -> list[RequestRecord]:
        """The logged requests to one route: ``submit``, ``poll``, ``credits``, ``result`` or ``preview``."""
        return [record for record in self.app.request_log() if record.route == route]

    def advance_clock(self, seconds: float) -> None:
        """Move the tasks' clock on: they finish and expire as if ``seconds`` had passed (no sleeping)."""
        self.app.tasks.clock_offset += seconds

    @property
    def tasks(self) -> dict[str, Task]:
        """Every task, settled against the clock now (copies)."""
        return self.app.tasks.snapshot()

    def credits(self, pool: str = "common") -> int:
        """The balance of a pool (``common`` or ``portrait_ai_halloween_masks``), after settling tasks."""
        self.app.tasks.settle_all()
        return self.app.ledger.balance(pool)

    def state(self) -> dict[str, Any]:
        """Tasks, credits and request log as JSON-ready data (what ``GET /_emulator/state`` returns)."""
        return self.app.state()


def serve_forever(config: EmulatorConfig | None = None, host: str = HOST, port: int = 8765) -> None:
    """Serve until interrupted (the ``halloween-mask emulator`` command). Loopback addresses only."""
    if host not in (HOST, "localhost", "::1"):
        raise ValueError("the emulator only listens on loopback addresses")
    app = EmulatorApp(config)
    server = make_server(host, port, app)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.close()
