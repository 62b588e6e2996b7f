"""Start SlipStation (in the tray) when the user logs in: an XDG autostart entry on Linux, the
per-user Run key on Windows, a LaunchAgent on macOS. The entry itself is the state — there is
no copy of it in the database to drift out of step.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shlex
import sys
from pathlib import Path

from slipstation.errors import SlipStationError
from slipstation.fileio import write_private
from slipstation.paths import default_data_dir

APP_ID = "slipstation"
_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def launch_command(data_dir: Path) -> list[str]:
    """How to start this install in the tray: the frozen app, or this environment's script."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]
    else:
        script = Path(sys.executable).with_name("slipstation.exe" if os.name == "nt"
                                                else "slipstation")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "slipstation"]
    if data_dir != default_data_dir().resolve():
        command += ["--data-dir", str(data_dir)]
    return [*command, "gui", "--tray"]


def _xdg_entry() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{APP_ID}.desktop"


def _mac_agent() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / "com.slipstation.tray.plist"


def _desktop_exec(command: list[str]) -> str:
    # The Desktop Entry spec quotes like a shell, and a literal % must be doubled.
    return " ".join(shlex.quote(part) for part in command).replace("%", "%%")


def is_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
                winreg.QueryValueEx(key, "SlipStation")
        except OSError:
            return False
        return True
    path = _mac_agent() if sys.platform == "darwin" else _xdg_entry()
    return path.exists()


def set_enabled(enabled: bool, data_dir: Path) -> None:
    """Add or remove the login entry for this user; raises a one-line error on failure."""
    command = launch_command(data_dir)
    try:
        if sys.platform == "win32":
            _set_windows(enabled, command)
        elif sys.platform == "darwin":
            _write_or_remove(_mac_agent(), enabled, plistlib.dumps(
                {"Label": "com.slipstation.tray", "ProgramArguments": command,
                 "RunAtLoad": True}))
        else:
            _write_or_remove(_xdg_entry(), enabled, (
                "[Desktop Entry]\nType=Application\nName=SlipStation\n"
                "Comment=Packing slips, printed automatically\n"
                f"Exec={_desktop_exec(command)}\nIcon=slipstation\nTerminal=false\n"
                "X-GNOME-Autostart-enabled=true\n").encode())
    except OSError as exc:
        raise SlipStationError(f"Could not change the start-at-login entry ({exc.strerror or exc})."
                               ) from exc


def _write_or_remove(path: Path, enabled: bool, content: bytes) -> None:
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, content)
    else:
        path.unlink(missing_ok=True)


def _set_windows(enabled: bool, command: list[str]) -> None:
    import subprocess
    import sys

    if sys.platform != "win32":  # the registry exists only there (and mypy checks it so)
        raise RuntimeError("the Run key is Windows only")
    import winreg

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
        if enabled:
            winreg.SetValueEx(key, "SlipStation", 0, winreg.REG_SZ,
                              subprocess.list2cmdline(command))
        else:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, "SlipStation")
