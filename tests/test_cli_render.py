"""`slipstation render` and `picklist` on synced orders."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.slips.batch import PARALLEL_FROM
from slipstation.timeutil import utc_now
from tests.conftest import Cli, one_line_error
from tests.slip_reading import barcodes, pdf_text


def test_render_one_order_to_a_private_file(cli: Cli, shippo_env: dict[str, str],
                                            tmp_path: Path) -> None:
    assert cli("sync", env=shippo_env).returncode == 0
    target = tmp_path / "slip.pdf"
    result = cli("render", "3001", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    pdf = target.read_bytes()
    assert "Ольга Смирнова" in pdf_text(pdf)
    assert barcodes(pdf) == ["#3001"]
    assert not list(tmp_path.glob(".*.part")), "no temporary file left behind"


def test_render_several_to_a_folder_and_picklist(cli: Cli, shippo_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    cli("sync", env=shippo_env)
    folder = tmp_path / "slips"
    result = cli("render", "#3001", "#3002", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["slip-3001.pdf", "slip-3002.pdf"]
    every = tmp_path / "all"
    assert cli("render", "--all", "-o", str(every)).returncode == 0
    assert len(list(every.iterdir())) == 2

    picklist = tmp_path / "pick.pdf"
    assert cli("picklist", "3001", "#3002", "-o", str(picklist)).returncode == 0
    text = pdf_text(picklist.read_bytes())
    assert "Orders: #3001, #3002" in text and "TEA-9" in text


def test_unknown_order_is_one_line_and_exit_1(cli: Cli, shippo_env: dict[str, str],
                                              tmp_path: Path) -> None:
    cli("sync", env=shippo_env)
    result = cli("render", "#9999", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "No order '#9999'" in one_line_error(result)
    assert not (tmp_path / "x.pdf").exists()
    missing_folder = cli("render", "3001", "-o", str(tmp_path / "no" / "such" / "x.pdf"))
    assert missing_folder.returncode == 2  # a bad -o is a usage error
    assert "Cannot write" in one_line_error(missing_folder)


def test_render_all_keeps_two_orders_that_share_a_number(cli: Cli, shippo_env: dict[str, str],
                                                          shippo_server: ShippoServer,
                                                          tmp_path: Path) -> None:
    now = utc_now()
    shippo_server.add_orders([samples.order("#TWIN", now - timedelta(minutes=1), seed="a"),
                              samples.order("#TWIN", now - timedelta(minutes=2), seed="b")])
    assert cli("sync", env=shippo_env).returncode == 0
    result = cli("render", "--all", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "out").glob("slip-TWIN*.pdf"))
    assert len(files) == 2, files


def test_render_all_of_a_large_batch_on_every_core(cli: Cli, shippo_env: dict[str, str],
                                                   shippo_server: ShippoServer, data_dir: Path,
                                                   tmp_path: Path) -> None:
    """Past PARALLEL_FROM slips, workers render and write them: every file is there, private,
    and holds its own order; what a worker logs reaches the station's log."""
    now = utc_now()
    orders = [samples.order(f"#B{i}", now - timedelta(minutes=i), seed=f"batch-{i}")
              for i in range(PARALLEL_FROM + 10)]
    orders[7]["line_items"] = []  # its slip carries a warning, logged by a worker
    shippo_server.add_orders(orders)
    assert cli("sync", env=shippo_env).returncode == 0
    out = tmp_path / "out"
    result = cli("render", "--all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.iterdir())  # with the two orders shippo_env brings
    assert {p.name for p in files} >= {f"slip-B{i}.pdf" for i in range(len(orders))}
    assert len(files) == len(orders) + 2 and not list(out.glob(".*"))
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)
    for i in (0, 7, 123, len(orders) - 1):
        assert f"#B{i}" in pdf_text((out / f"slip-B{i}.pdf").read_bytes())
    log = (data_dir / "logs" / "slipstation.log").read_text(encoding="utf-8")
    assert f"{orders[7]['object_id']}: NO ITEMS ON THIS ORDER" in log
