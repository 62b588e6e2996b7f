"""`--demo`: the embedded offline Shippo and PrintNode, through the real clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from slipstation.credentials import Credentials, Secret
from tests.conftest import Cli
from tests.slip_reading import barcodes, pdf_text


def test_demo_sync_prints_demo_slips_with_no_keys_set(cli: Cli, data_dir: Path) -> None:
    try:
        result = cli("--demo", "sync")
        assert result.returncode == 0, result.stderr
        assert "printed 14" in result.stdout
        demo_dir = data_dir / "demo"
        pdfs = sorted((demo_dir / "printed").glob("*.pdf"))
        assert len(pdfs) == 14
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in pdfs)
        first = pdfs[0].read_bytes()
        assert barcodes(first) == ["#2401"] and "Zoë Müller" in pdf_text(first)
        # The real station next to it is untouched: no database, no keys of its own.
        assert not (data_dir / "slipstation.db").exists()
        assert Credentials(data_dir).get(Secret.SHIPPO) is None
        assert Credentials(demo_dir).get(Secret.SHIPPO) is not None
        orders = json.loads(cli("--demo", "orders", "--json").stdout)
        assert len(orders) == 20
        assert cli("orders", "--json").stdout.strip() == "[]"
    finally:
        for name in Secret:
            Credentials(data_dir / "demo").delete(name)


def test_demo_without_an_os_keyring_uses_a_throwaway_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = subprocess.run([sys.executable, "-m", "slipstation", "--data-dir",
                             str(tmp_path / "d"), "--demo", "sync"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "keeps its keys in memory" in result.stderr
    assert "printed 14" in result.stdout
    assert not (tmp_path / "d" / "demo" / "slipstation.db").exists()
    without_demo = subprocess.run([sys.executable, "-m", "slipstation", "--data-dir",
                                   str(tmp_path / "d"), "config", "show"], capture_output=True,
                                  text=True, env=env, timeout=60)
    assert without_demo.returncode == 1, "a real station never falls back to plain storage"
    assert "keyring" in without_demo.stderr


def test_the_demo_has_labels_and_a_bins_file_so_pack_mode_works_offline(
        cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    try:
        assert cli("--demo", "sync").returncode == 0
        label = cli("--demo", "label", "#2405")
        assert label.returncode == 0 and "label of #2405 sent to" in label.stdout, label.stderr
        zpl = cli("--demo", "label", "#2411")
        assert zpl.returncode == 0, zpl.stderr
        printed = data_dir / "demo" / "printed"
        assert list(printed.glob("*Label__2405*.pdf")) and list(printed.glob("*Label__2411*.zpl"))
        bins = tmp_path / "bins.csv"
        assert cli("--demo", "bins", "export", "-o", str(bins)).returncode == 0
        assert len(bins.read_text(encoding="utf-8").splitlines()) == 9
        packed = cli("--demo", "pack", "#2417", "--scan", "4006381333931", "--scan", "TOTE-001")
        assert packed.returncode == 0, packed.stderr
        assert "#2417 packed" in packed.stdout and "label of #2417" in packed.stdout
    finally:
        for name in Secret:
            Credentials(data_dir / "demo").delete(name)
