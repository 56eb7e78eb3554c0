"""Shared helpers for the client's tests (not a test module)."""

from __future__ import annotations

import json

import requests


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
