"""The log: each run (plug-in and command line) appends what happened to a small file of the user's.

``start("command line apply")`` opens ``<state folder>/halloween-mask/log/halloween-mask.log``
(``$HALLOWEEN_MASK_LOGS`` names another folder) and writes the run's versions; from then on the
client's records (ids the service gave, task states and timings, warnings, errors) go there, each
with a time stamp, until ``stop("exit 0")``. The file is rotated at ``MAX_BYTES`` with ``BACKUPS``
old ones (a few MB in all) and readable by its owner only. Every record is scrubbed as it is
written: the API key becomes ``***``, the home folder ``~``, control characters go, a record's own
line breaks become indented continuation lines, and no record is longer than ``MAX_RECORD``. A log
that cannot be written never fails a run and never prints a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

from . import about
from .config import APP_DIR, ENV_KEY, _read_file, _user_dir, settings_path

ENV_LOGS = "HALLOWEEN_MASK_LOGS"
LOG_NAME = "halloween-mask.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # at most four files: 4 MB
MAX_RECORD = 4_000  # characters of one record, traceback included
LOGGERS = ("halloween_mask", "halloween_mask_cli", "halloween_mask_gimp")
SECRET_OPTIONS = ("--key",)  # command-line options whose value is a key (``halloween-mask emulator --key``)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

log = logging.getLogger(__name__)


def log_dir() -> Path:
    """The log folder: ``$HALLOWEEN_MASK_LOGS``, else ``$XDG_STATE_HOME`` (``~/.local/state``)/halloween-mask/log,
    ``~/Library/Logs/halloween-mask/log`` on macOS, ``%LOCALAPPDATA%\\halloween-mask\\log`` on Windows."""
    override = os.environ.get(ENV_LOGS)
    if override:
        return Path(override).expanduser()
    return _user_dir("LOCALAPPDATA", "Local", "Logs", "XDG_STATE_HOME", ".local/state") / APP_DIR / "log"


def log_path() -> Path:
    return log_dir() / LOG_NAME


class _Scrubber(logging.Formatter):
    """One record as one scrubbed, bounded entry: ``2026-12-06T02:30:00.123+0100 INFO name[pid]: text``."""

    def __init__(self, secrets: set[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
        self.secrets = secrets

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        local = time.localtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", local) + f".{int(record.msecs):03d}" + time.strftime("%z", local)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self.secrets)


def scrub(text: str, secrets: set[str] | frozenset[str] = frozenset()) -> str:
    """``text`` fit for the log: keys as ``***``, home as ``~``, no control characters, line breaks
    indented (so no message can forge a record of its own), at most ``MAX_RECORD`` characters."""
    env_key = os.environ.get(ENV_KEY, "").strip()
    for secret in sorted({*secrets, env_key} - {""}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = about.home_as_tilde(text)
    if len(text) > MAX_RECORD:
        text = text[:MAX_RECORD] + f" ... ({len(text) - MAX_RECORD:,} more characters left out)"
    lines = [_CONTROL.sub("?", line.replace("\t", " ")) for line in text.splitlines() or [""]]
    return "\n".join([lines[0], *("    " + line for line in lines[1:])])


class OneLine(logging.Formatter):
    """A record's message on one line: a library's traceback (urllib3 logs some) goes to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        return self.formatMessage(record).replace("\n", " ")


class _Handler(logging.handlers.RotatingFileHandler):
    """A rotating file, created 0600, that never complains: a log must not break a run."""

    def _open(self):  # type: ignore[no-untyped-def]
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        return open(fd, "a", encoding=self.encoding, errors="replace")

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # a full disk or a file in the way: the run goes on without its log


class _Session:
    """What ``start`` changed, so that ``stop`` puts it back."""

    def __init__(self, handler: logging.Handler) -> None:
        self.handler = handler
        self.levels = {name: logging.getLogger(name).level for name in LOGGERS}
        root = logging.getLogger()
        self.root_levels = {h: h.level for h in root.handlers}
        self.stderr: logging.Handler | None = None


_session: _Session | None = None


def start(what: str, argv: Sequence[str] | None = None, extra: str = "") -> Path | None:
    """Open the log for this run and write its first lines; the log file, or ``None`` if it cannot be written.

    ``what`` names the run ("command line apply", "GIMP python-fu-halloween-mask"); ``argv`` is shown
    with keys and home hidden; ``extra`` adds to the versions (GIMP's, in the plug-in).
    """
    stop()
    try:
        folder = log_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = _Handler(folder / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except (OSError, ValueError):
        return None
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(_Scrubber(_known_keys()))
    _open_session(handler)
    log.info("run started: %s; %s%s", what, about.one_line(), f"; {extra}" if extra else "")
    if argv is not None:
        log.info("command: %s", " ".join(shown_argv(argv)))
    return Path(handler.baseFilename)


def _open_session(handler: logging.Handler) -> None:
    """Send our loggers' records, from DEBUG up, to ``handler`` without changing what reaches the terminal."""
    global _session
    session = _Session(handler)
    root = logging.getLogger()
    for existing in root.handlers:  # they printed WARNING and up (the root's level) before: keep it so
        if existing.level == logging.NOTSET:
            existing.setLevel(root.getEffectiveLevel())
    if not root.handlers:  # with no handler at all, logging printed warnings on stderr: keep that too
        session.stderr = logging.StreamHandler()
        session.stderr.setLevel(logging.WARNING)
        session.stderr.setFormatter(OneLine())
        root.addHandler(session.stderr)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    _session = session


def stop(outcome: str = "") -> None:
    """Write the run's ``outcome`` (if any), close the log and put logging back as it was."""
    global _session
    session, _session = _session, None
    if session is None:
        return
    if outcome:
        log.info("run ended: %s", outcome)
    root = logging.getLogger()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.removeHandler(session.handler)
        logger.setLevel(session.levels[name])
    for handler, level in session.root_levels.items():
        handler.setLevel(level)
    if session.stderr is not None:
        root.removeHandler(session.stderr)
    session.handler.close()


def write(level: int, message: str, name: str = "halloween_mask") -> None:
    """One record in the log file only (what the terminal or GIMP already showed is not shown twice)."""
    if _session is not None:
        record = logging.LogRecord(name, level, __file__, 0, "%s", (message,), None)
        _session.handler.handle(record)


def forget_key_too(key: str) -> None:
    """Hide ``key`` as well (one saved during the run), if the log is open."""
    if _session is not None and key and isinstance(_session.handler.formatter, _Scrubber):
        _session.handler.formatter.secrets.add(key)


def _known_keys() -> set[str]:
    """The keys this run may use, to be hidden wherever they would show."""
    try:
        stored, _shared = _read_file(settings_path())  # quietly: the run itself warns about the file
    except Exception:  # a settings problem is the run's to report, not the log's
        return set()
    key = stored.get("api_key")
    return {key.strip()} if isinstance(key, str) and key.strip() else set()


def shown_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with the value of every ``--key`` hidden and the home folder as ``~``."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            shown.append("***")
        elif any(arg.startswith(option + "=") for option in SECRET_OPTIONS):
            shown.append(arg.split("=", 1)[0] + "=***")
        else:
            shown.append(about.home_as_tilde(arg))
        hide_next = arg in SECRET_OPTIONS
    return shown


def last_lines(count: int = 20) -> list[str]:
    """The log's last ``count`` lines (read from its end only), or ``[]`` when there is no log."""
    try:
        with open(log_path(), "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 64_000))
            tail = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    return tail.splitlines()[-count:]
