"""SlipStation as a station PC installs it: the sdist and wheel built from this checkout,
installed into a fresh virtual environment, run from a folder outside the checkout. A file the
package forgets to carry (a font, the sample orders) fails here, not on a customer's PC."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slipstation import __version__
from slipstation.credentials import Credentials, Secret
from tests.slip_reading import pdf_text

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
FONT_FILES = sorted(p.name for p in (ROOT / "resources" / "fonts").iterdir())


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    outside: Path  # a folder outside the checkout, the commands' working directory

    @property
    def package_dir(self) -> Path:
        found = list(self.venv.glob("lib/python*/site-packages/slipstation"))
        assert len(found) == 1, found
        return found[0]

    def run(self, *args: str, data_dir: Path, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "SLIPSTATION_DATA_DIR", "SLIPSTATION_RESOURCES")}
        return subprocess.run([str(self.venv / "bin" / "slipstation"), "--data-dir",
                               str(data_dir), *args], cwd=self.outside, capture_output=True,
                              text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL)


def _quiet(command: list[str], cwd: Path, timeout: float = 900) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    # `build` makes the sdist, then the wheel from that sdist: both must carry resources/.
    _quiet([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=work)
    sdist, = dist.glob("slipstation-*.tar.gz")
    wheel, = dist.glob("slipstation-*.whl")
    venv = work / "venv"
    _quiet([sys.executable, "-m", "venv", str(venv)], cwd=work)
    _quiet([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
            "--disable-pip-version-check", str(wheel)], cwd=work)
    outside = work / "elsewhere"
    outside.mkdir()
    yield Installed(sdist, wheel, venv, outside)


@pytest.fixture
def station_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "station"
    yield path
    for directory in (path, path / "demo"):
        for name in Secret:
            Credentials(directory).delete(name)


def test_sdist_and_wheel_carry_every_resource(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    with tarfile.open(installed.sdist) as sdist:
        sdist_names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for font in FONT_FILES:
        assert f"slipstation/_resources/fonts/{font}" in names
        assert f"resources/fonts/{font}" in sdist_names
    for other in ("sample/demo_orders.json", "icons/slipstation.svg"):
        assert f"slipstation/_resources/{other}" in names
        assert f"resources/{other}" in sdist_names


def test_version_from_the_installed_wheel(installed: Installed, station_dir: Path) -> None:
    result = installed.run("--version", data_dir=station_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"slipstation {__version__}"


def test_demo_sync_and_renders_every_script_from_outside_the_checkout(
        installed: Installed, station_dir: Path) -> None:
    synced = installed.run("--demo", "sync", data_dir=station_dir)
    assert synced.returncode == 0, synced.stderr
    assert "printed 14" in synced.stdout
    out = installed.outside
    # #2403 is Japanese (山田 太郎, 千代田区), #2404 Korean (김민준), #2402 Cyrillic (Анна Петрова).
    for number, expected in (("#2403", "山田"), ("#2404", "김민준"), ("#2402", "Анна Петрова")):
        pdf = out / f"slip-{number.strip('#')}.pdf"
        result = installed.run("--demo", "render", number, "-o", str(pdf), data_dir=station_dir)
        assert result.returncode == 0, result.stderr
        assert expected in pdf_text(pdf.read_bytes())
    doctor = installed.run("--demo", "doctor", data_dir=station_dir)
    fonts_line = next(line for line in doctor.stdout.splitlines() if "fonts" in line)
    assert fonts_line.startswith("ok") and "NanumGothic" in fonts_line, doctor.stdout


def test_a_missing_font_file_is_one_line_naming_it(installed: Installed,
                                                   station_dir: Path, tmp_path: Path) -> None:
    font = installed.package_dir / "_resources" / "fonts" / "DroidSansFallbackFull.ttf"
    saved = tmp_path / font.name
    shutil.move(font, saved)
    try:
        assert installed.run("--demo", "sync", data_dir=station_dir).returncode in (0, 1)
        result = installed.run("--demo", "render", "#2403", "-o", str(tmp_path / "x.pdf"),
                               data_dir=station_dir)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert "fonts/DroidSansFallbackFull.ttf is missing" in lines[0]
        assert "reinstall" in lines[0]
        doctor = installed.run("--demo", "doctor", data_dir=station_dir)
        assert doctor.returncode == 1
        fonts_line = next(line for line in doctor.stdout.splitlines() if "fonts" in line)
        assert "DroidSansFallbackFull.ttf" in fonts_line and "reinstall" in fonts_line
    finally:
        shutil.move(saved, font)
