"""Run the emulator: a threaded Werkzeug server on 127.0.0.1, in-process or from the command line."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import EmulatorApp, RequestRecord
from .config import EmulatorConfig
from .tasks import Task

HOST = "127.0.0.1"


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and the CLI stay readable."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Emulator:
    """The emulator as an object: ``with Emulator(config) as emu: ... emu.base_url ...``.

    ``port=0`` picks a free port. The server only ever listens on 127.0.0.1.
    """

    def __init__(self, config: EmulatorConfig | None = None, port: int = 0) -> None:
        self.app = EmulatorApp(config)
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is None:
            self._server = make_server(HOST, self._port, self.app, threaded=True, request_handler=_QuietHandler)
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
        return list(self.app.requests)

    def requests_to(self, route: str) -> list[RequestRecord]:
        """The logged requests to one route: ``submit``, ``poll``, ``credits``, ``result`` or ``preview``."""
        return [record for record in self.app.requests if record.route == route]

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
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.close()
