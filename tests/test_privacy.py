"""Retention, export, redaction and deletion against the real store and loopback Shippo."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.errors import NotFound, UsageError
from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error, open_printing_station

MIA = "mia.wong@example.org"


@pytest.fixture
def station(data_dir: Path, services: dict[str, str]) -> Iterator[Station]:
    opened = open_printing_station(data_dir)
    yield opened
    opened.close()


def _customers(server: ShippoServer) -> None:
    now = utc_now()
    server.add_orders([
        samples.order("#M1", now - timedelta(hours=3), to=samples.address(
            "Mia Wong", "12 Harbour Road", "Hong Kong", "999077", "HK", email=MIA,
            phone="+852 5555 1234"), notes="Happy birthday Mia!"),
        samples.order("#M2", now - timedelta(days=2), to=samples.address(
            "Mia Wong", "5 Other Street", "Kowloon", "999077", "HK", email="MIA.Wong@Example.org")),
        samples.order("#A1", now - timedelta(hours=5), to=samples.address(
            "Анна Петрова", "Тверская 7", "Москва", "125009", "RU", email="anna@example.ru")),
    ])


def _db_text(station: Station) -> str:
    """Every text value in every table, decrypted: what is really stored."""
    parts = []
    for (table,) in station.db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in station.db.query(f"SELECT * FROM {table}"):
            parts.extend(str(value) for value in tuple(row))
    return "\n".join(parts)


def test_purge_by_tier_on_both_sides_of_each_boundary(station: Station) -> None:
    now = utc_now()
    orders = []
    for tier, days in (("starter", 7), ("growth", 30), ("business", 90), ("enterprise", 365)):
        orders.append(samples.order(f"#{tier}-in", now - timedelta(days=days, hours=-1)))
        orders.append(samples.order(f"#{tier}-out", now - timedelta(days=days, hours=1)))
    from slipstation.orders.models import parse_order
    station.order_store.upsert([(parse_order(raw), raw) for raw in orders])
    ages = {raw["order_number"]: days + (1 if raw["order_number"].endswith("-out") else -1) / 24
            for raw, days in zip(orders, [d for d in (7, 30, 90, 365) for _ in range(2)],
                                 strict=True)}
    for tier, days in (("enterprise", 365), ("business", 90), ("growth", 30), ("starter", 7)):
        station.config.set("tier", tier)
        before = station.orders.count()
        dry = station.privacy.purge(dry_run=True)
        assert station.orders.count() == before, "a dry run changes nothing"
        done = station.privacy.purge()
        assert done.orders == dry.orders
        left = {s.order.display_number for s in station.orders.search()}
        assert left == {number for number, age in ages.items() if age < days}
        assert f"#{tier}-in" in left and f"#{tier}-out" not in left
    assert station.audit.entries()[0].action == "data.purge"


def test_purge_takes_print_jobs_and_old_logs(station: Station, shippo_server: ShippoServer
                                             ) -> None:
    _customers(shippo_server)
    station.config.set("printer", "71")
    station.sync.run()
    assert station.db.scalar("SELECT count(*) FROM print_jobs") == 3
    old = (utc_now() - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    station.db.execute("INSERT INTO app_log (at, level, logger, message) VALUES (?, 'INFO', "
                       "'slipstation', 'old')", (old,))
    station.db.execute("INSERT INTO audit_log (at, station, action) VALUES (?, 's', 'old')",
                       (old,))
    station.db.execute("UPDATE orders SET placed_at = ?", (old,))
    counts = station.privacy.purge()
    assert (counts.orders, counts.print_jobs, counts.app_log, counts.audit_log) == (3, 3, 1, 1)
    for table in ("orders", "order_status_history", "print_jobs",
                  "print_job_events"):
        assert station.db.scalar(f"SELECT count(*) FROM {table}") == 0, table


def test_json_and_csv_exports(station: Station, shippo_server: ShippoServer,
                              tmp_path: Path) -> None:
    _customers(shippo_server)
    station.sync.run()
    target = tmp_path / "all.json"
    assert station.privacy.export("json", target) == 3
    assert target.stat().st_mode & 0o777 == 0o600
    document = json.loads(target.read_text(encoding="utf-8"))
    assert {"exported_at", "your_data_rights", "station", "settings", "orders", "print_jobs",
            "audit_log", "app_log", "api_keys"} <= set(document)
    assert "erase" in document["your_data_rights"]
    text = target.read_text(encoding="utf-8")
    assert SHIPPO_KEY not in text and PRINTNODE_KEY not in text
    assert document["api_keys"]["shippo"].endswith(SHIPPO_KEY[-4:])
    names = {o["to_address"]["name"] for o in document["orders"]}
    assert "Анна Петрова" in names
    assert document["orders"][0]["raw"]["object_owner"] == "owner@example.com"

    csv_path = tmp_path / "orders.csv"
    station.privacy.export("csv", csv_path)
    assert csv_path.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert len(rows) == 3
    assert {r["order_number"] for r in rows} == {"#M1", "#M2", "#A1"}
    assert next(r for r in rows if r["order_number"] == "#A1")["ship_to_city"] == "Москва"


def test_customer_export_holds_only_that_customer(station: Station,
                                                  shippo_server: ShippoServer,
                                                  tmp_path: Path) -> None:
    _customers(shippo_server)
    station.sync.run()
    target = tmp_path / "mia.json"
    assert station.privacy.export_customer(" Mia.Wong@example.org ", target) == 2
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert sorted(o["order_number"] for o in document["orders"]) == ["#M1", "#M2"]
    assert len(document["addresses"]) == 2
    assert "Петрова" not in text and "anna@example.ru" not in text
    assert target.stat().st_mode & 0o777 == 0o600


def test_redaction_survives_a_resync_and_leaves_no_trace(station: Station,
                                                         shippo_server: ShippoServer) -> None:
    _customers(shippo_server)
    station.sync.run()
    assert station.privacy.redact(MIA) == 2
    for number in ("#M1", "#M2"):
        stored = station.orders.find(number)
        to = stored.order.to_address
        assert (to.name, to.email, to.street1, to.city) == ("[REDACTED]",) * 4
        assert to.phone in ("", "[REDACTED]") and to.country == "HK"
        assert stored.order.notes in ("", "[REDACTED]") and stored.redacted
    assert station.orders.find("#M1").order.notes == "[REDACTED]"
    assert station.orders.find("#M1").order.to_address.phone == "[REDACTED]"
    # A later sync reads the same orders again (and a status change) from Shippo.
    shippo_server.set_status(shippo_server.orders[0]["object_id"], "SHIPPED")
    station.state.delete("shippo.watermark")
    station.sync.run()
    assert station.orders.find("#M1").order.to_address.name == "[REDACTED]"
    stored_text = _db_text(station)
    for trace in ("Mia Wong", "Harbour Road", "5555 1234", "mia.wong", "Happy birthday"):
        assert trace not in stored_text
    assert "Анна Петрова" in stored_text
    assert station.orders.count() == 3
    assert [e.detail for e in station.audit.entries() if e.action == "data.redact"] == \
        [{"orders": 2}]


def test_delete_paths(station: Station, shippo_server: ShippoServer, data_dir: Path) -> None:
    _customers(shippo_server)
    station.config.set("printer", "71")
    station.config.set("paper", "a4")
    station.sync.run()
    station.privacy.delete_order("#A1")
    assert station.order_store.find("#A1") is None
    station.state.delete("shippo.watermark")
    station.sync.run()
    assert station.order_store.find("#A1") is None, "a deleted order is not synced back"
    assert "Петрова" not in _db_text(station)

    assert station.privacy.delete_all_orders() == 2
    assert station.orders.count() == 0
    assert station.settings.get("paper") == "a4"
    assert Credentials(data_dir).get(Secret.SHIPPO) == SHIPPO_KEY

    station.privacy.reset_config()
    assert station.settings.get("paper") == "4x6"
    assert Credentials(data_dir).get(Secret.SHIPPO) is None
    assert Credentials(data_dir).get(Secret.PRINTNODE) is None

    with pytest.raises(UsageError):
        station.privacy.delete_all("delete")
    assert (data_dir / "slipstation.db").exists()
    station.privacy.delete_all("DELETE")
    assert not list(data_dir.glob("slipstation.db*"))
    assert not (data_dir / "logs").exists()
    assert Credentials(data_dir).get(Secret.DATABASE) is None


def test_deleting_a_selection_is_one_step_and_all_or_nothing(
        station: Station, shippo_server: ShippoServer) -> None:
    _customers(shippo_server)
    station.sync.run()
    m1 = station.orders.find("#M1").order.object_id
    before = len(station.audit.entries())
    with pytest.raises(NotFound):
        station.privacy.delete_orders([m1, "#M2", "#nope"])
    assert station.orders.count() == 3, "an unknown order stops it before anything goes"
    assert station.privacy.delete_orders([m1, "#M2", m1]) == 2
    assert [s.order.display_number for s in station.orders.search()] == ["#A1"]
    assert station.db.scalar("SELECT count(*) FROM deleted_orders") == 2
    added = station.audit.entries()[: len(station.audit.entries()) - before]
    assert [(e.action, e.detail) for e in added] == [("data.delete_order", {"orders": 2})]


def test_audit_log_never_holds_customer_data(station: Station, shippo_server: ShippoServer,
                                             tmp_path: Path) -> None:
    _customers(shippo_server)
    station.sync.run()
    station.privacy.export_customer(MIA, tmp_path / "x.json")
    station.privacy.redact(MIA)
    station.privacy.delete_order("#A1")
    audit = json.dumps([e.__dict__ for e in station.audit.entries()], ensure_ascii=False)
    for private in ("mia", "Mia", "Анна", "#A1", "Москва", SHIPPO_KEY):
        assert private not in audit
    assert {"data.export_customer", "data.redact", "data.delete_order", "orders.synced"} <= {
        e.action for e in station.audit.entries()}


def test_cli_privacy_commands(cli: Cli, shippo_env: dict[str, str], data_dir: Path,
                              tmp_path: Path) -> None:
    assert cli("sync", env=shippo_env).returncode == 0
    dry = cli("purge", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.startswith("would delete orders placed before")
    assert cli("export", "--format", "csv", "-o", str(tmp_path / "o.csv")).returncode == 0
    missing = cli("export", "-o", str(tmp_path / "o.json"))
    assert missing.returncode == 2 and "--format" in one_line_error(missing)
    assert cli("export", "--email", "olga@example.ru", "-o", str(tmp_path / "c.json")
               ).returncode == 0
    assert "1 order" in cli("redact", "--email", "olga@example.ru").stdout
    assert cli("delete-order", "#3002").returncode == 0
    unknown = cli("delete-order", "#9999")
    assert unknown.returncode == 1 and "No order" in one_line_error(unknown)
    assert "deleted 1 order" in cli("delete-orders", "--all").stdout
    assert cli("reset-config").returncode == 0

    refused = cli("delete-all")
    assert refused.returncode == 2 and "--confirm DELETE" in one_line_error(refused)
    wrong = cli("delete-all", "--confirm", "yes")
    assert wrong.returncode == 2
    assert (data_dir / "slipstation.db").exists()
    done = cli("delete-all", "--confirm", "DELETE")
    assert done.returncode == 0, done.stderr
    assert not (data_dir / "slipstation.db").exists()
    assert Credentials(data_dir).get(Secret.DATABASE) is None
