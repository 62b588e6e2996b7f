"""The SQLCipher store: encrypted at rest, keyed from the keyring, never clobbered."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.errors import DatabaseKeyMissing, DatabaseKeyWrong, StoreError
from slipstation.store.database import open_database
from slipstation.store.migrations import LATEST_VERSION, MIGRATIONS, schema_version
from tests.conftest import Cli, one_line_error

MARKER = "Zebra-Ünïcödé-Станция-駅"


def _file_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("slipstation.db*")))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_has_no_sqlite_header_and_no_plaintext(station: Station, data_dir: Path) -> None:
    station.config.set("station", MARKER)
    assert station.settings.get("station") == MARKER
    raw = _file_bytes(data_dir)  # database and WAL while still open
    station.close()
    raw += _file_bytes(data_dir)
    assert not (data_dir / "slipstation.db").read_bytes().startswith(b"SQLite format 3")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        assert MARKER.encode(encoding) not in raw
    assert b"CREATE TABLE" not in raw
    assert (data_dir / "slipstation.db").stat().st_mode & 0o777 == 0o600


def test_key_is_256_random_bits_in_the_keyring(station: Station, data_dir: Path) -> None:
    station.config.items()
    key = Credentials(data_dir).get(Secret.DATABASE)
    assert key is not None and len(bytes.fromhex(key)) == 32
    other = Credentials(data_dir.parent / "other")
    try:
        with Station(data_dir.parent / "other") as second:
            second.config.items()
        assert other.get(Secret.DATABASE) != key
    finally:
        other.delete(Secret.DATABASE)


def test_migrations_from_empty_to_latest(station: Station) -> None:
    db = station.db
    assert schema_version(db) == LATEST_VERSION == len(MIGRATIONS)
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"orders", "order_status_history", "print_jobs", "print_job_events", "settings",
            "sync_state", "audit_log", "app_log", "bins", "packed", "orders_fts"} <= tables
    assert "order_items" not in tables, "written on every sync, never read: dropped"
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA foreign_keys") == 1


def test_newer_schema_is_refused(station: Station, data_dir: Path) -> None:
    station.db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    station.close()
    with pytest.raises(StoreError, match="newer SlipStation"):
        open_database(data_dir / "slipstation.db", Credentials(data_dir))


def test_wrong_key_leaves_file_unchanged_and_explains(station: Station, data_dir: Path,
                                                      cli: Cli) -> None:
    station.config.set("paper", "a4")
    station.close()
    db_file = data_dir / "slipstation.db"
    before = _digest(db_file)
    Credentials(data_dir).set(Secret.DATABASE, "ab" * 32)

    result = cli("config", "set", "paper", "letter")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "does not open" in line and "delete-all" in line
    assert _digest(db_file) == before
    assert not (data_dir / "slipstation.db-wal").exists()
    with pytest.raises(DatabaseKeyWrong):
        open_database(db_file, Credentials(data_dir))
    assert _digest(db_file) == before


def test_missing_key_leaves_file_unchanged_and_explains(station: Station, data_dir: Path,
                                                        cli: Cli) -> None:
    station.config.items()
    station.close()
    db_file = data_dir / "slipstation.db"
    before = _digest(db_file)
    Credentials(data_dir).delete(Secret.DATABASE)

    result = cli("config", "show")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "not in the OS keyring" in line and "restore that keyring entry" in line
    assert _digest(db_file) == before
    assert Credentials(data_dir).get(Secret.DATABASE) is None, "no new key may be made"
    with pytest.raises(DatabaseKeyMissing):
        open_database(db_file, Credentials(data_dir))


def test_locked_database_gives_a_clear_message_not_a_hang(station: Station, data_dir: Path,
                                                          cli: Cli) -> None:
    station.config.items()
    key = Credentials(data_dir).get(Secret.DATABASE)
    station.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time, sqlcipher3
            conn = sqlcipher3.connect({str(data_dir / 'slipstation.db')!r}, isolation_level=None)
            conn.execute("PRAGMA key = \\"x'{key}'\\"")
            conn.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = cli("config", "set", "paper", "a4", timeout=30)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 1
    assert "locked by another process" in one_line_error(result)
    assert elapsed < 25
