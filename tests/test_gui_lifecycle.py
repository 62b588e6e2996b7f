"""The window starts and stops cleanly every time: twenty start/stop cycles of the real
`slipstation gui` process (offscreen Qt, the demo's loopback services, the real keyring),
each stopped with SIGTERM once the window is up, each ending with exit code 0 and no fatal
error (threads, timers, the engine and the tray stopped in order)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from slipstation.credentials import Credentials, Secret

CYCLES = 20


def _start(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name in ("SLIPSTATION_DATA_DIR", "SLIPSTATION_SHIPPO_URL", "SLIPSTATION_PRINTNODE_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "slipstation", "--data-dir", str(data_dir), "--demo", "--debug",
         "gui"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)


def _wait_for_window(process: subprocess.Popen[str], seen: list[str]) -> None:
    """Read the child's log (stderr, --debug) until the window says it is ready; the last
    entry of `seen` is then "ready" (or the log ended without it)."""
    assert process.stderr is not None
    for line in process.stderr:
        seen.append(line)
        if "SlipStation window ready" in line:
            seen.append("ready")
            return


def test_twenty_starts_and_stops_exit_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "station"
    try:
        for cycle in range(CYCLES):
            process = _start(data_dir)
            seen: list[str] = []
            reader = threading.Thread(target=_wait_for_window, args=(process, seen), daemon=True)
            reader.start()
            reader.join(timeout=90)
            assert seen and seen[-1] == "ready", f"cycle {cycle}: {''.join(seen)[-2000:]}"
            process.send_signal(signal.SIGTERM)
            _, rest = process.communicate(timeout=60)
            assert process.returncode == 0, (
                f"cycle {cycle}: exit {process.returncode}: {rest[-2000:]}")
            assert "Fatal Python error" not in rest and "Traceback" not in rest, rest[-2000:]
    finally:
        for name in Secret:
            Credentials(data_dir / "demo").delete(name)


def test_sigterm_during_a_start_up_problem_ends_it_promptly(tmp_path: Path) -> None:
    """With no Secret Service the frame shows, then the problem's window waits for an answer;
    SIGTERM answers it (Close), and the process exits with the problem's code, at once."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name in ("SLIPSTATION_DATA_DIR", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "slipstation", "--data-dir", str(tmp_path / "station"), "--debug",
         "gui"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # the log, until the problem is on screen
        seen.append(line)
        if "cannot start:" in line:
            break
    assert any("SlipStation window shown" in line for line in seen), "".join(seen)
    assert "cannot start:" in seen[-1], "".join(seen)
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=30)
    assert process.returncode == 1, rest[-2000:]
    assert "Traceback" not in rest and "SlipStation window ready" not in rest, rest[-2000:]
