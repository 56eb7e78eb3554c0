"""The watchdog: an exchange's sockets are shut when its deadline comes, whatever the server does.

``requests``' timeouts bound each socket read, not a response: a server sending its status line,
headers or body a byte at a time would keep an exchange alive for ever. ``Transport`` runs every
exchange inside :func:`watchdog` and mounts :class:`WatchedAdapter`, whose connections put
themselves under the running thread's watchdog. The same connections check the address they
reached against the running thread's :func:`peer_check`, if any (a result URL's host, whatever
name led there), before a byte is sent.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
from requests.adapters import HTTPAdapter

_current = threading.local()  # the running exchange's watchdog, per thread


class _Watchdog:
    """Shuts the sockets of one exchange (request, headers, body) once ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.fired = threading.Event()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(min(seconds, threading.TIMEOUT_MAX), self._fire)  # 1e10 s would overflow
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()

    def watch(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            if self.fired.is_set():
                _shut(connection)

    def _fire(self) -> None:
        with self._lock:
            self.fired.set()
            for connection in self._connections:
                _shut(connection)


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[threading.Event]:
    """Watch this thread's exchanges for ``seconds``; yields the event set if it had to cut them off."""
    dog = _Watchdog(seconds)
    _current.watchdog = dog
    dog.start()
    try:
        yield dog.fired
    finally:
        dog.stop()
        _current.watchdog = None


@contextlib.contextmanager
def peer_check(check: Callable[[str], object] | None) -> Iterator[None]:
    """While inside, each new direct connection of this thread calls ``check(peer address)`` before
    anything is sent; what it raises ends the exchange (the socket is closed). Through a proxy the
    proxy is the peer, so nothing is checked there."""
    _current.peer_check = check
    try:
        yield
    finally:
        _current.peer_check = None


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # the plain socket call: a TLS socket's own would unwrap it
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedConnection:
    """Mixed into urllib3's connections: each request puts the connection under this thread's watchdog."""

    def connect(self) -> None:
        self._watched()
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._watched()
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def _new_conn(self) -> Any:
        sock = super()._new_conn()  # type: ignore[misc]
        check = getattr(_current, "peer_check", None)
        if check is not None and not (getattr(self, "proxy", None) or getattr(self, "_tunnel_host", None)):
            try:
                check(sock.getpeername()[0])
            except BaseException:
                sock.close()
                raise
        return sock

    def _watched(self) -> None:
        watchdog = getattr(_current, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(self)


class _HTTPConnection(_WatchedConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the watchdog can shut (direct, or through an HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # a SOCKS proxy keeps its own pools (reads stay capped)
            manager.pool_classes_by_scheme = _POOLS
        return manager
