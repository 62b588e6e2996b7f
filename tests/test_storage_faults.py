"""Storage faults: a damaged file, a full disk, a wrong key, a lock — each a clear one-line
error, and never silent loss: what was stored before is still there afterwards."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import SHIPPO_KEY, Cli, one_line_error


def _stored_count(cli: Cli, env: dict[str, str]) -> int:
    result = cli("orders", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return len(json.loads(result.stdout))


def _synced_station(cli: Cli, shippo_server: ShippoServer, env: dict[str, str]) -> None:
    now = utc_now()
    shippo_server.add_orders([samples.order(f"#D{i}", now - timedelta(hours=1, minutes=i),
                                            status="SHIPPED") for i in range(30)])
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    assert cli("sync", env=env).returncode == 0


def test_a_truncated_database_is_named_damaged_and_left_alone(
        cli: Cli, data_dir: Path, shippo_server: ShippoServer) -> None:
    env = {"SLIPSTATION_SHIPPO_URL": shippo_server.url}
    _synced_station(cli, shippo_server, env)
    database = data_dir / "slipstation.db"
    for name in ("slipstation.db-wal", "slipstation.db-shm"):  # a cold copy: no WAL
        (data_dir / name).unlink(missing_ok=True)
    size = database.stat().st_size
    for cut in (size // 2 + 100, 3 * 4096):  # mid-page, and on a page boundary
        with database.open("r+b") as handle:
            handle.truncate(cut)
        before = database.read_bytes()
        for args in (("orders",), ("sync",)):
            result = cli(*args, env=env)
            assert result.returncode == 1
            line = one_line_error(result)
            assert "is damaged" in line and "delete-all" in line, line
        assert database.read_bytes() == before  # never "repaired" or re-initialised


def test_disk_full_while_syncing_loses_nothing(cli: Cli, data_dir: Path,
                                               shippo_server: ShippoServer) -> None:
    env = {"SLIPSTATION_SHIPPO_URL": shippo_server.url}
    _synced_station(cli, shippo_server, env)
    assert _stored_count(cli, env) == 30
    now = utc_now()
    shippo_server.add_orders([samples.order(f"#F{i}", now - timedelta(milliseconds=250 * i),
                                            status="SHIPPED", seed=f"big{i}")
                              for i in range(2000)])
    biggest = max(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())
    limit = biggest + 48 * 1024  # room for a little, not for 2,000 orders

    def full_disk() -> None:  # what the child sees: files cannot grow past `limit`
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full_env = {**os.environ, **env}
    full_env.pop("SLIPSTATION_DATA_DIR", None)
    result = subprocess.run([sys.executable, "-m", "slipstation", "--data-dir", str(data_dir),
                             "sync"], capture_output=True, text=True, env=full_env,
                            preexec_fn=full_disk, timeout=120)
    assert result.returncode == 1, result.stdout
    line = one_line_error(result)
    assert "disk full or not writable" in line and "nothing else was lost" in line, line

    assert _stored_count(cli, env) == 30  # the earlier orders are intact
    result = cli("sync", env=env)  # space again: the same cycle now completes
    assert result.returncode == 0, result.stderr
    assert _stored_count(cli, env) == 2030


def test_a_truncated_database_with_a_live_wal_is_never_written(
        cli: Cli, data_dir: Path, shippo_server: ShippoServer) -> None:
    """A station killed with its write-ahead log full, then its file cut short: the command that
    finds it damaged says so and leaves it alone (no checkpoint of the log into it at exit)."""
    env = {"SLIPSTATION_SHIPPO_URL": shippo_server.url}
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    now = utc_now()
    shippo_server.add_orders([samples.order(f"#W{i}", now - timedelta(hours=1, minutes=i),
                                            status="SHIPPED", seed=f"wal{i}")
                              for i in range(300)])
    killed = subprocess.run(
        [sys.executable, "-c", "import os, sys; from slipstation.app import Station; "
         "s = Station(__import__('pathlib').Path(sys.argv[1])); s.sync.run(); "
         "os._exit(0)", str(data_dir)],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert killed.returncode == 0, killed.stderr
    database, wal = data_dir / "slipstation.db", data_dir / "slipstation.db-wal"
    assert wal.stat().st_size > 0, "the killed process left its log"
    with database.open("r+b") as handle:
        handle.truncate(2 * 4096)
    before, wal_before = database.read_bytes(), wal.read_bytes()
    for args in (("orders",), ("sync",), ("jobs",)):
        result = cli(*args, env=env)
        assert result.returncode == 1, result.stdout
        line = one_line_error(result)
        assert "is damaged" in line and "nothing was written to it" in line, line
        assert database.read_bytes() == before, f"`{args[0]}` wrote into the damaged file"
        assert wal.read_bytes() == wal_before
