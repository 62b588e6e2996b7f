"""`printers`, `print`, `jobs` and the auto-print step of `sync`, as a user runs them."""

from __future__ import annotations

import json

from slipstation.loopback.printnode import PrintNodeServer
from tests.conftest import PRINTNODE_KEY, Cli, one_line_error


def test_sync_prints_and_jobs_and_printers_show_it(cli: Cli, shippo_env: dict[str, str],
                                                   printnode_server: PrintNodeServer) -> None:
    env = {**shippo_env, "SLIPSTATION_PRINTNODE_URL": printnode_server.url}
    assert cli("keys", "set", "printnode", input=PRINTNODE_KEY).returncode == 0
    unset = cli("sync", env=env)
    assert "printed 0" in unset.stdout
    assert "no_printer" in cli("jobs").stdout

    printers = json.loads(cli("printers", "--json", env=env).stdout)
    assert {(p["id"], p["state"]) for p in printers} == {(71, "online"), (72, "online")}
    assert cli("config", "set", "printer", "71").returncode == 0
    synced = cli("sync", env=env)
    assert synced.returncode == 0 and "printed 1" in synced.stdout, synced.stdout
    assert len(printnode_server.jobs) == 1  # #3001 is PAID; #3002 SHIPPED; #3003 malformed

    manual = cli("print", "#3002", "--copies", "2", env=env)
    assert manual.returncode == 0, manual.stderr
    assert "manual print of #3002 sent to Zebra ZD420 (4x6) (printer 71" in manual.stdout
    assert "2 copies" in manual.stdout
    reprint = cli("print", "3001", env=env)
    assert reprint.stdout.startswith("reprint of #3001")
    jobs = json.loads(cli("jobs", "--json").stdout)
    assert sorted(j["kind"] for j in jobs) == ["auto", "manual", "reprint"]
    assert len(printnode_server.jobs) == 3
    orders = {o["order_number"]: o for o in json.loads(cli("orders", "--json").stdout)}
    assert orders["#3001"]["print_count"] == 1  # the auto job, confirmed done after the sync


def test_print_errors_are_one_line(cli: Cli, shippo_env: dict[str, str],
                                   printnode_server: PrintNodeServer) -> None:
    env = {**shippo_env, "SLIPSTATION_PRINTNODE_URL": printnode_server.url}
    cli("sync", env=env)
    no_key = cli("print", "3001", "--printer", "71", env=env)
    assert no_key.returncode == 1 and "PrintNode" in one_line_error(no_key)
    cli("keys", "set", "printnode", input=PRINTNODE_KEY)
    no_printer = cli("print", "3001", env=env)
    assert no_printer.returncode == 1 and "No printer chosen" in one_line_error(no_printer)
    unknown = cli("print", "3001", "--printer", "999", env=env)
    assert unknown.returncode == 1 and "printer 999" in one_line_error(unknown)
    bad_rules = cli("config", "set", "rules", '[{"when": {"colour": "red"}}]')
    assert bad_rules.returncode == 2 and "Routing rule 1" in one_line_error(bad_rules)
    bad_requeue = cli("jobs", "--requeue", "12345")
    assert bad_requeue.returncode == 1 and "No print job 12345" in one_line_error(bad_requeue)
