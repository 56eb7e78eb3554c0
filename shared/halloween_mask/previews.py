"""The styles' preview pictures: where they live, a bounded concurrent fetcher and an on-disk cache.

The vendor publishes one JPEG per style at ``<base>/ai-halloween-masks/masks/<N>.jpg``. The base is
``AILAB_PREVIEW_BASE``, else the API base when that is a loopback URL (the emulator serves
previews), else the vendor's resource host. Fetches follow the client's transport rules (timeouts,
HTTPS except loopback, TLS verified, a size cap, whole images only) and never carry the API key.

    cache = PreviewCache.for_base(preview_base())
    report = PreviewFetcher(preview_base(), cache).fetch_all(range(1, 86), on_ready=print)
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .config import APP_DIR, DEFAULT_BASE_URL, ENV_BASE, cache_dir, is_loopback, validate_base_url
from .errors import DamagedDownloadError, HalloweenMaskError, NetworkError, PlainError, TaskFailedError
from .imageformat import DamagedImageError, NotAnImageError, check_complete
from .styles import STYLE_COUNT, style
from .timing import CancelToken, Deadline
from .transport import RetryPolicy, Timeouts, Transport

log = logging.getLogger(__name__)

ENV_PREVIEW_BASE = "AILAB_PREVIEW_BASE"
DEFAULT_PREVIEW_BASE = "https://ai-resource.ailabtools.com"
PREVIEW_PATH = "/ai-halloween-masks/masks/{number}.jpg"
MAX_PREVIEW_BYTES = 2_000_000  # the vendor's previews are tens of kB
WORKERS = 6  # previews in flight at once
PREVIEW_DEADLINE = 30.0  # seconds for one preview, retries included
PREVIEW_TIMEOUTS = Timeouts(connect=5.0, read=15.0)
PREVIEW_RETRY = RetryPolicy(attempts=2, base=0.5, cap=2.0)


def preview_base(environ: Mapping[str, str] | None = None) -> str:
    """The preview host: ``AILAB_PREVIEW_BASE``, the API base if it is loopback, else the vendor's."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_PREVIEW_BASE, "").strip()
    if explicit:
        return validate_base_url(explicit)
    api_base = env.get(ENV_BASE, "").strip() or DEFAULT_BASE_URL
    if is_loopback(urlsplit(api_base).hostname or ""):
        return validate_base_url(api_base)
    return DEFAULT_PREVIEW_BASE


def preview_url(number: int, base: str | None = None) -> str:
    """The preview picture of style ``number`` on ``base`` (default: :func:`preview_base`)."""
    return (base or preview_base()) + PREVIEW_PATH.format(number=style(number).number)


class NotOurFileError(PlainError):
    """A file in a folder the user named holds something other than a preview picture: it is left alone."""


class PreviewCache:
    """``<folder>/<N>.jpg`` files, written atomically; an entry that is not a whole image does not count.

    In our own cache folder (``owned``, the default) such an entry is removed and fetched again. In a
    folder the user named (``owned=False``: ``styles --download DIR``), a file there that is not a
    whole preview-sized picture is the user's: it is never read past its size, never removed nor
    replaced, and ``get`` raises ``NotOurFileError`` saying so.
    """

    def __init__(self, folder: Path, *, owned: bool = True) -> None:
        self.folder = Path(folder)
        self.owned = owned

    @classmethod
    def for_base(cls, base: str) -> PreviewCache:
        """The cache of one preview host: ``<cache root>/halloween-mask/previews/<host[-port]>``."""
        parts = urlsplit(base)
        name = parts.hostname or "host"
        if parts.port:
            name += f"-{parts.port}"
        return cls(cache_dir() / APP_DIR / "previews" / re.sub(r"[^A-Za-z0-9.-]", "_", name))

    def path(self, number: int) -> Path:
        return self.folder / f"{style(number).number}.jpg"

    def get(self, number: int) -> Path | None:
        """The picture's path if it holds a whole image, else ``None`` (ours: a bad entry is removed)."""
        path = self.path(number)
        try:
            problem = _not_a_preview(path)
        except FileNotFoundError:
            return None
        if not problem:
            return path
        if not self.owned:
            raise NotOurFileError(f"{path} is not a preview picture ({problem}): left alone")
        log.info("preview cache entry %s is not a whole image (%s); fetching it again", path.name, problem)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def put(self, number: int, data: bytes) -> Path:
        """Store ``data`` as style ``number``'s picture (replaced atomically); returns its path."""
        path = self.path(number)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".preview-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return path


@dataclass
class FetchReport:
    """What :meth:`PreviewFetcher.fetch_all` did: styles from the cache, fetched, and failed (with why)."""

    cached: list[int] = field(default_factory=list)
    fetched: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    unreachable: bool = False  # the host could not be reached (the rest were not asked for)


ReadyCallback = Callable[[int, Path], object]


class PreviewFetcher:
    """Fetches previews into a cache, at most ``workers`` at once, over the client's transport rules.

    Callbacks run on the fetcher's worker threads: a GUI hands them to its main loop itself.
    Once the host proves unreachable (a network error), the previews not yet asked for are given up.
    """

    def __init__(self, base: str, cache: PreviewCache, *, workers: int = WORKERS, transport: Transport | None = None):
        self.base = validate_base_url(base)  # HTTPS, or plain HTTP to loopback only
        self.cache = cache
        self.workers = workers
        self.transport = transport or Transport(timeouts=PREVIEW_TIMEOUTS, retry=PREVIEW_RETRY)
        self.cancel = CancelToken()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.cancel.cancel()
        self.transport.close()

    def fetch_all(
        self,
        numbers: Iterable[int] = range(1, STYLE_COUNT + 1),
        on_ready: ReadyCallback | None = None,
        on_failed: Callable[[int, str], object] | None = None,
    ) -> FetchReport:
        """Every style's picture, from the cache or the host; ``on_ready(number, path)`` as each is there."""
        report = FetchReport()
        missing = []
        for number in numbers:
            try:
                path = self.cache.get(number)
            except NotOurFileError as exc:
                report.failed[number] = str(exc)
                if on_failed is not None:
                    on_failed(number, str(exc))
                continue
            if path is None:
                missing.append(number)
                continue
            report.cached.append(number)
            if on_ready is not None:
                on_ready(number, path)
        if not missing:
            return report
        unreachable = threading.Event()

        def one(number: int) -> None:
            if self.cancel.cancelled or unreachable.is_set():
                reason = "cancelled" if self.cancel.cancelled else "the preview host cannot be reached"
            else:
                try:
                    path = self.cache.put(number, self.fetch(number))
                except HalloweenMaskError as error:
                    if isinstance(error, NetworkError) and not isinstance(error, DamagedDownloadError):
                        unreachable.set()
                    reason = str(error)
                except OSError as error:
                    reason = f"the cache folder cannot be written ({error.strerror})"
                else:
                    with self._lock:
                        report.fetched.append(number)
                    if on_ready is not None:
                        on_ready(number, path)
                    return
            with self._lock:
                report.failed[number] = reason
            if on_failed is not None:
                on_failed(number, reason)

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="preview") as pool:
            list(pool.map(one, missing))
        report.unreachable = unreachable.is_set()
        if report.failed:
            log.info("%d of %d previews could not be fetched from %s", len(report.failed), len(missing), self.base)
        return report

    def fetch(self, number: int) -> bytes:
        """The bytes of one preview from the host (a plain GET: no API key), checked to be a whole image."""
        return self.transport.fetch(
            preview_url(number, self.base),
            max_bytes=MAX_PREVIEW_BYTES,
            deadline=Deadline(self.transport.clock, PREVIEW_DEADLINE),
            cancel=self.cancel,
            verify=_check_preview,
            check_url=_check_preview_url,
        )


def _not_a_preview(path: Path) -> str:
    """Why ``path`` is not a whole preview picture ("" if it is): its kind and size are looked at first."""
    st = path.lstat()
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_size > MAX_PREVIEW_BYTES:
        return f"{st.st_size:,} bytes"
    try:
        check_complete(path.read_bytes())
    except NotAnImageError as exc:
        return str(exc)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return ""


def _check_preview_url(url: str) -> None:
    """A preview URL or redirect target: HTTPS, or plain HTTP to loopback (``SettingsError`` otherwise)."""
    parts = urlsplit(url)
    validate_base_url(f"{parts.scheme}://{parts.netloc}")


def _check_preview(data: bytes) -> None:
    try:
        check_complete(data)
    except DamagedImageError as exc:
        raise DamagedDownloadError(f"the preview arrived cut short ({exc})") from None
    except NotAnImageError as exc:
        raise TaskFailedError(f"the preview is not a picture ({exc})") from None
