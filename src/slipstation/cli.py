"""The command line: a thin face over `Station`. Exit 0 ok, 1 runtime error, 2 usage error;
errors are one line on stderr, with a traceback only under --debug."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from slipstation import __version__
from slipstation.app import (
    ORDER_STATUSES,
    PAPERS,
    Secret,
    SlipStationError,
    StationPaths,
    UsageError,
    configure_logging,
    resolve_data_dir,
    scrub,
    shutdown_logging,
    to_iso,
)

if TYPE_CHECKING:  # the station is loaded once the command is known (the window shows first)
    from slipstation.app import JobRow, Station, StoredOrder

log = logging.getLogger("slipstation.cli")
Handler = Callable[["Station", argparse.Namespace], int]


MAX_ID = 2 ** 63 - 1  # PrintNode ids and our own job ids are 64-bit integers


def _whole_number(low: int, high: int, said: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (a usage error otherwise)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text[:30]} is out of range ({said})")
        return value
    return parse


_id = _whole_number(1, MAX_ID, "1 to 2^63-1")  # a PrintNode or job id
_count = _whole_number(0, 1_000_000, "0 to 1,000,000")  # a count or limit


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _out(text: str = "") -> None:
    print(text, flush=True)


# -- handlers ----------------------------------------------------------------------------------
def _read_secret(which: Secret) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{which.value.capitalize()} API key (input hidden): ")
    if sys.stdin is None:
        raise UsageError("No key on standard input; pipe it in or run in a terminal.")
    return sys.stdin.read()


def cmd_keys_set(station: Station, args: argparse.Namespace) -> int:
    which = Secret(args.service)
    masked = station.keys.set(which, _read_secret(which))
    _out(f"{which.value} key stored: {masked}")
    return 0


def cmd_keys_status(station: Station, args: argparse.Namespace) -> int:
    statuses = station.keys.status()
    if args.json:
        _out(json.dumps({"location": station.keys.location,
                         "keys": {s.name.value: s.masked for s in statuses}}, indent=2))
        return 0
    for status in statuses:
        _out(f"{status.name.value:<10} {status.masked}")
    _out(f"stored in: {station.keys.location}")
    return 0


def cmd_keys_clear(station: Station, _args: argparse.Namespace) -> int:
    cleared = station.keys.clear()
    _out(f"cleared: {', '.join(cleared)}" if cleared else "no API keys were set")
    return 0


def cmd_config_show(station: Station, args: argparse.Namespace) -> int:
    items = station.config.items()
    if args.json:
        _out(json.dumps({i.setting.key: i.value for i in items}, indent=2, ensure_ascii=False))
        return 0
    width = max(len(i.setting.key) for i in items)
    for item in items:
        origin = "  (default)" if item.is_default else ""
        _out(f"{item.setting.key:<{width}}  {item.text}{origin}")
    return 0


def cmd_config_set(station: Station, args: argparse.Namespace) -> int:
    item = station.config.set(args.key, args.value)
    _out(f"{item.setting.key} = {item.text}")
    return 0


def cmd_sync(station: Station, _args: argparse.Namespace) -> int:
    summary = station.sync.run()
    _out(f"sync: {summary.line()}")
    return 0


def cmd_run(station: Station, _args: argparse.Namespace) -> int:
    from slipstation.app import run_service  # the scheduler: only for `run`

    return run_service(station, log_to_stderr=True)


def order_json(stored: StoredOrder) -> dict[str, object]:
    order = stored.order
    to = order.to_address
    return {
        "order_number": order.display_number,
        "object_id": order.object_id,
        "status": order.status,
        "placed_at": to_iso(order.placed_at),
        "ship_to": {"name": to.name, "company": to.company, "street1": to.street1,
                    "city": to.city, "state": to.state, "zip": to.zip, "country": to.country},
        "items": [{"sku": i.sku, "title": i.title, "variant": i.variant_title or None,
                   "quantity": i.quantity} for i in order.line_items],
        "item_count": order.item_count,
        "shipping_method": order.shipping_method,
        "print_count": stored.print_count,
    }


def cmd_orders(station: Station, args: argparse.Namespace) -> int:
    if args.status and args.status.upper() not in ORDER_STATUSES:
        raise UsageError(f"Unknown status {args.status!r}; use one of {', '.join(ORDER_STATUSES)}.")
    found = station.orders.search(status=args.status, text=args.search,
                                  limit=args.limit or -1)
    if args.json:
        _out(json.dumps([order_json(s) for s in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        _out("no orders")
        return 0
    for stored in found:
        order = stored.order
        _out(f"{order.display_number:<14} {order.status:<19} {to_iso(order.placed_at)}  "
             f"{order.to_address.name[:28]:<28} {order.to_address.country:<2} "
             f"items {order.item_count:<4} printed {stored.print_count}")
    return 0


def cmd_render(station: Station, args: argparse.Namespace) -> int:
    numbers = list(args.order_numbers)
    if not numbers and not args.all:
        raise UsageError("Name at least one order number, or --all.")
    target = Path(args.output)
    if len(numbers) == 1 and not args.all:
        stored, path = station.orders.save_slip(numbers[0], target)
        _out(f"{stored.order.display_number}: {path}")
        return 0
    if target.exists() and not target.is_dir():
        raise UsageError(f"With several orders -o names a folder; {target} is a file.")
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SlipStationError(f"Cannot make the folder {target}: {exc.strerror}.") from None
    for stored, path in station.orders.save_slips(list(args.order_numbers), target,
                                                  every=args.all):
        _out(f"{stored.order.display_number}: {path}")
    return 0


def cmd_picklist(station: Station, args: argparse.Namespace) -> int:
    numbers = list(args.order_numbers)
    if not args.output and not args.print:
        raise UsageError("Say where the pick list goes: -o FILE, --print, or both.")
    if args.output:
        station.orders.save_picklist(numbers, Path(args.output), args.paper)
        _out(f"pick list for {len(numbers)} orders: {args.output}")
    if args.print:
        outcome = station.printing.print_picklist(numbers, printer=args.printer,
                                                  paper=args.paper)
        if not outcome.accepted:
            print(f"slipstation: {scrub(outcome.line())}", file=sys.stderr)
            return 1
        _out(outcome.line())
    return 0


def cmd_bins_import(station: Station, args: argparse.Namespace) -> int:
    count = station.bins.import_csv(Path(args.file))
    _out(f"imported {count} bin location(s); slips and pick lists follow them")
    return 0


def cmd_bins_export(station: Station, args: argparse.Namespace) -> int:
    count = station.bins.export_csv(Path(args.output))
    _out(f"exported {count} bin location(s): {args.output}")
    return 0


def cmd_printers(station: Station, args: argparse.Namespace) -> int:
    printers = station.printing.printers()
    chosen = station.config.get("printer")
    if args.json:
        _out(json.dumps([{"id": p.id, "name": p.name, "state": p.state,
                          "computer": p.computer_name, "computer_state": p.computer_state,
                          "papers": sorted(p.papers), "chosen": p.id == chosen}
                         for p in printers], indent=2, ensure_ascii=False))
        return 0
    for printer in printers:
        mark = "*" if printer.id == chosen else " "
        _out(f"{mark} {printer.id:<10} {printer.state:<13} {printer.name} "
             f"(on {printer.computer_name or '?'}: {printer.computer_state or '?'})")
    if not printers:
        _out("no printers on this PrintNode account")
    return 0


def cmd_print(station: Station, args: argparse.Namespace) -> int:
    """Exit 0 only when PrintNode accepted the print (or already had this order's slip)."""
    outcome = station.printing.print_order(args.order_number, copies=args.copies,
                                           printer=args.printer)
    if outcome.accepted:
        _out(outcome.line())
        return 0
    print(f"slipstation: {scrub(outcome.line())}", file=sys.stderr)
    return 1


def cmd_label(station: Station, args: argparse.Namespace) -> int:
    """Exit 0 only when PrintNode accepted every label of the order."""
    outcomes = station.printing.print_label(args.order_number, printer=args.printer)
    for outcome in outcomes:
        if outcome.accepted:
            _out(outcome.line())
        else:
            print(f"slipstation: {scrub(outcome.line())}", file=sys.stderr)
    return 0 if all(outcome.accepted for outcome in outcomes) else 1


def cmd_pack(station: Station, args: argparse.Namespace) -> int:
    """Exit 0 (and print) only when every item was scanned and the prints were accepted;
    exit 1 naming what is missing or wrong, with nothing printed."""
    if args.skip_verification is not None:
        report = station.packing.skip(args.order_number, args.skip_verification,
                                      packer=args.packer or "", again=args.again)
    else:
        if not args.scan:
            raise UsageError("Scan each item: --scan CODE (once per item), or "
                             "--skip-verification REASON.")
        report = station.packing.pack(args.order_number, list(args.scan),
                                      packer=args.packer or "", again=args.again)
    for outcome in report.prints:
        line = outcome.line()
        print(line if outcome.accepted else f"slipstation: {scrub(line)}",
              file=sys.stdout if outcome.accepted else sys.stderr)
    if report.accepted:
        _out(f"{report.number} packed")
    return 0 if report.accepted else 1


def cmd_pause(station: Station, _args: argparse.Namespace) -> int:
    station.printing.set_paused(True)
    _out("auto-print paused on this station (every process, until `slipstation resume`); "
         "manual prints still go")
    return 0


def cmd_resume(station: Station, _args: argparse.Namespace) -> int:
    station.printing.set_paused(False)
    _out("auto-print resumed")
    return 0


def cmd_status(station: Station, args: argparse.Namespace) -> int:
    status = station.status.now()
    if args.json:
        _out(json.dumps({"level": status.level.value, "paused": status.paused,
                         "missing": list(status.missing),
                         "sync_outcome": status.sync_outcome.value,
                         "last_sync": status.last_sync, "queued": status.queued,
                         "printed_today": status.printed_today, "failures": status.failures,
                         "packed_today": status.packed_today},
                        indent=2, ensure_ascii=False))
        return 0
    _out(f"{status.level.value}{' (auto-print paused)' if status.paused else ''}")
    if status.missing:
        _out(f"needs setup: {', '.join(status.missing)}")
    _out(f"last sync: {status.last_sync}")
    _out(f"queue {status.queued} · printed today {status.printed_today} · "
         f"packed here today {status.packed_today} · failures {status.failures}")
    return 0


def cmd_jobs(station: Station, args: argparse.Namespace) -> int:
    def requeue(job_id: int) -> JobRow:
        return station.printing.requeue(job_id, args.printer)

    actions: list[tuple[int | None, Callable[[int], JobRow], str]] = [
        (args.requeue, requeue, "re-queued"), (args.cancel, station.printing.cancel, "cancelled"),
        (args.dismiss, station.printing.dismiss, "dismissed")]
    chosen = [(job_id, act, word) for job_id, act, word in actions if job_id is not None]
    if len(chosen) > 1:
        raise UsageError("Use one of --requeue, --cancel or --dismiss at a time.")
    if args.printer is not None and args.requeue is None:
        raise UsageError("--printer goes with --requeue.")
    if chosen:
        job_id, act, word = chosen[0]
        job = act(job_id)
        _out(f"job {job.id} {word}: {job.state}")
        return 0
    jobs = station.printing.jobs(limit=args.limit or 1_000_000)
    if args.json:
        _out(json.dumps([j.to_json() for j in jobs], indent=2, ensure_ascii=False))
        return 0
    for job in jobs:
        remote = f" PrintNode {job.printnode_job_id} {job.printnode_state}".rstrip() \
            if job.printnode_job_id else ""
        problem = f" — {job.last_error}" if job.last_error else ""
        _out(f"{job.id:<6} {job.order_number:<14} {job.kind:<8} {job.state:<12} "
             f"x{job.copies}{remote}{problem}")
    if not jobs:
        _out("no print jobs")
    return 0


def cmd_purge(station: Station, args: argparse.Namespace) -> int:
    counts = station.privacy.purge(dry_run=args.dry_run)
    _out(("would delete " if args.dry_run else "deleted ") + counts.line())
    return 0


def cmd_export(station: Station, args: argparse.Namespace) -> int:
    target = Path(args.output)
    if args.email:
        if args.format:
            raise UsageError("Use either --format or --email, not both.")
        count = station.privacy.export_customer(args.email, target)
        _out(f"exported {count} order(s) of that customer to {target}")
        return 0
    if not args.format:
        raise UsageError("Say what to export: --format json|csv, or --email EMAIL.")
    count = station.privacy.export(args.format, target)
    _out(f"exported {count} order(s) as {args.format} to {target}")
    return 0


def cmd_redact(station: Station, args: argparse.Namespace) -> int:
    count = station.privacy.redact(args.email)
    _out(f"redacted that customer in {count} order(s)")
    return 0


def cmd_delete_order(station: Station, args: argparse.Namespace) -> int:
    station.privacy.delete_order(args.order_number)
    _out(f"deleted order {args.order_number}")
    return 0


def cmd_delete_orders(station: Station, _args: argparse.Namespace) -> int:
    _out(f"deleted {station.privacy.delete_all_orders()} order(s); keys and settings kept")
    return 0


def cmd_reset_config(station: Station, _args: argparse.Namespace) -> int:
    count = station.privacy.reset_config()
    _out(f"API keys removed and {count} setting(s) reset to defaults; orders kept")
    return 0


def cmd_delete_all(station: Station, args: argparse.Namespace) -> int:
    station.privacy.delete_all(args.confirm)
    _out(f"deleted the database, its key, the API keys and the logs of {station.paths.data_dir}")
    return 0


def _with_demo(station: Station, handler: Handler, args: argparse.Namespace) -> int:
    from slipstation.app import start_demo

    demo = start_demo(station)
    print(f"demo: offline Shippo and PrintNode; printed slips land in {demo.printed_dir}",
          file=sys.stderr, flush=True)
    try:
        return handler(station, args)
    finally:
        demo.stop()


def cmd_doctor(station: Station, _args: argparse.Namespace) -> int:
    from slipstation.app import CheckLevel, run_checks

    failed = 0
    for check in run_checks(station):
        _out(scrub(check.line))
        failed += check.level is CheckLevel.FAIL
    _out(f"{failed} problem(s) found" if failed else "all checks passed")
    return 1 if failed else 0


def cmd_autostart(station: Station, args: argparse.Namespace) -> int:
    if args.state is not None:
        station.config.set_autostart(args.state == "on")
    enabled, command = station.config.autostart()
    _out(f"start at login: {'on' if enabled else 'off'} ({' '.join(command)})")
    return 0


def cmd_gui(station: Station, args: argparse.Namespace) -> int:
    from slipstation.gui.app import run_gui

    return run_gui(station, tray_only=bool(getattr(args, "tray", False)),
                   frame=getattr(args, "frame", None))


# -- parser ------------------------------------------------------------------------------------
def build_parser() -> _Parser:
    parser = _Parser(prog="slipstation",
                     description="Packing slips for Shippo orders, printed through PrintNode.")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="profile directory (default: the platform's data dir, or "
                             "$SLIPSTATION_DATA_DIR)")
    parser.add_argument("--demo", action="store_true",
                        help="offline demo: sample orders, printing to PDF files")
    parser.add_argument("--debug", action="store_true", help="verbose log on stderr, tracebacks")
    parser.add_argument("--version", action="version", version=f"slipstation {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Handler, help_text: str) -> _Parser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    gui = add("gui", cmd_gui, "open the window (the default command)")
    gui.add_argument("--tray", action="store_true", help="start hidden in the system tray")
    add("run", cmd_run, "headless service until SIGINT/SIGTERM")
    add("sync", cmd_sync, "one sync cycle now: pull, store, auto-print")
    add("pause", cmd_pause, "pause auto-print in every process of this station")
    add("resume", cmd_resume, "resume auto-print")
    status = add("status", cmd_status, "running / paused / needs attention, queue, failures")
    status.add_argument("--json", action="store_true")
    startup = add("autostart", cmd_autostart,
                  "start in the tray at login (XDG autostart, Windows Run key, LaunchAgent)")
    startup.add_argument("state", nargs="?", choices=["on", "off"], help="omit to show")
    add("doctor", cmd_doctor, "check keyring, database, fonts, Shippo, PrintNode, printer")

    keys = add("keys", _group_help("keys"), "API keys in the OS keyring")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", parser_class=_Parser)
    key_set = keys_sub.add_parser("set", help="store a key read from stdin or a hidden prompt")
    key_set.add_argument("service", choices=[s.value for s in (Secret.SHIPPO, Secret.PRINTNODE)])
    key_set.set_defaults(handler=cmd_keys_set)
    key_status = keys_sub.add_parser("status", help="show each key masked and where it lives")
    key_status.add_argument("--json", action="store_true")
    key_status.set_defaults(handler=cmd_keys_status)
    keys_sub.add_parser("clear", help="remove both API keys").set_defaults(handler=cmd_keys_clear)

    config = add("config", _group_help("config"), "settings")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION",
                                       parser_class=_Parser)
    show = config_sub.add_parser("show", help="every setting and its value")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_config_show)
    config_set = config_sub.add_parser("set", help="change a setting (validated)")
    config_set.add_argument("key")
    config_set.add_argument("value")
    config_set.set_defaults(handler=cmd_config_set)

    printers = add("printers", cmd_printers, "PrintNode printers and their state")
    printers.add_argument("--json", action="store_true")
    orders = add("orders", cmd_orders, "list stored orders, newest first")
    orders.add_argument("--status", metavar="S")
    orders.add_argument("--search", metavar="Q", help="order number, name, email or SKU")
    orders.add_argument("--limit", type=_count, default=0, metavar="N", help="at most N (0 = all)")
    orders.add_argument("--json", action="store_true")
    jobs = add("jobs", cmd_jobs, "print jobs and their states, newest first")
    jobs.add_argument("--json", action="store_true")
    jobs.add_argument("--limit", type=_count, default=0, metavar="N", help="at most N (0 = all)")
    jobs.add_argument("--requeue", type=_id, metavar="ID",
                      help="send a failed, unconfirmed, skipped, cancelled or dismissed job "
                      "again, to the printer chosen now (or --printer)")
    jobs.add_argument("--printer", type=_id, metavar="ID", help="with --requeue")
    jobs.add_argument("--cancel", type=_id, metavar="ID", help="cancel a job not sent yet")
    jobs.add_argument("--dismiss", type=_id, metavar="ID",
                      help="settle a failed or unconfirmed job (it stops needing attention)")

    render = add("render", cmd_render, "render slips to PDF (several or --all: -o is a folder)")
    render.add_argument("order_numbers", nargs="*", metavar="ORDER_NUMBER")
    render.add_argument("--all", action="store_true", help="every stored order")
    render.add_argument("-o", "--output", required=True, metavar="FILE")
    print_ = add("print", cmd_print, "print (or reprint) an order's slip now")
    print_.add_argument("order_number", metavar="ORDER_NUMBER")
    print_.add_argument("--copies", type=_count, default=1)
    print_.add_argument("--printer", type=_id, metavar="ID")
    label = add("label", cmd_label, "print the order's Shippo shipping label(s) now")
    label.add_argument("order_number", metavar="ORDER_NUMBER")
    label.add_argument("--printer", type=_id, metavar="ID", help="default: label_printer")
    pack = add("pack", cmd_pack, "verify an order's items by scan, then print and record it")
    pack.add_argument("order_number", metavar="ORDER_NUMBER")
    pack.add_argument("--scan", action="append", metavar="CODE",
                      help="a scanned SKU or product barcode (once per item)")
    pack.add_argument("--packer", metavar="NAME", help="who packed it (optional)")
    pack.add_argument("--again", action="store_true", help="pack an order packed before")
    pack.add_argument("--skip-verification", metavar="REASON",
                      help="pack without scanning items (the reason is recorded)")
    picklist = add("picklist", cmd_picklist, "pick list (SKUs summed) for orders")
    picklist.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
    picklist.add_argument("-o", "--output", metavar="FILE")
    picklist.add_argument("--print", action="store_true", help="print it now (exactly once)")
    picklist.add_argument("--printer", type=_id, metavar="ID")
    picklist.add_argument("--paper", choices=PAPERS, help="default: the station's paper")
    bins = add("bins", _group_help("bins"), "bin locations per SKU (a CSV: sku, barcode, bin)")
    bins_sub = bins.add_subparsers(dest="bins_command", metavar="ACTION", parser_class=_Parser)
    bins_import = bins_sub.add_parser("import", help="replace the bins with a CSV file's "
                                      "(all lines or none)")
    bins_import.add_argument("file", metavar="FILE.csv")
    bins_import.set_defaults(handler=cmd_bins_import)
    bins_export = bins_sub.add_parser("export", help="write the bins as CSV")
    bins_export.add_argument("-o", "--output", required=True, metavar="FILE")
    bins_export.set_defaults(handler=cmd_bins_export)

    purge = add("purge", cmd_purge, "delete history older than the tier")
    purge.add_argument("--dry-run", action="store_true")
    export = add("export", cmd_export, "export data (JSON/CSV)")
    export.add_argument("--format", choices=["json", "csv"])
    export.add_argument("--email", metavar="EMAIL")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    redact = add("redact", cmd_redact, "redact one customer")
    redact.add_argument("--email", required=True, metavar="EMAIL")
    delete_order = add("delete-order", cmd_delete_order,
                       "delete one order")
    delete_order.add_argument("order_number", metavar="ORDER_NUMBER")
    delete_orders = add("delete-orders", cmd_delete_orders,
                        "delete all orders")
    delete_orders.add_argument("--all", action="store_true", required=True)
    add("reset-config", cmd_reset_config,
        "remove API keys and settings, keep orders")
    delete_all = add("delete-all", cmd_delete_all,
                     "remove the database, its key, the API keys and the logs")
    delete_all.add_argument("--confirm", metavar="DELETE")
    return parser


def _group_help(name: str) -> Handler:
    def handler(_station: Station, _args: argparse.Namespace) -> int:
        raise UsageError(f"`slipstation {name}` needs an action (see `slipstation {name} --help`)")
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    station: Station | None = None
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    try:
        args = parser.parse_args(argv)
        data_dir = resolve_data_dir(args.data_dir, demo=args.demo)
        if args.demo:
            from slipstation.app import demo_data_dir

            data_dir, cleanup = demo_data_dir(data_dir)
        handler: Handler = getattr(args, "handler", None) or build_handler_default()
        paths = StationPaths(data_dir)
        paths.ensure()
        configure_logging(paths.log_file, debug=args.debug)
        if handler is cmd_gui and not getattr(args, "tray", False):
            # The window's frame shows first; the station and its tabs load behind it.
            from slipstation.gui.app import show_frame

            args.frame = show_frame(demo=args.demo)
        from slipstation.app import Station

        station = Station(data_dir, demo=args.demo)
        if args.demo and handler not in _OFFLINE_COMMANDS:
            return _with_demo(station, handler, args)
        return handler(station, args)
    except SlipStationError as exc:
        log.info("command failed: %s", exc.message)
        print(f"slipstation: {scrub(exc.message)}", file=sys.stderr)
        if debug:
            raise
        return exc.exit_code
    except KeyboardInterrupt:
        print("slipstation: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `slipstation jobs | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        log.exception("unexpected error")
        if debug:
            raise
        print(f"slipstation: unexpected error ({type(exc).__name__}); rerun with --debug for "
              "details", file=sys.stderr)
        return 1
    finally:
        if station is not None:
            station.close()
        shutdown_logging()
        cleanup()


# Commands that never talk to Shippo or PrintNode need no demo services.
_OFFLINE_COMMANDS: set[Handler] = set()


def build_handler_default() -> Handler:
    """No command means the GUI, as DESIGN.md's contract says."""
    return cmd_gui


_OFFLINE_COMMANDS.update({cmd_keys_set, cmd_keys_status, cmd_keys_clear, cmd_config_show,
                          cmd_config_set, cmd_orders, cmd_jobs, cmd_render, cmd_picklist,
                          cmd_bins_import, cmd_bins_export,
                          cmd_purge, cmd_export, cmd_redact, cmd_delete_order,
                          cmd_delete_orders, cmd_reset_config, cmd_delete_all,
                          cmd_autostart, cmd_pause, cmd_resume, cmd_status})
