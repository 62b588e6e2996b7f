"""`slipstation doctor` on a healthy and on broken setups, and the missing-Qt-library check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from slipstation.credentials import Credentials, Secret
from slipstation.desktop import missing_packages
from slipstation.loopback.printnode import PrintNodeServer
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error


def lines_by_check(stdout: str) -> dict[str, str]:
    """{check name: its whole line} for the check lines of doctor's output."""
    result = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("ok", "warn", "FAIL"):
            result[parts[1]] = line
    return result


def healthy(cli: Cli, printer: str = "71") -> None:
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    assert cli("keys", "set", "printnode", input=PRINTNODE_KEY).returncode == 0
    assert cli("config", "set", "printer", printer).returncode == 0


def test_doctor_on_a_healthy_setup_passes_every_check(cli: Cli, services: dict[str, str]) -> None:
    healthy(cli)
    result = cli("doctor", env=services)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = lines_by_check(result.stdout)
    assert set(checks) >= {"keyring", "database", "fonts", "shippo", "printnode", "printer"}
    for name in ("keyring", "database", "fonts", "shippo", "printnode", "printer"):
        assert checks[name].startswith("ok"), checks[name]
    assert "integrity ok" in checks["database"]
    assert "Zebra ZD420 (4x6) on PACKING-PC-1: online" in checks["printer"]
    assert result.stdout.strip().endswith("all checks passed")
    # No key is ever shown whole.
    assert SHIPPO_KEY not in result.stdout and PRINTNODE_KEY not in result.stdout
    assert "…0000" in checks["shippo"]


def test_doctor_names_each_problem_with_a_fix(cli: Cli, services: dict[str, str],
                                              printnode_server: PrintNodeServer) -> None:
    healthy(cli)
    assert cli("keys", "set", "shippo", input="shippo_test_wrongwrongwrong9999").returncode == 0
    printnode_server.set_printer_state(71, "offline")
    result = cli("doctor", env=services)
    assert result.returncode == 1
    checks = lines_by_check(result.stdout)
    assert checks["shippo"].startswith("FAIL") and "Shippo key rejected" in checks["shippo"]
    assert "fix: create a new key in Shippo" in checks["shippo"]
    assert checks["printnode"].startswith("ok")
    assert checks["printer"].startswith("FAIL") and "offline" in checks["printer"]
    assert "2 problem(s) found" in result.stdout
    assert "wrongwrongwrong" not in result.stdout


def test_doctor_with_no_keys_unreachable_services_and_an_unknown_printer(cli: Cli) -> None:
    assert cli("config", "set", "printer", "99").returncode == 0
    result = cli("doctor")
    checks = lines_by_check(result.stdout)
    assert result.returncode == 1
    assert "no API key set" in checks["shippo"] and "keys set shippo" in checks["shippo"]
    assert "no API key set" in checks["printnode"]
    assert checks["printer"].startswith("warn")  # chosen, but no key to ask PrintNode with

    unreachable = {"SLIPSTATION_SHIPPO_URL": "http://127.0.0.1:9",
                   "SLIPSTATION_PRINTNODE_URL": "http://127.0.0.1:9"}
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    result = cli("doctor", env=unreachable, timeout=60)
    checks = lines_by_check(result.stdout)
    assert checks["shippo"].startswith("FAIL") and "check the network" in checks["shippo"]


def test_doctor_reports_an_unknown_printer(cli: Cli, services: dict[str, str]) -> None:
    healthy(cli, printer="99")
    checks = lines_by_check(cli("doctor", env=services).stdout)
    assert checks["printer"].startswith("FAIL")
    assert "printer 99 is not on this PrintNode account" in checks["printer"]


def test_doctor_with_a_lost_database_key_keeps_checking_and_never_touches_the_file(
        cli: Cli, data_dir: Path) -> None:
    assert cli("config", "set", "paper", "a4").returncode == 0
    database = data_dir / "slipstation.db"
    before = database.read_bytes()
    Credentials(data_dir).delete(Secret.DATABASE)
    result = cli("doctor")
    checks = lines_by_check(result.stdout)
    assert result.returncode == 1
    assert checks["database"].startswith("FAIL")
    assert "database key" in checks["database"] and "not in the OS keyring" in checks["database"]
    assert checks["fonts"].startswith("ok")  # later checks still ran
    assert database.read_bytes() == before


def test_a_missing_qt_library_is_named_by_its_package(tmp_path: Path, data_dir: Path) -> None:
    assert missing_packages() == []  # scripts/setup-system installed them all here
    assert missing_packages({"libslipstation-absent.so.9": "libslipstation-absent9"}) == [
        "libslipstation-absent9"]
    # A broken copy of one library first on the loader's path: dlopen fails as if it were
    # missing, and the GUI says which package to install instead of Qt's plugin abort.
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"not a library")
    env = {**os.environ, "LD_LIBRARY_PATH": str(tmp_path), "QT_QPA_PLATFORM": "xcb",
           "DISPLAY": ":99"}
    result = subprocess.run([sys.executable, "-m", "slipstation", "--data-dir", str(data_dir),
                             "gui"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "sudo apt-get install libxcb-cursor0" in line


def test_printer_condition_names_what_is_wrong() -> None:
    from slipstation.api.printnode import Printer

    def printer(state: str, computer: str) -> Printer:
        return Printer(1, "Zebra", "", state, "PC-1", computer, {})

    assert printer("online", "connected").condition == "online"
    assert printer("offline", "connected").condition == "offline"
    assert printer("online", "disconnected").condition == "on a disconnected computer"
