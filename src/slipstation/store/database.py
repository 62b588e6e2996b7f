"""The encrypted SQLCipher database: opening it safely, one connection per thread.

Opening never writes to an existing file until its key is proven right: a missing or wrong key
is an error naming the recovery options, and the file's bytes stay as they were.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlcipher3 import dbapi2 as sqlite

from slipstation.credentials import Credentials, Secret
from slipstation.errors import (
    START_OVER_FIX,
    DatabaseKeyMissing,
    DatabaseKeyWrong,
    DatabaseLocked,
    Remedy,
    StoreError,
)
from slipstation.store.migrations import migrate

BUSY_TIMEOUT_MS = 5000
Row = sqlite.Row
_SQLCIPHER_MAJOR = 4


log = logging.getLogger(__name__)
PAGE_SIZE = 4096  # SQLCipher 4's default; every intact file is a whole number of pages


def _damaged(path: Path, detail: str) -> StoreError:
    return StoreError(f"The database file {path} is damaged ({detail}); nothing was written to "
                      "it", fix=START_OVER_FIX, remedy=Remedy.START_OVER)


def _write_failed_message(path: Path) -> str:
    return (f"Could not write the database in {path.parent} (disk full or not writable); the "
            "last change was rolled back and nothing else was lost. Free some space and retry.")


def _locked_message(path: Path) -> str:
    return (f"The database in {path.parent} is locked by another process (is another SlipStation "
            "running on this data directory?); close it and retry.")


class DatabaseGone(StoreError):
    """The database file was deleted, replaced or cut short under a running station."""


class Database:
    """A keyed SQLCipher file; each thread gets its own connection (WAL lets readers overlap)."""

    def __init__(self, path: Path, key_hex: str) -> None:
        self.path = path
        self._key_hex = key_hex
        self._local = threading.local()
        self._connections: list[sqlite.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file opened
        self._damaged = False  # found damaged: closing must not checkpoint the log into it
        # A data dir on a read-only disk (a mounted backup, a locked-down share) still reads:
        # the file is opened immutable, and every write is refused with one line.
        self.read_only = path.exists() and not (os.access(path.parent, os.W_OK)
                                                and os.access(path, os.W_OK))

    def remember_identity(self) -> None:
        """Note which file this is (after opening it), for `check_identity`."""
        info = self.path.stat()
        self._identity = (info.st_dev, info.st_ino)

    def check_identity(self) -> None:
        """Is the file at `path` still the one opened? Each cycle and before each submit: a
        database deleted, replaced (another station's, a restored copy) or cut short under a
        running service must stop printing, not print into a file nobody will read again."""
        if self._identity is None:
            return
        fix = ("stop SlipStation, put the right database file back (or restore a backup), and "
               "start it again")
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise DatabaseGone(f"The database file {self.path} was deleted while SlipStation "
                               "was running; printing stopped", fix=fix) from None
        if (info.st_dev, info.st_ino) != self._identity:
            raise DatabaseGone(f"The database file {self.path} was replaced while SlipStation "
                               "was running; printing stopped", fix=fix)
        if info.st_size < PAGE_SIZE or info.st_size % PAGE_SIZE:
            self._damaged = True
            raise DatabaseGone(f"The database file {self.path} was cut short "
                               f"({info.st_size} bytes) while SlipStation was running; printing "
                               "stopped", fix=fix)

    # -- connections ---------------------------------------------------------------------------
    def _connect(self) -> sqlite.Connection:
        if self.read_only:
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(f"The data dir {self.path.parent} is read-only and its "
                                 "database has changes not yet written into the file",
                                 fix="make the folder writable and retry")
            conn = sqlcipher3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1",
                                      uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlcipher3.connect(str(self.path), isolation_level=None,
                                      check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite.Row
        try:
            # SQLCipher writes its own errors to stderr; ours are the one-line messages below.
            conn.execute("PRAGMA cipher_log_level = NONE")
            # A raw 256-bit key: no passphrase derivation, so a connection costs microseconds.
            conn.execute(f"PRAGMA key = \"x'{self._key_hex}'\"")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reading the schema is the first access that decrypts a page: a wrong key fails here,
            # before anything could be written.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite.DatabaseError as exc:
            size = self.path.stat().st_size if self.path.exists() else 0
            damaged = "malformed" in str(exc).lower() or bool(size % PAGE_SIZE)
            self._close_all([conn], leave_file_alone=damaged or not _is_locked(exc))
            if _is_locked(exc):
                raise DatabaseLocked(_locked_message(self.path)) from None
            log.debug("opening the database failed: %s", exc)
            if "malformed" in str(exc).lower():  # page 1 decrypted: the key is right
                self._damaged = True
                raise _damaged(self.path, str(exc)) from None
            if size % PAGE_SIZE:
                self._damaged = True
                raise _damaged(self.path, f"cut short at {size} bytes") from None
            raise DatabaseKeyWrong(
                f"The key in the keyring does not open {self.path} (wrong key, or not a "
                "SlipStation database)",
                fix="restore the right keyring entry; or " + START_OVER_FIX,
                remedy=Remedy.START_OVER) from None
        for pragma in ("foreign_keys = ON", "temp_store = MEMORY", "secure_delete = ON",
                       "synchronous = NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def connection(self) -> sqlite.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError("The database is closed.")
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_all(self._connections, leave_file_alone=self._damaged)
            self._connections.clear()
        self._local = threading.local()

    def _close_all(self, connections: list[sqlite.Connection], *, leave_file_alone: bool) -> None:
        """Close these connections. SQLite's last closing connection copies the write-ahead log
        into the file (a checkpoint); into a damaged file, or one we could not read, that would
        write over what a recovery needs. So then a read-only connection holds a shared lock
        meanwhile: no closing connection gets the exclusive lock a checkpoint takes, and a
        read-only one never checkpoints."""
        guard = self._read_only_guard() if leave_file_alone else None
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.close()
        if guard is not None:
            with contextlib.suppress(Exception):
                guard.close()

    def _read_only_guard(self) -> sqlite.Connection | None:
        try:
            guard = sqlcipher3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
        except sqlite.DatabaseError:
            return None
        with contextlib.suppress(sqlite.DatabaseError):
            guard.execute("PRAGMA cipher_log_level = NONE")
            guard.execute(f"PRAGMA key = \"x'{self._key_hex}'\"")
            guard.execute("BEGIN")
            guard.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return guard

    # -- statements ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested uses join the outer one."""
        if self.read_only:
            raise StoreError(f"The data dir {self.path.parent} is read-only: SlipStation can "
                             "show what is stored but not change it",
                             fix="make the folder writable and retry")
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
        try:
            with self._errors():
                yield conn
            with self._errors():
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite.Row]:
        with self._errors():
            rows: list[sqlite.Row] = self.connection().execute(sql, params).fetchall()
            return rows

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One write statement in its own transaction; returns the rows changed."""
        with self.transaction() as conn:
            return int(conn.execute(sql, params).rowcount)

    def integrity(self) -> str:
        """SQLite's quick check: "ok", or what is wrong."""
        return str(self.scalar("PRAGMA quick_check"))

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite.DatabaseError as exc:  # OperationalError is one too
            text = str(exc).lower()
            if _is_locked(exc):
                raise DatabaseLocked(_locked_message(self.path)) from None
            if "full" in text or "disk i/o" in text or "readonly" in text:
                raise StoreError(_write_failed_message(self.path)) from exc
            if "malformed" in text or "corrupt" in text or "not a database" in text:
                self._damaged = True
                raise _damaged(self.path, str(exc)) from exc
            raise StoreError(f"Database error: {exc}") from exc


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _create_file(path: Path) -> None:
    """An empty, owner-only file: SQLite treats it as a new database, journals copy its mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def open_database(path: Path, credentials: Credentials) -> Database:
    """Open (or, the first time, create) the station's database with its key from the keyring."""
    key_hex = credentials.get(Secret.DATABASE)
    if key_hex and not path.exists():
        # The keyring remembers a database this data dir had: never a silent fresh start (it
        # would print every recent order again).
        raise StoreError(
            f"The database of {path.parent} is missing (its key is still in the keyring): it "
            "was deleted or moved", fix="put slipstation.db back; or " + START_OVER_FIX,
            remedy=Remedy.START_OVER)
    if path.exists() and path.stat().st_size > 0:
        if not key_hex:
            raise DatabaseKeyMissing(
                f"The database key for {path.parent} is not in the OS keyring "
                f"(service '{credentials.service}')",
                fix="restore that keyring entry (or unlock the right keyring); or "
                    + START_OVER_FIX, remedy=Remedy.START_OVER)
    else:
        if not key_hex:
            key_hex = secrets.token_bytes(32).hex()
            credentials.set(Secret.DATABASE, key_hex)
        if not path.exists():
            _create_file(path)
    db = Database(path, key_hex)
    try:
        conn = db.connection()
        version = conn.execute("PRAGMA cipher_version").fetchone()[0]
        if not str(version).startswith(f"{_SQLCIPHER_MAJOR}."):
            raise StoreError(f"SQLCipher {_SQLCIPHER_MAJOR}.x is required, found {version}.")
        if not db.read_only:
            with db._errors():
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"Could not switch the database to WAL mode (got {mode}).")
        migrate(db)
        db.remember_identity()
    except BaseException:
        db.close()
        raise
    return db
