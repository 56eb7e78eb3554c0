"""Face detection with the Haar cascade that ships inside opencv-python-headless (< 5).

Nothing is downloaded: the model file lives in ``cv2.data.haarcascades``. Detection runs on a
downscaled, equalised grey copy, so its cost does not grow with the photo.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_SIDE = 512  # longest side of the image the detector sees

_local = threading.local()  # one classifier per thread: detectMultiScale is not documented thread-safe


class Box(NamedTuple):
    """A face box in pixels of the image it was found in."""

    x: int
    y: int
    w: int
    h: int

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


def _classifier() -> cv2.CascadeClassifier:
    classifier = getattr(_local, "classifier", None)
    if classifier is None:
        classifier = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE_FILE)
        if classifier.empty():
            raise RuntimeError(f"OpenCV's {CASCADE_FILE} is missing; opencv-python-headless>=4.8,<5 ships it")
        _local.classifier = classifier
    return classifier


def find_face(image: Image.Image) -> Box | None:
    """The largest frontal face in ``image``, or ``None``."""
    scale = min(1.0, DETECT_SIDE / max(image.size))
    small = (
        image
        if scale == 1.0
        else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.BILINEAR
        )
    )
    grey = cv2.equalizeHist(np.asarray(small.convert("L")))
    min_side = max(24, min(grey.shape) // 12)
    faces = _classifier().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side))
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
    return Box(*(round(int(v) / scale) for v in (x, y, w, h)))
