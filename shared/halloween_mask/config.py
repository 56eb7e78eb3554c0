"""Where the API key and endpoint come from, and the one file the key may be written to.

The key comes from ``AILAB_API_KEY`` or from a JSON settings file readable only by its owner
(0600) in the platform's config directory; the endpoint from ``AILAB_API_BASE``. HTTPS is required
except for loopback endpoints (the local emulator).
"""

from __future__ import annotations

import contextlib
import errno
import io
import ipaddress
import json
import logging
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import tempfiles
from .errors import SettingsError
from .formats import is_newer, stamped
from .i18n import _

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.ailabapi.com"
APP_DIR = "halloween-mask"
SETTINGS_NAME = "settings.json"
ENV_KEY = "AILAB_API_KEY"
ENV_BASE = "AILAB_API_BASE"
ENV_SETTINGS = "HALLOWEEN_MASK_SETTINGS"
ENV_DATA = "HALLOWEEN_MASK_DATA"
SETTINGS_FORMAT = 1  # the settings file's format (formats.py)
LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")
LOOPBACK_V6 = ipaddress.ip_address("::1")


class ApiKey:
    """An API key that never shows itself: ``repr``/``str``/``format`` are redacted.

    The raw value is available only through :meth:`reveal`, used to build the request header.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | ApiKey) -> None:
        raw = value.reveal() if isinstance(value, ApiKey) else value
        if not isinstance(raw, str) or not raw.strip():
            raise SettingsError(_("the API key is empty"))
        raw = raw.strip()
        if any(ord(c) < 0x21 or ord(c) > 0x7E for c in raw):
            raise SettingsError(_("the API key contains spaces or characters that cannot be sent in a header"))
        self._value = raw

    def reveal(self) -> str:
        """The raw key, for the ``ailabapi-api-key`` header and the settings file only."""
        return self._value

    def __repr__(self) -> str:
        return "ApiKey('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash((ApiKey, self._value))

    def __reduce__(self) -> None:  # never pickled into a file by accident
        raise TypeError("ApiKey cannot be pickled")


@dataclass(frozen=True)
class Settings:
    """What a :class:`~halloween_mask.client.Client` needs: the key (if any) and the endpoint."""

    api_key: ApiKey | None
    base_url: str = DEFAULT_BASE_URL
    source: str = ""  # where the key came from: "environment", a file path, or ""


def settings_path() -> Path:
    """The settings file: ``$HALLOWEEN_MASK_SETTINGS`` or ``<config dir>/halloween-mask/settings.json``."""
    override = os.environ.get(ENV_SETTINGS)
    if override:
        return Path(override).expanduser()
    return config_dir() / APP_DIR / SETTINGS_NAME


def config_dir() -> Path:
    """The platform's per-user configuration directory."""
    return _user_dir("APPDATA", "Roaming", "Application Support", "XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    """Our folder for the user's data (the history of results): ``$HALLOWEEN_MASK_DATA``, else in the
    platform's per-user data directory, which the system does not empty as it may a cache."""
    override = os.environ.get(ENV_DATA)
    if override:
        return Path(override).expanduser()
    return _user_dir("LOCALAPPDATA", "Local", "Application Support", "XDG_DATA_HOME", ".local/share") / APP_DIR


def cache_dir() -> Path:
    """The platform's per-user cache directory (sandboxed GIMPs set ``XDG_CACHE_HOME`` to their own)."""
    return _user_dir("LOCALAPPDATA", "Local", "Caches", "XDG_CACHE_HOME", ".cache")


def _user_dir(windows_env: str, windows_default: str, macos: str, xdg_env: str, xdg_default: str) -> Path:
    """``%windows_env%`` (else ``~/AppData/<windows_default>``), ``~/Library/<macos>``, or an absolute
    ``$xdg_env`` (else ``~/<xdg_default>``), by platform."""
    if sys.platform == "win32":
        value = os.environ.get(windows_env)
        return Path(value) if value else Path.home() / "AppData" / windows_default
    if sys.platform == "darwin":
        return Path.home() / "Library" / macos
    value = os.environ.get(xdg_env)
    return Path(value) if value and Path(value).is_absolute() else Path.home() / xdg_default


def validate_base_url(url: str) -> str:
    """``url`` without a trailing slash, if it is HTTPS or plain HTTP to a loopback host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            _("the endpoint {url} is not an http(s) URL such as {example}").format(
                url=repr(url), example=DEFAULT_BASE_URL
            )
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SettingsError(_("the endpoint must be a plain base URL, without credentials, query or fragment"))
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SettingsError(
            _(
                "the endpoint {endpoint} uses plain HTTP; HTTPS is required except for loopback addresses "
                "(127.0.0.1, ::1, localhost)"
            ).format(endpoint=f"{parts.scheme}://{parts.hostname}")
        )
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    """Exactly ``localhost``, or a literal 127.0.0.0/8 or ::1 address: names a resolver answers do not count.

    ``localhost.`` or ``localhost.example`` go through DNS, and an IPv4-mapped ``::ffff:127.0.0.1``
    is refused too: plain HTTP is allowed only where no one else can be on the other end.
    """
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address in LOOPBACK_V4 if address.version == 4 else address == LOOPBACK_V6


def load_settings() -> Settings:
    """Settings from the environment, else the settings file; ``api_key`` is ``None`` if neither has one.

    A settings file other users can read is refused, unless ``AILAB_API_KEY`` is set: the variable
    wins, so the run goes on with a warning.
    """
    path = settings_path()
    stored, shared = _read_file(path)
    if stored:
        is_newer(stored, SETTINGS_FORMAT, path)  # its key and endpoint are still used; it is never rewritten
    env_key = os.environ.get(ENV_KEY, "").strip()
    if shared and not env_key:
        raise SettingsError(shared)
    if shared:
        log.warning("%s (using the key from %s)", shared, ENV_KEY)
    base_url = validate_base_url(os.environ.get(ENV_BASE) or stored.get("api_base") or DEFAULT_BASE_URL)
    if env_key:
        return Settings(ApiKey(env_key), base_url, "environment")
    if stored.get("api_key"):
        return Settings(ApiKey(stored["api_key"]), base_url, str(path))
    return Settings(None, base_url, "")


def save_api_key(key: str | ApiKey) -> Path:
    """Store the key in the settings file (created 0600, replaced atomically); returns its path."""
    key = ApiKey(key)
    path = settings_path()
    stored, _shared = _read_file(path)  # rewriting it 0600 fixes loose permissions
    if stored and is_newer(stored, SETTINGS_FORMAT, path):
        raise SettingsError(
            _("the settings file {path} is from a newer version of the plug-in; the key was not saved").format(
                path=path
            )
        )
    stored["api_key"] = key.reveal()
    write_private(path, json.dumps(stamped(stored, SETTINGS_FORMAT), indent=2) + "\n")
    log.info("API key saved to the settings file %s", path)
    return path


class NotAFileError(OSError):
    """The path exists but is a FIFO, a folder, a device or a socket, not a regular file."""


class FileTooLargeError(NotAFileError):
    """The path is a regular file, but far larger than any file of ours (refused before it is read)."""


MAX_SMALL_FILE = 4_000_000  # bytes; settings, pending tasks, favourites are a few kB of JSON


def open_regular(path: Path, max_bytes: int = MAX_SMALL_FILE) -> io.TextIOWrapper:
    """``path`` opened as UTF-8 text if it is a regular file of at most ``max_bytes``.

    Anything else is refused before a byte is read: ``NotAFileError`` for a FIFO, folder, device
    or socket (opened non-blocking, so a FIFO is refused at once instead of waiting for a writer),
    ``FileTooLargeError`` for a file larger than ``max_bytes`` (a sparse 1 GB file included).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))  # POSIX | Windows
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"{path} is {_kind_of(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise FileTooLargeError(f"{path} is {st.st_size:,} bytes, more than the {max_bytes:,} this file may have")
        return os.fdopen(fd, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def _kind_of(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a device")


def _read_file(path: Path) -> tuple[dict, str]:
    """The settings file's JSON object (empty if there is none), and why it is not private ("" if it is)."""
    try:
        with open_regular(path) as handle:
            shared = _not_private(path, os.fstat(handle.fileno()))
            data = json.load(handle)
    except FileNotFoundError:
        return {}, ""
    except NotAFileError as exc:
        raise SettingsError(f"the settings path {exc}; remove it or point {ENV_SETTINGS} at a file") from None
    except (OSError, ValueError) as exc:
        raise SettingsError(
            _("the settings file {path} cannot be read ({reason})").format(path=path, reason=type(exc).__name__)
        ) from None
    if not isinstance(data, dict):
        raise SettingsError(_("the settings file {path} does not hold a JSON object").format(path=path))
    return data, shared


def _not_private(path: Path, st: os.stat_result) -> str:
    """Why a key file is not private: other users can read it ("" if they cannot; POSIX only, Windows uses ACLs)."""
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return _("the settings file {path} is readable by other users (mode {mode}); run: chmod 600 '{path}'").format(
            path=path, mode=f"{stat.S_IMODE(st.st_mode):o}"
        )
    return ""


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, readable only by its owner (folders created 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    replace_whole(path, text.encode("utf-8"), private=True)


def replace_whole(path: Path, data: bytes, *, private: bool = False) -> None:
    """``path`` holds ``data`` whole, or is as it was: a temporary file in the same folder, then renamed.

    A ``private`` file is 0600 whatever the umask; any other gets the user's usual mode (0666 less
    the umask). A link is written through: its target is replaced and the link stays (a settings
    file kept in a dotfiles repository). A file its owner made read-only is not replaced: a
    ``PermissionError`` says so.
    """
    path = _through_links(Path(path))
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISREG(mode) and not mode & stat.S_IWUSR:
        raise PermissionError(
            errno.EACCES, "the file is read-only, so it was not replaced; make it writable first", str(path)
        )
    scratch = tempfiles.scratch_path(path.parent, "part", hidden=True)  # a killed run's is swept by the next
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows
    fd = os.open(scratch, flags, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            if private and os.name == "posix":
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise


def _through_links(path: Path) -> Path:
    """The file a chain of symbolic links ends at (``path`` itself if it is no link, or a dangling one's target)."""
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))
