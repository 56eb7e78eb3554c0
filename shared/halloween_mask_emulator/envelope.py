"""The vendor's JSON envelope: request_id, log_id and error_detail on every answer, success or not."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from halloween_mask.error_codes import ERROR_CODES
from werkzeug.wrappers import Response

# What the emulator says in error_detail.message for the codes it raises itself.
MESSAGES = {
    "ERROR_NO_FACE_IN_FILE": "pic not has face",
    "UNSUPPORTED_FILE_TYPES": "Only JPEG, JPG, PNG, WEBP are supported.",
}

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def new_task_id() -> str:
    """``<epoch ms>.<uuid>``, the shape seen in public client code."""
    return f"{int(time.time() * 1000)}.{uuid.uuid4()}"


def body(code: str = "", message: str = "", *, legacy: bool = False, **fields: Any) -> dict[str, Any]:
    """An envelope with fresh ids; empty ``code`` means success."""
    detail: dict[str, Any] = {
        "code": code,
        "code_message": ERROR_CODES[code].meaning if code else "",
        "message": message or (MESSAGES.get(code, ERROR_CODES[code].meaning) if code else ""),
    }
    out: dict[str, Any] = {"request_id": str(uuid.uuid4()), "log_id": uuid.uuid4().hex, "error_detail": detail}
    if legacy:
        status = ERROR_CODES[code].http_status if code else 200
        detail["status_code"] = status
        out.update(error_code=0 if not code else status, error_code_str=code, error_msg=detail["message"])
    out.update(fields)
    return out


def json_response(payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers, content_type="application/json")


def error_response(
    code: str, message: str = "", *, legacy: bool = False, headers: dict[str, str] | None = None
) -> Response:
    """The error ``code`` with the HTTP status of its row in the vendor's table."""
    return json_response(body(code, message, legacy=legacy), ERROR_CODES[code].http_status, headers)


def html_502() -> Response:
    return Response(HTML_502, status=502, content_type="text/html")


def malformed_json() -> Response:
    return Response('{"request_id": "', status=200, content_type="application/json")
