"""The shape docs/architecture.md promises, checked on the source: SQL lives only in store/
(the import contracts themselves run in scripts/test through lint-imports)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import slipstation

PACKAGE = Path(slipstation.__file__).parent
SQL = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA|CREATE\s+"
                 r"(TABLE|INDEX)|ALTER\s+TABLE|BEGIN|COMMIT)\b")  # our SQL is upper case


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                SQL.match(node.value):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:50]!r}")
        if isinstance(node, ast.JoinedStr) and node.values and \
                isinstance(node.values[0], ast.Constant) and \
                isinstance(node.values[0].value, str) and SQL.match(node.values[0].value):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: f-string SQL")
    return found


def test_sql_lives_only_in_the_store() -> None:
    outside = [hit for path in sorted(PACKAGE.rglob("*.py"))
               if "store" not in path.relative_to(PACKAGE).parts
               for hit in _sql_strings(path)]
    assert outside == []


def test_the_check_finds_sql_where_there_is_some() -> None:
    inside = [hit for path in sorted((PACKAGE / "store").glob("*.py"))
              for hit in _sql_strings(path)]
    assert any("print_jobs.py" in hit for hit in inside)
    assert any("orders.py" in hit for hit in inside)


HEAVY = ("reportlab", "httpx", "apscheduler", "keyring")


@pytest.mark.parametrize("module", ["slipstation.cli", "slipstation.gui.main_window"])
def test_starting_imports_nothing_heavy_before_it_is_used(module: str) -> None:
    """A command or the window starts without the PDF library, the HTTP client, the scheduler
    or the keyring: each is imported by the first slip, request, engine start or key read."""
    probe = (f"import sys, {module}\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)
    assert out.stdout.strip() == "[]"


STATION_SIDE = ("slipstation.app.", "slipstation.store", "slipstation.printing", "slipstation.api",
                "slipstation.slips", "slipstation.sync", "slipstation.orders",
                "slipstation.gui.orders_tab", "slipstation.gui.settings_tab")


def _station_side_loaded(first: str = "") -> str:
    """The station's modules loaded, in a fresh interpreter, once the command line and the
    frame's modules are imported (after `first`, if given)."""
    probe = (f"{first}\nimport sys, slipstation.cli, slipstation.gui.app, "
             "slipstation.gui.main_window\nfrom slipstation.app import Secret, scrub\n"
             f"print(sorted(m for m in sys.modules if m.startswith({STATION_SIDE!r})))")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                          check=True).stdout.strip()


def test_the_command_line_and_the_window_frame_load_nothing_of_the_station() -> None:
    """`slipstation gui` shows its frame before the station loads: parsing the command line
    and building the frame import none of the station's modules (nor the tabs); each loads when
    the command runs or the frame is attached."""
    assert _station_side_loaded() == "[]"
    # The probe sees them once they are loaded:
    assert "slipstation.app.station" in _station_side_loaded(
        "import slipstation.gui.main_window as w; w.load_attached_modules()")
