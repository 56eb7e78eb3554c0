"""The diagnostics report: one text to paste into a bug report (``halloween-mask doctor``, and in GIMP).

Sections of ``(title, lines)``: versions and where trusted certificates come from, the settings
file and endpoint (whether a key is set, never the key), a connection test to the configured
endpoint only (name resolution, TLS, the free credits query, each timed), and the log's last
lines. The callers add what only they know (GIMP's versions and folders, the GIMP profiles).
Nothing is sent anywhere but the connection test; home folders are shown as ``~``.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from . import about, logbook
from .config import ENV_BASE, ENV_KEY, Settings, is_loopback, load_settings, settings_path
from .errors import HalloweenMaskError
from .transport import RetryPolicy

Section = tuple[str, list[str]]
CONNECT_TIMEOUT = 10.0  # seconds for each step of the connection test
LOG_LINES = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def versions_section(extra: Sequence[str] = ()) -> Section:
    lines = [f"{name}: {value}" for name, value in about.versions().items()]
    lines.append(f"CA certificates: {about.ca_bundle()}")
    return "Versions", [*extra, *lines]


def settings_section() -> tuple[Section, Settings | None]:
    """Where the settings come from, and the settings (``None`` when they cannot be read)."""
    path = settings_path()
    lines = [f"settings file: {about.home_as_tilde(str(path))} ({_file_state(path)})"]
    try:
        settings = load_settings()
    except HalloweenMaskError as error:
        return ("Settings", [*lines, f"cannot be used: {about.home_as_tilde(str(error))}"]), None
    endpoint = settings.base_url + (f" (from {ENV_BASE})" if os.environ.get(ENV_BASE) else "")
    if settings.api_key is None:
        key = "not set"
    elif settings.source == "environment":
        key = f"set (from {ENV_KEY})"
    else:
        key = "set (in the settings file)"
    return ("Settings", [*lines, f"endpoint: {endpoint}", f"API key: {key}"]), settings


def _file_state(path: Path) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        return "none yet"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    return f"{st.st_size} bytes, mode {stat.S_IMODE(st.st_mode):o}" if os.name == "posix" else f"{st.st_size} bytes"


def connection_section(settings: Settings | None) -> Section:
    """Name resolution, TLS and the credits query against the configured endpoint, each timed."""
    if settings is None:
        return "Connection test", ["skipped: the settings cannot be used"]
    parts = urlsplit(settings.base_url)
    host, https = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    lines: list[str] = []
    ok = _timed(lines, f"name resolution of {host}", lambda: _resolve(host, port))
    if ok and https:
        ok = _timed(lines, f"TLS to {host}:{port}", lambda: _tls(host, port))
    elif ok:
        lines.append("TLS: not used (plain HTTP, allowed only to a loopback endpoint)" if is_loopback(host) else "")
    if not ok:
        lines.append("credits query: skipped")
    elif settings.api_key is None:
        lines.append("credits query: skipped (no API key is set)")
    else:
        _timed(lines, "credits query", lambda: _credits(settings))
    return "Connection test", [line for line in lines if line]


def _timed(lines: list[str], what: str, step: Callable[[], str]) -> bool:
    began = time.monotonic()
    try:
        said = step()
    except Exception as exc:  # a report says what failed; it never fails itself
        lines.append(f"{what}: FAILED after {_ms(began)} ({_reason(exc)})")
        return False
    lines.append(f"{what}: ok in {_ms(began)}" + (f" ({said})" if said else ""))
    return True


def _ms(began: float) -> str:
    return f"{(time.monotonic() - began) * 1000:.0f} ms"


def _reason(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, HalloweenMaskError) else f"{type(exc).__name__}: {exc}"
    return about.home_as_tilde(text)


def _resolve(host: str, port: int) -> str:
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return ", ".join(dict.fromkeys(info[4][0] for info in found))


def _tls(host: str, port: int) -> str:
    """A verified TLS handshake with the trust ``requests`` uses; the protocol and the certificate's issuer."""
    import requests.utils

    context = ssl.create_default_context(cafile=_ca_file(requests.utils))
    with (
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        cert = tls.getpeercert() or {}
        issuer = dict(item for field in cert.get("issuer", ()) for item in field)
        return f"{tls.version()}, certificate issued by {issuer.get('organizationName', '?')}"


def _ca_file(requests_utils: object) -> str | None:
    for name in about.CA_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return getattr(requests_utils, "DEFAULT_CA_BUNDLE_PATH", None)


def _credits(settings: Settings) -> str:
    from .client import Client
    from .cost import masks_left

    assert settings.api_key is not None
    with Client(settings.api_key, settings.base_url, deadline=CONNECT_TIMEOUT, retry=RetryPolicy(attempts=1)) as client:
        pools = client.credits()
    return f"the key works; about {masks_left(pools):,} masks left"


def log_section(count: int = LOG_LINES) -> Section:
    lines = logbook.last_lines(count)
    where = about.home_as_tilde(str(logbook.log_path()))
    return f"Log ({where}, last {count} lines)", lines or ["(no log yet)"]


def render(sections: Sequence[Section], secrets: Sequence[str] = ()) -> str:
    """The report as text: a title line for each section, its lines indented; keys hidden, home as ``~``."""
    out = [f"AI Halloween Mask diagnostics, {time.strftime('%Y-%m-%d %H:%M:%S %z')}"]
    for title, lines in sections:
        out += ["", f"== {title}", *(f"  {line}" for line in lines)]
    text = "\n".join(out) + "\n"
    for secret in {*secrets, os.environ.get(ENV_KEY, "").strip()} - {""}:
        text = text.replace(secret, "***")
    return _CONTROL.sub("?", about.home_as_tilde(text))


def report(before: Sequence[Section] = (), after: Sequence[Section] = (), *, connect: bool = True) -> str:
    """The whole report: ``before`` (the caller's versions), versions, settings, the connection test
    (unless ``connect`` is false), ``after`` (e.g. the GIMP profiles), the log's last lines."""
    settings_part, settings = settings_section()
    sections = [*before, versions_section(), settings_part]
    if connect:
        sections.append(connection_section(settings))
    sections += [*after, log_section()]
    keys = [settings.api_key.reveal()] if settings and settings.api_key else []
    return render(sections, keys)
