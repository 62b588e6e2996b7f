"""What a real desktop window needs before Qt is asked for one.

Qt's xcb plugin fails on a missing system library with a cryptic "could not load the Qt platform
plugin" and an abort. We look for each library first and name the Debian package instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from slipstation.errors import SlipStationError

# The shared libraries PySide6's xcb plugin links against (from `ldd libqxcb.so`) that a
# minimal Debian/Ubuntu desktop may lack, and the package that brings each.
XCB_LIBRARIES: Mapping[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def missing_packages(libraries: Mapping[str, str] = XCB_LIBRARIES) -> list[str]:
    """Debian packages whose library the dynamic loader cannot load, in table order."""
    import ctypes  # only where Qt will ask for X11: a few ms before the window, elsewhere

    missing: list[str] = []
    for soname, package in libraries.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            if package not in missing:
                missing.append(package)
    return missing


def wants_xcb(environ: Mapping[str, str] | None = None) -> bool:
    """Will Qt pick its xcb (X11) plugin here?"""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    # Unset: Qt 6 takes Wayland in a Wayland session, X11 otherwise.
    return not env.get("WAYLAND_DISPLAY")


def check_display(environ: Mapping[str, str] | None = None) -> None:
    """Raise a one-line, actionable error when a GUI cannot start on this display."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return
    if not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY") and \
            not env.get("WAYLAND_DISPLAY"):
        raise SlipStationError("No display found: run `slipstation run` for the headless "
                               "service, or start the GUI from a desktop session.")
    if wants_xcb(env):
        missing = missing_packages()
        if missing:
            raise SlipStationError(
                "The window needs system libraries that are missing; install them with "
                f"`sudo apt-get install {' '.join(missing)}` (or run scripts/setup-system).")
