"""Checks before any upload, without Pillow: a JPEG, PNG or WEBP within the service's limits."""

from __future__ import annotations

from .errors import TooLargeError, UnsupportedFormatError
from .i18n import N_, _
from .imageformat import MAX_SIDE, ImageInfo, NotAnImageError, limit_problems, read_image_info

# (empty, unreadable, too large) for each role: whole sentences, so translations can agree with the noun
_PROBLEMS = {
    "image": (
        N_("the image is empty (0 bytes)"),
        N_("the image is not a readable JPEG, PNG or WEBP file ({reason}); convert it to one of these"),
        N_("the image is too large: {problems}. Scale it down to at most {side} px per side or re-save it as a JPEG"),
    ),
    "template": (
        N_("the template is empty (0 bytes)"),
        N_("the template is not a readable JPEG, PNG or WEBP file ({reason}); convert it to one of these"),
        N_(
            "the template is too large: {problems}. Scale it down to at most {side} px per side or re-save it as a JPEG"
        ),
    ),
}


def check_upload(data: bytes, role: str = "image") -> ImageInfo:
    """The image's format and size if the service will take it as is, else a specific error.

    ``role`` names the file in messages: "image" or "template".
    """
    empty, unreadable, too_large = _PROBLEMS[role]
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"the {role} must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise UnsupportedFormatError(_(empty))
    try:
        info = read_image_info(data)
    except NotAnImageError as exc:
        raise UnsupportedFormatError(_(unreadable).format(reason=exc)) from None
    problems = limit_problems(info, len(data))
    if problems:
        raise TooLargeError(_(too_large).format(problems="; ".join(problems), side=MAX_SIDE))
    return info
