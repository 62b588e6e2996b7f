"""The GUI's screens driven as a packer or owner would: the order detail pane with its slip,
multi-select actions, print jobs, settings with live preview, privacy with typed confirmation,
and the first-run flow. Real widgets (offscreen), real store, loopback Shippo and PrintNode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from slipstation.app import Station
from slipstation.credentials import Secret
from slipstation.gui.main_window import MainWindow
from slipstation.gui.privacy_tab import ConfirmDialog
from slipstation.gui.tasks import Tasks
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import FAST_RETRY, PRINTNODE_KEY, SHIPPO_KEY, synced_printing_station
from tests.slip_reading import page_sizes, pdf_text

WAIT = 10_000


@pytest.fixture
def station(data_dir: Path, services: dict[str, str],
            shippo_server: ShippoServer) -> Iterator[Station]:
    now = utc_now()
    orders = [
        samples.order("#S1", now - timedelta(hours=1), status="SHIPPED", to=samples.address(
            "Jürgen Weiß", "Hauptstraße 5", "Köln", "50667", "DE", email="j@example.de"),
            items=[samples.line_item("Teekanne", "POT-1", 2), samples.line_item("Tasse", "CUP-2")]),
        samples.order("#S2", now - timedelta(hours=2), status="SHIPPED"),
    ]
    opened = synced_printing_station(data_dir, shippo_server, orders)
    yield opened
    opened.close()


def status_message(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def answer_next_dialog(fill: callable) -> None:  # type: ignore[valid-type]
    """Act on the modal dialog the next click opens, as a person would."""
    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, act)
            return
        fill(dialog)
    QTimer.singleShot(50, act)


def test_selecting_an_order_shows_its_details_and_the_slip(window: MainWindow,
                                                           qtbot: QtBot) -> None:
    window.orders.select_rows([0])
    qtbot.waitUntil(lambda: window.orders.preview.page_count == 1, timeout=WAIT)
    assert "Slip for #S1" in window.orders.preview.caption.text()
    details = window.orders.details.text()
    assert "Jürgen Weiß" in details and "2 × Teekanne" in details and "not printed" in details
    window.orders.select_rows([0, 1])
    assert "2 orders selected" in window.orders.details.text()
    assert window.orders.preview.page_count == 0


def test_multi_select_print_then_printed_filter(window: MainWindow, qtbot: QtBot,
                                                printnode_server: PrintNodeServer) -> None:
    asked: list[str] = []

    def yes(dialog: QMessageBox) -> None:
        asked.append(dialog.text())
        dialog.button(QMessageBox.StandardButton.Yes).click()

    window.orders.select_rows([0, 1])
    answer_next_dialog(yes)
    window.orders.print_button.click()
    qtbot.waitUntil(lambda: "Sent 2 of 2" in status_message(window), timeout=WAIT)
    assert asked == ["Print 2 slip(s): 2 SHIPPED?"]
    assert len(printnode_server.jobs_for("#S1 ")) == 1
    assert len(printnode_server.jobs_for("#S2 ")) == 1
    window.station.printing.refresh()  # PrintNode marks them done
    window.orders.printed_filter.setCurrentText("Not printed")
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 0, timeout=WAIT)
    window.orders.printed_filter.setCurrentText("Printed")
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 2, timeout=WAIT)
    # Printing again is a reprint, recorded as such.
    window.orders.select_rows([1])
    answer_next_dialog(yes)
    window.orders.print_button.click()
    qtbot.waitUntil(lambda: "Sent 1 of 1" in status_message(window), timeout=WAIT)
    assert asked[-1] == "Print 1 slip(s): 1 SHIPPED, 1 printed before (reprints)?"
    assert len(printnode_server.jobs_for("Reprint #S2 ")) == 1


def test_pick_list_for_the_selection(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "pick.pdf"
    window.orders.select_rows([0, 1])
    window.orders.save_picklist(target)
    qtbot.waitUntil(target.exists, timeout=WAIT)
    text = pdf_text(target.read_bytes())
    assert "POT-1" in text and "HM-123" in text and "#S1" in text and "#S2" in text
    assert target.stat().st_mode & 0o777 == 0o600


def test_print_pick_list_for_the_selection(window: MainWindow, qtbot: QtBot,
                                           printnode_server: PrintNodeServer) -> None:
    before = len(printnode_server.jobs)
    window.orders.select_rows([0, 1])
    assert window.orders.print_picklist_button.isEnabled()
    window.orders.print_picklist_button.click()
    qtbot.waitUntil(lambda: "Pick list 2 orders" in status_message(window), timeout=WAIT)
    assert "sent to" in status_message(window)
    assert len(printnode_server.jobs) == before + 1


def test_delete_asks_first_and_cancel_keeps_the_order(window: MainWindow, qtbot: QtBot,
                                                      station: Station) -> None:
    window.orders.select_rows([1])
    answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    window.orders.delete_button.click()
    assert station.orders.count() == 2
    answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    window.orders.delete_button.click()
    qtbot.waitUntil(lambda: station.orders.count() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 1, timeout=WAIT)
    assert station.orders.find("#S1")


def test_failed_job_is_requeued_from_the_jobs_view(window: MainWindow, qtbot: QtBot,
                                                   station: Station,
                                                   printnode_server: PrintNodeServer) -> None:
    job = station.printing.print_order("#S1").job
    printnode_server.set_job_state(job.printnode_job_id, "error", "Paper jam")
    station.printing.refresh()
    window.refresh()
    jobs = window.jobs
    qtbot.waitUntil(lambda: any(j.id == job.id and j.state == "failed" for j in jobs.jobs),
                    timeout=WAIT)
    row = next(i for i, j in enumerate(jobs.jobs) if j.id == job.id)
    assert jobs.jobs[row].state == "failed" and "Paper jam" in jobs.model.index(row, 8).data()
    assert not jobs.requeue_button.isEnabled()
    jobs.table.selectRow(row)
    assert jobs.requeue_button.isEnabled()
    jobs.requeue_button.click()
    qtbot.waitUntil(lambda: "Re-queued: job" in status_message(window), timeout=WAIT)
    assert len(printnode_server.jobs_for("#S1 ")) == 2
    assert station.queue.job(job.id).state in ("submitted", "done")


def test_settings_are_not_saved_before_the_stored_ones_show(qtbot: QtBot,
                                                            station: Station) -> None:
    """The form loads on a worker: until the stored values are in it, Save is off, and a save
    (Enter in a field) writes nothing over them."""
    station.config.set("paper", "a4")
    station.config.set("printer", "71")
    main = MainWindow(station, start_engine=False)
    qtbot.addWidget(main)
    settings = main.settings
    assert not settings.loaded and not settings.save_button.isEnabled()
    settings.save()
    assert "still loading" in settings.result.text()
    qtbot.waitUntil(lambda: settings.loaded, timeout=WAIT)
    assert settings.save_button.isEnabled() and settings.paper.currentText() == "a4"
    assert (station.settings.get("paper"), station.settings.get("printer")) == ("a4", 71)
    main.tasks.wait(WAIT)
    main.quit()


def test_settings_save_validates_everything_first(window: MainWindow, qtbot: QtBot,
                                                  station: Station) -> None:
    settings = window.settings
    settings.paper.setCurrentText("a4")
    settings.rules.setPlainText("[{ not json")
    settings.save_button.click()
    assert settings.result.text().startswith("✘ Routing rules must be a JSON list")
    assert station.settings.get("paper") == "4x6"  # nothing written
    settings.rules.setPlainText('[{"name": "gift", "when": {"sku_prefix": "GIFT-"}, '
                                '"skip": true}]')
    settings.show_prices.setChecked(True)
    settings.backlog_hours.setValue(48)
    settings.save_button.click()
    qtbot.waitUntil(lambda: settings.result.text().startswith("✔ Saved"), timeout=WAIT)
    assert station.settings.get("paper") == "a4"
    assert station.settings.get("show_prices") is True
    assert station.settings.get("backlog_hours") == 48
    assert station.settings.get("rules")[0]["name"] == "gift"
    assert "config.set" in [e.action for e in station.audit.entries()]


def test_live_preview_follows_the_form_before_saving(window: MainWindow, qtbot: QtBot,
                                                     station: Station) -> None:
    settings = window.settings
    qtbot.waitUntil(lambda: settings.preview.page_count >= 1, timeout=WAIT)
    size = settings.preview.document.pagePointSize(0)
    assert (round(size.width()), round(size.height())) == (288, 432)
    settings.paper.setCurrentText("letter")
    qtbot.waitUntil(lambda: round(settings.preview.document.pagePointSize(0).width()) == 612,
                    timeout=WAIT)
    assert station.settings.get("paper") == "4x6"  # a preview changes nothing
    pdf = station.orders.preview_slip(None, {"paper": "letter", "show_prices": "true"})
    assert page_sizes(pdf) == [(612.0, 792.0)] and "TEST-PRINT" in pdf_text(pdf)


def test_keys_test_connection_and_printer_picker(window: MainWindow, qtbot: QtBot,
                                                 station: Station,
                                                 printnode_server: PrintNodeServer) -> None:
    shippo = window.settings.shippo_key
    assert shippo.entry.echoMode() == shippo.entry.EchoMode.Password
    assert SHIPPO_KEY not in shippo.entry.placeholderText()
    shippo.test_button.click()
    qtbot.waitUntil(lambda: "key accepted" in shippo.result.text(), timeout=WAIT)
    shippo.entry.setText("shippo_test_notthekey000000000")
    shippo.test_button.click()
    qtbot.waitUntil(lambda: "Shippo key rejected" in shippo.result.text(), timeout=WAIT)
    assert station.credentials.get(Secret.SHIPPO) == SHIPPO_KEY  # testing stores nothing

    printnode_server.set_printer_state(72, "offline")
    picker = window.settings.printer
    picker.load_button.click()
    qtbot.waitUntil(lambda: picker.combo.count() == 3, timeout=WAIT)
    labels = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert "Zebra ZD420 (4x6) on PACKING-PC-1 — online (#71)" in labels
    assert any("Office laser" in label and "offline" in label for label in labels)
    assert picker.chosen() == 71
    picker.test_button.click()
    qtbot.waitUntil(lambda: "Test slip sent" in picker.state.text(), timeout=WAIT)
    test_jobs = printnode_server.jobs_for("Test print")
    assert len(test_jobs) == 1 and "TEST-PRINT" in pdf_text(test_jobs[0].pdf())


def test_offline_printer_shows_in_the_header(window: MainWindow, station: Station,
                                             qtbot: QtBot,
                                             printnode_server: PrintNodeServer) -> None:
    printnode_server.set_printer_state(71, "offline")
    station.printing.refresh()
    window.refresh()
    qtbot.waitUntil(lambda: "Needs attention" in window.status_label.text(), timeout=WAIT)
    assert "printer Zebra ZD420 (4x6) is offline" in window.status_label.text()
    printnode_server.set_printer_state(71, "online")
    station.printing.refresh()
    window.refresh()
    qtbot.waitUntil(lambda: "Running" in window.status_label.text(), timeout=WAIT)


def test_confirm_dialog_needs_the_tick_and_the_exact_word(qtbot: QtBot) -> None:
    dialog = ConfirmDialog(None, "Delete all data", "Everything goes.", "DELETE")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled() and not dialog.typed.isEnabled()
    dialog.understand.setChecked(True)
    qtbot.keyClicks(dialog.typed, "delete")
    assert not dialog.ok_button.isEnabled()
    dialog.typed.setText("DELETE")
    assert dialog.ok_button.isEnabled() and dialog.confirmed
    dialog.understand.setChecked(False)
    assert not dialog.ok_button.isEnabled()


def confirm_with(word: str) -> callable:  # type: ignore[valid-type]
    def fill(dialog: ConfirmDialog) -> None:
        dialog.understand.setChecked(True)
        dialog.typed.setText(word)
        dialog.ok_button.click()
    return fill


def test_privacy_export_redact_and_delete(window: MainWindow, qtbot: QtBot, station: Station,
                                          tmp_path: Path) -> None:
    privacy = window.privacy
    target = tmp_path / "all.json"
    privacy.export("json", target)
    qtbot.waitUntil(target.exists, timeout=WAIT)
    assert target.stat().st_mode & 0o777 == 0o600
    assert "Jürgen Weiß" in target.read_text(encoding="utf-8")
    assert SHIPPO_KEY not in target.read_text(encoding="utf-8")

    privacy.email.setText("j@example.de")
    answer_next_dialog(lambda dialog: dialog.reject())
    privacy.redact_button.click()
    assert "Jürgen" in station.orders.find("#S1").order.to_address.name  # cancelled
    answer_next_dialog(confirm_with("REDACT"))
    privacy.redact_button.click()
    qtbot.waitUntil(lambda: "Redacted the customer in 1" in privacy.result.text(), timeout=WAIT)
    assert station.orders.find("#S1").order.to_address.name == "[REDACTED]"

    answer_next_dialog(confirm_with("DELETE"))
    privacy.delete_orders_button.click()
    qtbot.waitUntil(lambda: station.orders.count() == 0, timeout=WAIT)
    assert station.credentials.get(Secret.SHIPPO) == SHIPPO_KEY  # keys stay


def test_delete_all_data_from_the_window(qtbot: QtBot, station: Station, data_dir: Path) -> None:
    main = MainWindow(station, start_engine=True)
    qtbot.addWidget(main)
    main.show()
    answer_next_dialog(confirm_with("DELETE"))
    main.privacy.delete_all_button.click()
    assert not (data_dir / "slipstation.db").exists()
    assert station.credentials.get(Secret.SHIPPO) is None
    assert station.credentials.get(Secret.DATABASE) is None
    assert main.quitting


def test_first_run_walks_keys_printer_paper_and_a_test_print(
        qtbot: QtBot, data_dir: Path, services: dict[str, str],
        printnode_server: PrintNodeServer) -> None:
    station = Station(data_dir, retry_policy=FAST_RETRY)
    main = MainWindow(station, start_engine=False)
    qtbot.addWidget(main)
    try:
        wizard = main.wizard
        assert wizard is not None and wizard.isVisible() and not wizard.isModal()
        wizard.shippo_key.entry.setText(SHIPPO_KEY)
        wizard.shippo_key.save_button.click()
        wizard.printnode_key.entry.setText(PRINTNODE_KEY)
        wizard.printnode_key.save_button.click()
        qtbot.waitUntil(lambda: station.credentials.get(Secret.PRINTNODE) == PRINTNODE_KEY
                        and station.credentials.get(Secret.SHIPPO) == SHIPPO_KEY, timeout=WAIT)
        assert wizard.shippo_key.entry.text() == ""  # the key left the widget
        wizard.next()
        wizard.printer.load_button.click()
        qtbot.waitUntil(lambda: wizard.printer.combo.count() == 3, timeout=WAIT)
        wizard.printer.combo.setCurrentIndex(wizard.printer.combo.findData(72))
        wizard.next()
        wizard.paper.setCurrentText("a4")
        wizard.next()
        qtbot.waitUntil(lambda: station.settings.get("paper") == "a4"
                        and station.settings.get("printer") == 72, timeout=WAIT)
        wizard.test_button.click()
        qtbot.waitUntil(lambda: "Sent (PrintNode job" in wizard.test_result.text(),
                        timeout=WAIT)
        job = printnode_server.jobs_for("Test print")[0]
        assert job.payload["printerId"] == 72
        assert page_sizes(job.pdf()) == [(595.28, 841.89)]
    finally:
        main.tasks.wait(WAIT)
        main.quit()
        station.close()


def test_tasks_report_progress_for_a_batch(qtbot: QtBot) -> None:
    tasks = Tasks()
    seen: list[tuple[str, int, int, int]] = []
    tasks.activity.connect(lambda *args: seen.append(args))

    def batch(report: callable) -> int:  # type: ignore[valid-type]
        for done in range(1, 4):
            report(done, 3)
        return 3

    results: list[object] = []
    tasks.run(batch, results.append, label="Printing 3 slip(s)", progress=True)
    qtbot.waitUntil(lambda: results == [3], timeout=WAIT)
    assert seen[0] == ("Printing 3 slip(s)", 1, 0, 0)  # busy at once
    assert ("Printing 3 slip(s)", 1, 3, 3) in seen
    qtbot.waitUntil(lambda: seen[-1] == ("", 0, 0, 0), timeout=WAIT)
