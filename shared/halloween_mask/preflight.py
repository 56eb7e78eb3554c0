"""Checks before any upload, without Pillow: a JPEG, PNG or WEBP within the service's limits."""

from __future__ import annotations

from .errors import TooLargeError, UnsupportedFormatError
from .imageformat import MAX_SIDE, ImageInfo, NotAnImageError, limit_problems, read_image_info


def check_upload(data: bytes, role: str = "image") -> ImageInfo:
    """The image's format and size if the service will take it as is, else a specific error.

    ``role`` names the file in messages ("image" or "template").
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"the {role} must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise UnsupportedFormatError(f"the {role} is empty (0 bytes)")
    try:
        info = read_image_info(data)
    except NotAnImageError as exc:
        raise UnsupportedFormatError(
            f"the {role} is not a readable JPEG, PNG or WEBP file ({exc}); convert it to one of these"
        ) from None
    problems = limit_problems(info, len(data))
    if problems:
        raise TooLargeError(
            f"the {role} is too large: {'; '.join(problems)}. "
            f"Scale it down to at most {MAX_SIDE} px per side or re-save it as a JPEG"
        )
    return info
