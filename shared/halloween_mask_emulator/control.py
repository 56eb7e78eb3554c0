"""The emulator's control routes (``/_emulator/state``, ``config``, ``reset``), for tests in other processes.

Anything on this machine can reach a loopback port, a web page in a browser included. So when the
emulator has keys of its own (not ``accept_any_key``), the control routes want one of them in the ``ailabapi-api-key``
header, and a body must be ``application/json``: a page can send neither without the browser
asking the server first (a CORS preflight, which the emulator never grants).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import envelope
from .config import config_changes_from_json

if TYPE_CHECKING:
    from .app import EmulatorApp

KEY_HEADER = "ailabapi-api-key"


def handle(app: EmulatorApp, route: str, request: Request) -> Response:
    """Answer one control route: refused without the key (when keys are set) or with a body that is not JSON."""
    config = app.config
    if not config.control_routes:
        return envelope.error_response("ERROR_AI_NOT_EXISTS")
    if not config.accept_any_key and request.headers.get(KEY_HEADER, "") not in config.api_keys:
        return envelope.error_response(config.auth_error_code, "the control routes need one of the emulator's keys")
    if request.method == "POST" and request.mimetype != "application/json":
        return envelope.error_response(
            "ERROR_INVALID_PARAMETER_FORMAT", "the control routes take a JSON body (Content-Type: application/json)"
        )
    if route == "control_config":
        try:
            changes = json.loads(request.get_data() or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("the settings must be a JSON object")
            app.configure(**config_changes_from_json(changes))
        except (ValueError, TypeError) as exc:  # 400 with the reason; the settings stay as they were
            return envelope.error_response("ERROR_INVALID_PARAMETER", str(exc))
    elif route == "control_reset":
        app.reset()
    return envelope.json_response(state(app))


def state(app: EmulatorApp) -> dict[str, Any]:
    """Tasks, credits and the request log as JSON-ready data."""
    tasks = app.tasks.snapshot()
    log = [dataclasses.asdict(entry) for entry in app.request_log()]
    return {
        "credits": app.ledger.as_data(),
        "tasks": {
            task_id: {
                "status": task.status,
                "outcome": task.outcome,
                "mask_style": task.mask_style,
                "template_used": task.template_used,
                "template_ignored": task.template_ignored,
                "aspect_ratio": task.aspect_ratio,
                "image_size": task.image_size,
                "face_box": task.face_box,
                "output_size": task.output_size,
                "failure": task.failure.mode if task.failure else None,
                "charged": task.charged,
                "polls": task.polls,
            }
            for task_id, task in tasks.items()
        },
        "requests": log,
    }
