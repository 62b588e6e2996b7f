"""The real Qt widgets under pytest-qt (offscreen), over a real store and loopback services."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from slipstation.app import Station
from slipstation.gui.banners import Tone
from slipstation.gui.main_window import BAD_STYLE, OK_STYLE, MainWindow
from slipstation.gui.orders_model import PAGE
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.server import Fault
from slipstation.loopback.shippo import ShippoServer
from slipstation.orders.models import parse_order
from slipstation.timeutil import utc_now
from tests.conftest import synced_printing_station


@pytest.fixture
def station(data_dir: Path, services: dict[str, str],
            shippo_server: ShippoServer) -> Iterator[Station]:
    now = utc_now()
    orders = [
        samples.order("#G1", now - timedelta(hours=1), status="SHIPPED", to=samples.address(
            "Ольга Смирнова", "Невский 28", "Санкт-Петербург", "191186", "RU")),
        samples.order("#G2", now - timedelta(hours=2), status="SHIPPED"),
    ]
    opened = synced_printing_station(data_dir, shippo_server, orders)
    yield opened
    opened.close()


def test_orders_view_and_search(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 2, timeout=5000)
    assert window.orders.model.order_at(0).order.display_number == "#G1"
    window.orders.search.setText("смирнова")  # QTest types ASCII only; a paste is the same event
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 1, timeout=5000)
    window.orders.search.clear()
    window.orders.status_filter.setCurrentText("PAID")
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 0, timeout=5000)
    assert window.scan.hasFocus() or window.focusWidget() in (window.scan, window.orders.search,
                                                              window.orders.status_filter)


def test_orders_model_is_lazy(window: MainWindow, station: Station, qtbot: QtBot) -> None:
    """Pages of PAGE rows, each read on a worker thread; a page for filters that changed
    meanwhile is dropped."""
    now = utc_now()
    raws = [samples.order(f"#B{i}", now - timedelta(minutes=i), seed=f"bulk{i}")
            for i in range(1200)]
    station.order_store.upsert([(parse_order(raw), raw) for raw in raws])
    model, root = window.orders.model, window.orders.view.rootIndex()
    window.orders.reload()
    qtbot.waitUntil(lambda: model.total == 1202, timeout=5000)
    assert model.rowCount() == PAGE and model.canFetchMore(root)
    model.fetchMore(root)
    assert model.rowCount() == PAGE and model.loading, "the page is read off the GUI thread"
    model.fetchMore(root)  # a second scroll while the page is on its way asks nothing more
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE, timeout=5000)
    assert not model.loading
    matching = station.orders.count(text="#B1")  # #B1, #B10…, #B100…, #B1000…
    assert PAGE < matching < 1202
    model.fetchMore(root)
    window.orders.search.setText("#B1")  # the filter changes before the page lands
    qtbot.waitUntil(lambda: model.total == matching, timeout=5000)
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=5000)  # the stale page landed
    assert model.rowCount() == PAGE and model.total == matching


def scan(window: MainWindow, qtbot: QtBot, number: str) -> None:
    """A wedge scanner: the digits, then Enter."""
    qtbot.keyClicks(window.scan, number)
    qtbot.keyClick(window.scan, Qt.Key.Key_Return)


def test_scan_prints_and_an_unknown_order_says_so(window: MainWindow, qtbot: QtBot,
                                                  printnode_server: PrintNodeServer) -> None:
    scan(window, qtbot, "#G2")  # SHIPPED: held until it is scanned again
    qtbot.waitUntil(lambda: window.scan_result.tone is Tone.ASK, timeout=10_000)
    assert "#G2 is SHIPPED — scan again to print anyway" in window.scan_result.text()
    assert window.sounds.last is Tone.ASK
    assert not printnode_server.jobs
    scan(window, qtbot, "#G2")
    qtbot.waitUntil(lambda: "sent to" in window.scan_result.text(), timeout=10_000)
    assert window.scan_result.tone is Tone.OK and window.scan.styleSheet() == OK_STYLE
    assert window.sounds.last is Tone.OK
    assert len(printnode_server.jobs_for("#G2 ")) == 1
    scan(window, qtbot, "NOPE-1")
    qtbot.waitUntil(lambda: window.scan_result.tone is Tone.BAD, timeout=10_000)
    assert window.scan.styleSheet() == BAD_STYLE and window.sounds.last is Tone.BAD
    assert "No order 'NOPE-1'" in window.scan_result.text()
    qtbot.waitUntil(lambda: window.jobs.model.rowCount() == 1, timeout=10_000)


def test_the_frame_shows_before_the_station_and_keeps_what_was_scanned(
        qtbot: QtBot, station: Station, printnode_server: PrintNodeServer) -> None:
    """`slipstation gui` shows the frame first: its buttons wait for the station, and scans
    typed meanwhile are handled, in order, once it is attached."""
    frame = MainWindow()
    qtbot.addWidget(frame)
    frame.show()
    assert not frame.attached and not frame.sync_button.isEnabled()
    assert not frame.actions()  # Ctrl+P, F5…: with the station
    scan(frame, qtbot, "#G2")  # SHIPPED: held, then the second scan goes ahead
    scan(frame, qtbot, "#G2")
    assert frame.scan.text() == "" and not printnode_server.jobs
    assert "2 scan(s) wait their turn" in frame.scan_result.text()
    frame.attach(station, start_engine=False)
    assert frame.sync_button.isEnabled() and len(frame.actions()) == 10
    qtbot.waitUntil(lambda: "sent to" in frame.scan_result.text(), timeout=10_000)
    assert len(printnode_server.jobs_for("#G2 ")) == 1
    frame.tasks.wait(10_000)
    frame.quit()


def test_a_frame_closed_before_its_station_loads_quits(qtbot: QtBot) -> None:
    frame = MainWindow(demo=True)
    qtbot.addWidget(frame)
    assert frame.windowTitle() == "SlipStation — demo"
    frame.show()
    frame.close()
    assert frame.quitting and not frame.attached


def test_pause_resume_and_sync_now(window: MainWindow, qtbot: QtBot, station: Station,
                                   shippo_server: ShippoServer,
                                   printnode_server: PrintNodeServer) -> None:
    window.pause_button.click()
    qtbot.waitUntil(lambda: station.printing.paused, timeout=10_000)
    qtbot.waitUntil(lambda: "Paused" in window.status_label.text(), timeout=10_000)
    shippo_server.add_orders([samples.order("#G3", utc_now() - timedelta(minutes=5))])
    window.sync_button.click()
    qtbot.waitUntil(lambda: "auto-print paused" in window.sync_label.text(), timeout=10_000)
    assert not printnode_server.jobs, "paused: queued, not sent"
    window.pause_button.click()
    qtbot.waitUntil(lambda: "Running" in window.status_label.text(), timeout=10_000)
    window.sync_button.click()
    qtbot.waitUntil(lambda: "printed 1" in window.sync_label.text(), timeout=10_000)
    assert len(printnode_server.jobs_for("#G3 ")) == 1
    assert [a for a in (e.action for e in station.audit.entries()) if a.startswith("print.p")
            or a.startswith("print.r")][:2] == ["print.resume", "print.pause"]


def test_tray_menu_actions(window: MainWindow, qtbot: QtBot, station: Station) -> None:
    tray = window.tray or window.make_tray()
    menu = tray.contextMenu()

    def action(text: str):  # type: ignore[no-untyped-def]
        menu.aboutToShow.emit()  # the menu is rebuilt each time it opens
        return next(a for a in menu.actions() if a.text() == text)

    assert [a.text() for a in menu.actions() if a.text()] == [
        "Open SlipStation", "Pause auto-print", "Sync now", "Print by order number…", "Quit"]
    action("Pause auto-print").trigger()
    qtbot.waitUntil(lambda: station.printing.paused, timeout=10_000)
    action("Resume auto-print").trigger()
    qtbot.waitUntil(lambda: not station.printing.paused, timeout=10_000)
    window.hide()
    action("Open SlipStation").trigger()
    assert window.isVisible()
    action("Sync now").trigger()
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("sync: "), timeout=10_000)
    window.refresh()
    qtbot.waitUntil(lambda: tray.toolTip() == "SlipStation: Running", timeout=10_000)
    assert tray.level == "running"
    window.close()  # with a tray, closing the window only hides it
    assert not window.quitting
    action("Quit").trigger()
    assert window.quitting


def test_window_stays_responsive_during_a_slow_sync(window: MainWindow, qtbot: QtBot,
                                                    shippo_server: ShippoServer) -> None:
    shippo_server.add_fault(Fault(delay=3.0, then_respond=True, path="/orders"))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    window.sync_button.click()
    # While Shippo is still holding the answer, the window takes typing and its timers run.
    qtbot.keyClicks(window.scan, "#G1")
    assert window.scan.text() == "#G1"
    qtbot.wait(500)
    assert not window.sync_button.isEnabled(), "the sync should still be running"
    assert len(ticks) >= 3
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("sync: "), timeout=15_000)
    timer.stop()


def test_sync_now_asks_the_running_engine(qtbot: QtBot, station: Station,
                                          shippo_server: ShippoServer) -> None:
    main = MainWindow(station, start_engine=True)
    qtbot.addWidget(main)
    try:
        if main.tray is None:  # offscreen has no tray: the window says so once
            assert main.statusBar().currentMessage().startswith("No system tray")
        qtbot.waitUntil(lambda: main.sync_label.text().startswith("sync: "), timeout=10_000)
        shippo_server.add_orders([samples.order("#G9", utc_now() - timedelta(minutes=1),
                                                status="SHIPPED")])
        main.sync_button.click()  # the next scheduled cycle is a minute away: this is run_now
        qtbot.waitUntil(lambda: "new 1" in main.sync_label.text(), timeout=10_000)
        assert main.sync_button.isEnabled()
    finally:
        main.tasks.wait(10_000)
        main.quit()
