"""The command-line contract: commands, exit codes, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Cli, one_line_error

CONTRACT = ["gui", "run", "sync", "doctor", "keys", "config", "printers", "orders", "jobs",
            "render", "print", "picklist", "purge", "export", "redact", "delete-order",
            "delete-orders", "reset-config", "delete-all"]


def test_help_lists_every_command_of_the_contract(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in CONTRACT:
        assert command in result.stdout
    for option in ("--data-dir", "--demo", "--debug"):
        assert option in result.stdout


def test_python_dash_m_and_console_script_agree() -> None:
    script = Path(sys.executable).with_name("slipstation")
    assert script.exists(), "console script not installed"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("slipstation ")


def test_usage_errors_exit_2_with_one_line(cli: Cli) -> None:
    for args in (["bogus"], ["render"], ["config", "set", "paper"], ["keys"]):
        result = cli(*args)
        assert result.returncode == 2, args
        one_line_error(result)


def test_data_dir_from_environment(tmp_path: Path, cli: Cli) -> None:
    target = tmp_path / "from-env"
    env = {**os.environ, "SLIPSTATION_DATA_DIR": str(target)}
    result = subprocess.run([sys.executable, "-m", "slipstation", "config", "set", "paper", "a4"],
                            capture_output=True, text=True, env=env, input="")
    try:
        assert result.returncode == 0, result.stderr
        assert (target / "slipstation.db").exists()
    finally:
        from slipstation.credentials import Credentials, Secret
        Credentials(target.resolve()).delete(Secret.DATABASE)


def test_debug_shows_traceback(cli: Cli, tmp_path: Path) -> None:
    plain = cli("render", "#404", "-o", str(tmp_path / "x.pdf"))
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    result = cli("--debug", "render", "#404", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "Traceback" in result.stderr
