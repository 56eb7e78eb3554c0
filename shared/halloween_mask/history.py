"""Every result the user paid for, kept: the last state of a paid task (see ``ledger``).

    history = History.for_user()                 # <data folder>/history/history.sqlite3
    newest = history.entries()[0]                # newest first, metadata only (id, created, style, source ...)
    images = history.images(newest.id)           # the result files as the service sent them

One SQLite database (the standard library's) in the user's data folder, folder 0700 and files
0600; SQLite's own locking makes the plug-in and the command line safe writing at once. It holds
what made each result (the request's fingerprint, style or template, aspect ratio, task id, the
source's name) and the result's bytes; never the key, never the uploaded photo. Bounded (1 GB by
default, oldest out first; ``history_max_mb`` in the settings file or ``$HALLOWEEN_MASK_HISTORY_MB``;
0 turns it off). A history that cannot be written (full disk, read-only folder) never fails a run:
``keep`` warns and returns ``None``. A damaged entry is dropped, a damaged file set aside, with a notice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

try:
    import sqlite3
except ImportError:  # a Python built without it (never seen in GIMP's): no history, everything else works
    sqlite3 = None  # type: ignore[assignment]

from .config import data_dir, open_regular, replace_whole, settings_path
from .history_entry import Entry, Made
from .imageformat import read_image_info

log = logging.getLogger(__name__)

FOLDER = "history"
DB_NAME = "history.sqlite3"
DEFAULT_MAX_MB = 1000  # 1 GB
SETTING = "history_max_mb"
ENV_MAX_MB = "HALLOWEEN_MASK_HISTORY_MB"
BUSY_TIMEOUT = 30.0  # seconds another process may hold the write lock
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
FILE_FORMAT = 1  # PRAGMA user_version of the history file (formats.py)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    task_id TEXT NOT NULL,
    created REAL NOT NULL,
    style INTEGER,
    template INTEGER NOT NULL,
    aspect_ratio TEXT NOT NULL,
    source TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_fingerprint ON entries (fingerprint);
CREATE TABLE IF NOT EXISTS images (
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (entry_id, n)
);
CREATE TABLE IF NOT EXISTS thumbnails (
    entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""
_COLUMNS = (
    "id, fingerprint, task_id, created, style, template, aspect_ratio, source, width, height, format, size, count"
)


def configured_max_bytes() -> int:
    """The bound: ``$HALLOWEEN_MASK_HISTORY_MB``, else ``history_max_mb`` in the settings file, else 1 GB."""
    value: object = os.environ.get(ENV_MAX_MB, "").strip() or None
    if value is None:
        with contextlib.suppress(OSError, ValueError, AttributeError), open_regular(settings_path()) as handle:
            value = json.load(handle).get(SETTING)
    try:
        megabytes = DEFAULT_MAX_MB if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        megabytes = -1.0
    if not 0 <= megabytes < 1e9 or isinstance(value, bool):
        log.warning("ignoring the history bound %r (not a number of MB from 0 up)", value)
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1_000_000)


class History:
    """The kept results in one SQLite file; every method is safe for threads and processes at once.

    Methods that change it return ``None``/``False``/``0`` with a warning when it cannot be written;
    reads return nothing with a warning when it cannot be read. None of them raises for a file problem.
    """

    def __init__(self, folder: Path, max_bytes: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DB_NAME
        self.max_bytes = configured_max_bytes() if max_bytes is None else max(0, max_bytes)
        self.clock = clock
        self._ready = False
        self._warned: set[str] = set()

    @classmethod
    def for_user(cls, max_bytes: int | None = None) -> History:
        """The user's history: ``<data folder>/history`` (``$HALLOWEEN_MASK_DATA`` moves the data folder)."""
        return cls(data_dir() / FOLDER, max_bytes)

    def __repr__(self) -> str:
        return f"History({str(self.folder)!r}, max_bytes={self.max_bytes})"

    @property
    def enabled(self) -> bool:
        """Whether new results are kept and reused (a bound of 0 turns the history off)."""
        return self.max_bytes > 0 and sqlite3 is not None

    def keep(self, fingerprint: str, task_id: str, images: Sequence[bytes], made: Made) -> Entry | None:
        """Keep a downloaded, checked result; the oldest entries go to stay under the bound.

        ``None`` (with a warning) if the history is off, the result alone is over the bound, or
        the file cannot be written.
        """
        size = sum(len(data) for data in images)
        if not self.enabled or not images:
            return None
        if size > self.max_bytes:
            log.warning("the result (%d bytes) is over the history's bound of %d bytes: not kept", size, self.max_bytes)
            return None
        first = read_image_info(images[0])  # checked whole when downloaded
        row = (fingerprint, task_id, self.clock(), made.style, int(made.template), made.aspect_ratio, made.source)
        row += (first.width, first.height, first.format, size, len(images))
        with self._connection("keep the result in") as db:
            if db is None:
                return None
            with _transaction(db):
                query = "SELECT id FROM entries WHERE task_id = ? AND fingerprint = ?"
                same = db.execute(query, (task_id, fingerprint)).fetchone()
                if same:  # an identical run collected the same task: one entry
                    return self.get(same[0])
                cursor = db.execute(f"INSERT INTO entries ({_COLUMNS[4:]}) VALUES ({', '.join('?' * 12)})", row)
                entry_id = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO images (entry_id, n, sha256, data) VALUES (?, ?, ?, ?)",
                    [(entry_id, n, hashlib.sha256(d).hexdigest(), d) for n, d in enumerate(images)],
                )
                self._trim(db)
            return self.get(entry_id)
        return None

    def find(self, fingerprint: str) -> Entry | None:
        """The newest entry made by exactly this request (see ``pending.fingerprint``), if any."""
        if not self.enabled:
            return None
        return next(iter(self._select("WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", (fingerprint,))), None)

    def get(self, entry_id: int) -> Entry | None:
        return next(iter(self._select("WHERE id = ?", (int(entry_id),))), None)

    def entries(self, limit: int | None = None, source: str | None = None) -> list[Entry]:
        """The entries, newest first (of one ``source`` if given); damaged ones are dropped with a notice."""
        where = "WHERE source = ? " if source is not None else ""
        params: tuple[object, ...] = (source,) if source is not None else ()
        return self._select(f"{where}ORDER BY id DESC LIMIT ?", (*params, -1 if limit is None else limit))

    def images(self, entry_id: int) -> tuple[bytes, ...] | None:
        """The entry's result files, each checked whole; ``None`` if it is gone or damaged (then dropped)."""
        entry = self.get(entry_id)
        with self._connection("read") as db:
            if db is None or entry is None:
                return None
            query = "SELECT sha256, data FROM images WHERE entry_id = ? ORDER BY n"
            rows = db.execute(query, (entry.id,)).fetchall()
            images = tuple(data for digest, data in rows if _whole(data, digest))
            if len(images) != len(rows) or len(rows) != entry.count:
                self._drop(db, entry.id, "its image is damaged")
                return None
            return images
        return None

    def thumbnails(self, entry_ids: Sequence[int]) -> dict[int, bytes]:
        """The small pictures a caller stored with ``set_thumbnail`` (the GIMP dialog's), by entry id."""
        marks = ", ".join("?" * len(entry_ids))
        with self._connection("read") as db:
            if db is not None and entry_ids:
                rows = db.execute(f"SELECT entry_id, data FROM thumbnails WHERE entry_id IN ({marks})", entry_ids)
                return {entry_id: bytes(data) for entry_id, data in rows if isinstance(data, bytes)}
        return {}

    def set_thumbnail(self, entry_id: int, data: bytes) -> bool:
        """Store a small picture of the entry (made once by a caller that can scale images), replacing any."""
        with self._connection("keep a thumbnail in") as db:
            if db is not None:
                with _transaction(db):
                    query = "INSERT OR REPLACE INTO thumbnails (entry_id, data) SELECT id, ? FROM entries WHERE id = ?"
                    return db.execute(query, (bytes(data), int(entry_id))).rowcount > 0
        return False

    def save(self, entry_id: int, path: Path) -> bool:
        """Write the entry's (first) result file to ``path`` whole, as stored; ``False`` if there is none."""
        images = self.images(entry_id)
        if not images:
            return False
        replace_whole(Path(path), images[0])
        return True

    def delete(self, entry_id: int) -> bool:
        with self._connection("delete from") as db:
            if db is None:
                return False
            with _transaction(db):
                return db.execute("DELETE FROM entries WHERE id = ?", (int(entry_id),)).rowcount > 0
        return False

    def clear(self) -> int:
        """Delete every entry; returns how many went (the file shrinks too)."""
        with self._connection("clear") as db:
            if db is None:
                return 0
            with _transaction(db):
                count = db.execute("DELETE FROM entries").rowcount
            with contextlib.suppress(sqlite3.Error):
                db.execute("VACUUM")
            return count
        return 0

    def usage(self) -> tuple[int, int]:
        """``(entries, bytes)`` kept now."""
        with self._connection("read") as db:
            if db is not None:
                return tuple(db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries").fetchone())
        return 0, 0

    def _trim(self, db: sqlite3.Connection) -> None:
        """Delete the oldest entries until the rest fit under the bound (inside the caller's transaction)."""
        total = 0
        for entry_id, size in db.execute("SELECT id, size FROM entries ORDER BY id DESC").fetchall():
            total += size if isinstance(size, int) else 0
            if total > self.max_bytes:
                db.execute("DELETE FROM entries WHERE id <= ?", (entry_id,))
                return

    def _select(self, clause: str, params: tuple[object, ...]) -> list[Entry]:
        with self._connection("read") as db:
            if db is None:
                return []
            entries, damaged = [], []
            for row in db.execute(f"SELECT {_COLUMNS} FROM entries {clause}", params).fetchall():
                entry = _entry(row)
                if entry is None:
                    damaged.append(row[0])
                else:
                    entries.append(entry)
            for entry_id in damaged:
                self._drop(db, entry_id, "its record is damaged")
            return entries
        return []

    def _drop(self, db: sqlite3.Connection, entry_id: object, why: str) -> None:
        log.warning("dropping history entry %s: %s", entry_id, why)
        with contextlib.suppress(sqlite3.Error), _transaction(db):
            db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))

    @contextlib.contextmanager
    def _connection(self, what: str) -> Iterator[sqlite3.Connection | None]:
        """A connection to the file, or ``None`` with a warning why not; a file error in the body is
        logged and ends the body (the method then returns its fallback). A file found damaged is set
        aside (``history.sqlite3.damaged``) with a notice, and the next use begins a new history.
        """
        if sqlite3 is None:
            self._cannot(what, OSError("this Python has no sqlite3 module"))
            yield None
            return
        try:
            db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._cannot(what, exc)
            yield None
            return
        try:
            yield db
        except (sqlite3.Error, OSError) as exc:
            self._cannot(what, exc)
        finally:
            db.close()

    def _cannot(self, what: str, exc: BaseException) -> None:
        if sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError) and _is_corrupt(exc):
            log.warning("the history file %s is damaged (%s); a new history begins", self.path, exc)
            self._set_aside()
        elif what not in self._warned:  # once per use, not per look
            self._warned.add(what)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            log.warning("cannot %s the history in %s (%s)", what, self.folder, reason)

    def _open(self) -> sqlite3.Connection:
        """A connection with the schema in place (the folder and file made private on first use)."""
        if not self._ready:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite's journals copy its mode
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                version = db.execute("PRAGMA user_version").fetchone()[0]  # formats.py: the file's format
                if version > FILE_FORMAT:  # a newer release's history: left as it is, this run keeps nothing
                    raise OSError(f"it is from a newer version of AI Halloween Mask (format {version})")
                if not {"entries", "images", "thumbnails"} <= names:
                    db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
                if version < FILE_FORMAT:
                    db.execute(f"PRAGMA user_version = {FILE_FORMAT}")
                self._ready = True
        except sqlite3.DatabaseError as exc:
            db.close()
            if self._ready or not _is_corrupt(exc):
                raise
            self._cannot("open", exc)  # set aside: the new file begins the history again
            return self._open()
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> None:
        self._ready = False
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.replace(f"{self.path}{suffix}", f"{self.path}{suffix}.damaged")


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (``IMMEDIATE``): other writers wait on SQLite's busy timeout."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _CORRUPT
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _whole(data: object, digest: object) -> bool:
    """Whether a stored image is what was kept (checked whole when it was downloaded): its checksum matches."""
    return isinstance(data, bytes) and hashlib.sha256(data).hexdigest() == digest


def _entry(row: Sequence[object]) -> Entry | None:
    """An ``Entry`` from a row, or ``None`` if any field has the wrong type (a damaged record)."""
    entry_id, fingerprint, task_id, created, style, template, aspect, source, width, height, fmt, size, count = row
    texts = (fingerprint, task_id, aspect, source, fmt)
    numbers = (entry_id, template, width, height, size, count)
    if not all(isinstance(t, str) for t in texts) or not all(isinstance(n, int) for n in numbers):
        return None
    if not isinstance(created, (int, float)) or not (style is None or isinstance(style, int)):
        return None
    return Entry(*row[:3], float(created), style, bool(template), *row[6:])  # type: ignore[arg-type]
