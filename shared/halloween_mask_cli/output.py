"""Where results go (``-o`` as a file or a folder) and how they are written, whole or not at all."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from halloween_mask import Result
from halloween_mask.client import MAX_RESULTS
from halloween_mask.config import replace_whole
from halloween_mask.imageformat import read_image_info
from halloween_mask.placement import same_shape

from .errors import OutputError, UsageError

WRITABLE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
# Image files -o cannot produce: refused rather than PNG bytes under a misleading name.
OTHER_IMAGE_SUFFIXES = {".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".ico", ".psd"}


def names_a_file(output: str) -> bool:
    """``-o`` names an image file (refused with a UsageError if it is a format results cannot be saved as)."""
    path = Path(output)
    if names_a_folder(output):
        return False
    suffix = path.suffix.lower()
    if suffix in OTHER_IMAGE_SUFFIXES:
        raise UsageError(f"cannot write {suffix} files: use .png, .jpg/.jpeg or .webp (or a folder) for -o")
    return suffix in WRITABLE_SUFFIXES


def names_a_folder(output: str) -> bool:
    return output.endswith(("/", os.sep)) or os.path.isdir(output)


def refuse_files_in_the_way(folders: Iterable[Path], target: Path) -> None:
    """A UsageError if the nearest of ``folders`` that exists is a file (``-o photo.jpg/out.png``)."""
    for folder in folders:
        if os.path.lexists(folder):
            if not os.path.isdir(folder):
                raise UsageError(f"cannot write {target}: {folder} is a file, not a folder")
            return


def refuse_overwriting_inputs(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """A UsageError if a file the run would write (a target, or its ``-2`` ... siblings) is one of its inputs.

    The same file in any spelling: ``me.png``, ``./me.png``, an absolute path, a symbolic or hard link.
    """
    sources = []
    for source in inputs:
        with contextlib.suppress(OSError):
            sources.append((source, os.stat(source)))
    for target in targets:
        for number in range(1, MAX_RESULTS + 1):
            path = target if number == 1 else _numbered(target, number)
            try:
                st = os.stat(path)
            except OSError:
                continue  # nothing there, so no input either
            for source, source_st in sources:
                if os.path.samestat(st, source_st):
                    raise UsageError(
                        f"cannot write {path}: it is the input {source}; nothing was written (choose another -o)"
                    )


def _numbered(target: Path, number: int) -> Path:
    """The name of a task's second, third ... result: ``out-2.png``."""
    return target.with_name(f"{target.stem}-{number}{target.suffix}")


def write_results(images: Sequence[bytes], target: Path, size: tuple[int, int] | None = None) -> tuple[list[Path], str]:
    """Save each result (a second and later one get ``-2``, ``-3`` ... before the suffix).

    A result of the input's shape at another size (the upload was scaled to fit the limits) is
    scaled to the input's ``size``, as the plug-in does; the second value says so ("" if not).
    Each file is written whole or not at all (a full disk leaves no truncated image behind).
    """
    written, scaled = [], ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(images, start=1):
            path = target if number == 1 else _numbered(target, number)
            scaled = _save_as(data, path, size) or scaled
            written.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return written, scaled


def _save_as(data: bytes, path: Path, size: tuple[int, int] | None) -> str:
    """Write the bytes as they came, unless the file name asks for another format or ``size`` another size.

    Returns " (scaled from ... to the input's ...)" when the result was scaled, else "".
    """
    info = read_image_info(data)
    wanted = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}.get(path.suffix.lower(), info.format)
    rescale = size is not None and size != (info.width, info.height) and same_shape(*size, info.width, info.height)
    if wanted == info.format and not rescale:
        replace_whole(path, data)
        return ""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image, io.BytesIO() as converted:
        out = image.resize(size, Image.Resampling.LANCZOS) if rescale else image
        profile = image.info.get("icc_profile")  # the photo's colour space, given back (colour.py)
        (out.convert("RGB") if wanted == "jpeg" else out).save(
            converted, wanted.upper(), quality=95, icc_profile=profile
        )
        replace_whole(path, converted.getvalue())
    return f" (scaled from {info.width}x{info.height} px to the input's {size[0]}x{size[1]})" if rescale else ""


def refused_note(result: Result) -> str:
    """What became of results beyond the bound on results per task."""
    return (
        f"the service sent {len(result.urls) + result.refused:,} results; only the first {len(result.urls)} were"
        f" taken (at most {MAX_RESULTS} per task), the other {result.refused:,} were refused"
    )


def fetch_command(task_id: str, target: Path) -> str:
    """The command that saves a finished task's result later."""
    return f"halloween-mask fetch {task_id} -o {target}"
