"""Start at login: the XDG autostart entry (Linux) written and removed through the CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.conftest import Cli


def test_autostart_on_writes_an_xdg_entry_and_off_removes_it(cli: Cli, tmp_path: Path,
                                                              data_dir: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    entry = tmp_path / "config" / "autostart" / "slipstation.desktop"
    result = cli("autostart", env=env)
    assert result.returncode == 0 and "start at login: off" in result.stdout

    result = cli("autostart", "on", env=env)
    assert result.returncode == 0, result.stderr
    assert "start at login: on" in result.stdout
    text = entry.read_text(encoding="utf-8")
    assert entry.stat().st_mode & 0o777 == 0o600
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    command = shlex.split(exec_line.removeprefix("Exec="))
    # This station's own data dir, started hidden in the tray.
    assert command[-4:] == ["--data-dir", str(data_dir), "gui", "--tray"]
    assert Path(command[0]).exists()
    assert "X-GNOME-Autostart-enabled=true" in text

    assert cli("autostart", "off", env=env).returncode == 0
    assert not entry.exists()
    assert "start at login: off" in cli("autostart", env=env).stdout
    audit = cli("export", "--format", "json", "-o", str(tmp_path / "e.json"))
    assert audit.returncode == 0
    assert '"autostart.set"' in (tmp_path / "e.json").read_text(encoding="utf-8")
