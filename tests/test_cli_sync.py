"""`slipstation sync`, `run` and `orders` as a user runs them, against the loopback Shippo."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from slipstation.loopback.shippo import ShippoServer
from tests.conftest import Cli, one_line_error


def test_sync_prints_a_summary_and_orders_lists_them(cli: Cli, shippo_env: dict[str, str]) -> None:
    result = cli("sync", env=shippo_env)
    assert result.returncode == 0, result.stderr
    assert "fetched 3, new 2, updated 0, skipped 1" in result.stdout

    listed = cli("orders", "--json")
    orders = json.loads(listed.stdout)
    assert [o["order_number"] for o in orders] == ["#3001", "#3002"]
    olga = orders[0]
    assert olga["status"] == "PAID"
    assert olga["ship_to"]["name"] == "Ольга Смирнова"
    assert {"name", "street1", "city", "zip", "country"} <= set(olga["ship_to"])
    assert olga["items"] == [{"sku": "TEA-9", "title": "Чай", "variant": None, "quantity": 2}]
    assert olga["print_count"] == 0
    assert olga["placed_at"].endswith("Z")

    shipped = json.loads(cli("orders", "--status", "shipped", "--json").stdout)
    assert [o["order_number"] for o in shipped] == ["#3002"]
    found = cli("orders", "--search", "смирнова")
    assert "#3001" in found.stdout and "#3002" not in found.stdout
    bad = cli("orders", "--status", "LOST")
    assert bad.returncode == 2 and "PAID" in one_line_error(bad)


def test_sync_without_a_key_or_with_a_rejected_key_exits_1(cli: Cli,
                                                          shippo_server: ShippoServer) -> None:
    env = {"SLIPSTATION_SHIPPO_URL": shippo_server.url}
    missing = cli("sync", env=env)
    assert missing.returncode == 1
    assert "keys set shippo" in one_line_error(missing)
    cli("keys", "set", "shippo", input="shippo_live_notthekeyyouwant")
    rejected = cli("sync", env=env)
    assert rejected.returncode == 1
    line = one_line_error(rejected)
    assert "Shippo key rejected" in line and "notthekey" not in line


def _reader(stream: object) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line)
    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} not seen; got {seen}")


def test_run_syncs_refuses_a_second_instance_and_stops_on_sigterm(
        cli: Cli, data_dir: Path, shippo_env: dict[str, str]) -> None:
    env = {**os.environ, **shippo_env}
    service = subprocess.Popen(
        [sys.executable, "-m", "slipstation", "--data-dir", str(data_dir), "run"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=env)
    try:
        lines = _reader(service.stderr)
        _wait_for(lines, "sync: fetched 3, new 2", timeout=30)

        second = cli("run", env=shippo_env, timeout=30)
        assert second.returncode == 1
        assert "already running" in one_line_error(second)
        # The window too: after its frame showed, a window explains it (Retry / Close);
        # SIGTERM answers Close, and the process ends with the same code, at once.
        window = subprocess.Popen(
            [sys.executable, "-m", "slipstation", "--data-dir", str(data_dir), "--debug", "gui"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, env={**env, "QT_QPA_PLATFORM": "offscreen"})
        assert window.stderr is not None
        problem = next((line for line in window.stderr if "cannot start:" in line), "")
        assert "already running" in problem
        window.send_signal(signal.SIGTERM)
        _, rest = window.communicate(timeout=30)
        assert window.returncode == 1 and "Traceback" not in rest, rest[-2000:]
        # Started hidden at login (--tray, the autostart entry) beside the service: nothing to
        # ask anyone; one line, the same code.
        tray = cli("gui", "--tray", env={**shippo_env, "QT_QPA_PLATFORM": "offscreen"},
                   timeout=60)
        assert tray.returncode == 1
        tray.stderr = "".join(line for line in tray.stderr.splitlines(keepends=True)
                              if "propagateSizeHints" not in line)  # Qt's offscreen plugin
        assert "already running" in one_line_error(tray)

        started = time.monotonic()
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if service.poll() is None:
            service.kill()
        service.wait()
        if service.stderr:
            service.stderr.close()
    assert json.loads(cli("orders", "--json").stdout)[0]["order_number"] == "#3001"
