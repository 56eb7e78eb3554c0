"""Test helpers shared by every test module: test portraits, the emulator's key, a raw-HTTP client for it,
and what it takes to reach an emulator in another process (a free port, waiting until it serves).

Kept out of conftest.py so that test modules can import them by a unique name (tests/gimp has a
conftest.py of its own).

"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from PIL import Image

DATA = Path(__file__).resolve().parent / "data"
PORTRAIT = DATA / "portrait-astronaut.png"
API_KEY = "test-key"
SUBMIT_PATH = "/api/portrait/effects/ai-halloween-mask"
POLL_PATH = "/api/common/query-async-task-result"
CREDITS_PATH = "/api/common/query-credits"


def make_no_face_png(width: int = 640, height: int = 480) -> bytes:
    """A landscape-like picture (sky gradient, hills, a sun) with no face in it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=(round(40 + 150 * t), round(90 + 100 * t), round(200 - 60 * t)))
    draw.ellipse((width * 0.7, height * 0.1, width * 0.82, height * 0.26), fill=(250, 220, 120))
    for i, shade in enumerate(((60, 110, 50), (40, 90, 40))):
        top = height * (0.55 + 0.12 * i)
        draw.polygon(
            [
                (0, height),
                (0, top),
                (width * 0.3, top - 60),
                (width * 0.6, top + 20),
                (width, top - 40),
                (width, height),
            ],
            fill=shade,
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class EmulatorApi:
    """Raw HTTP against a running emulator, as any client would speak it (no product code involved)."""

    def __init__(self, base_url: str, key: str | None = API_KEY) -> None:
        self.base_url = base_url
        self.key = key
        self.session = requests.Session()

    def headers(self, key: str | None = None) -> dict[str, str]:
        key = key or self.key
        return {"ailabapi-api-key": key} if key else {}

    def submit(
        self,
        image: bytes | None,
        *,
        key: str | None = None,
        files: dict[str, Any] | None = None,
        **fields: str,
    ) -> requests.Response:
        """POST the submit form: ``image`` as a PNG/JPEG part, ``fields`` as text parts."""
        parts = dict(files or {})
        if image is not None:
            parts["image"] = ("image.png", image, "image/png")
        return self.session.post(
            self.base_url + SUBMIT_PATH, headers=self.headers(key), files=parts or None, data=fields, timeout=30
        )

    def poll(self, task_id: str, *, key: str | None = None) -> requests.Response:
        return self.session.get(
            self.base_url + POLL_PATH, params={"task_id": task_id}, headers=self.headers(key), timeout=30
        )

    def credits(self, *, key: str | None = None) -> requests.Response:
        return self.session.get(self.base_url + CREDITS_PATH, headers=self.headers(key), timeout=30)

    def task_id(self, image: bytes, **fields: str) -> str:
        """Submit (style 7 unless a style or template is given) and return the task id."""
        if "mask_style" not in fields:
            fields = {"mask_style": "7", **fields}
        response = self.submit(image, **fields)
        assert response.status_code == 200, response.text
        return response.json()["task_id"]


def free_port() -> int:
    """A loopback port nothing listens on right now, for an emulator started in another process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(api: EmulatorApi, seconds: float = 20.0) -> None:
    """Block until the emulator behind ``api`` answers (a credits query), or fail the test."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            api.credits()
            return
        except requests.ConnectionError:
            assert time.monotonic() < deadline, f"the emulator at {api.base_url} did not start"
            time.sleep(0.1)


def portrait_copies(portrait_path: Path, folder: Path, names: Sequence[str]) -> list[str]:
    """The test portrait under several names, as a user's batch of photos.

    Each copy differs in one pixel: identical files are one request, which may share one task.
    """
    with Image.open(portrait_path) as portrait:
        for number, name in enumerate(names):
            copy = portrait.convert("RGB")
            copy.putpixel((0, 0), (number, 0, 0))
            copy.save(folder / f"{name}.png")
    return [str(folder / f"{name}.png") for name in names]
