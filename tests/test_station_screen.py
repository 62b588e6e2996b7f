"""The station screen over a day's volume: the histories are models fed by the application
layer's change feed — a refresh touches only what changed, a selected job stays selected as new
jobs arrive, the "needs attention" filter, times in local time with their zone. Real widgets
(offscreen), real store, loopback Shippo and PrintNode."""

from __future__ import annotations

import itertools
import struct
import wave
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from slipstation.app import SETTINGS, ChangeCursor, Level, Remedy, Station, local_time
from slipstation.credentials import Credentials, Secret
from slipstation.gui.app import busy, explain_startup_problem, start_over, startup_problem
from slipstation.gui.banners import Tone
from slipstation.gui.main_window import MainWindow
from slipstation.gui.tasks import WINDOW_REMEDIES
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import (
    FAST_RETRY,
    PRINTNODE_KEY,
    SHIPPO_KEY,
    Cli,
    synced_printing_station,
)

WAIT = 10_000


@pytest.fixture
def station(data_dir: Path, services: dict[str, str],
            shippo_server: ShippoServer) -> Iterator[Station]:
    now = utc_now()
    orders = [samples.order(f"#T{i}", now - timedelta(minutes=i + 1)) for i in range(6)]
    opened = synced_printing_station(data_dir, shippo_server, orders)  # six slips printed
    yield opened
    opened.close()


def test_the_change_feed_gives_only_what_changed(station: Station,
                                                 printnode_server: PrintNodeServer) -> None:
    first = station.status.changes(ChangeCursor())
    assert len(first.jobs) == 6 and first.audit
    again = station.status.changes(first.cursor)
    # Only the jobs of the newest second come again (the overlap that never misses one).
    assert {job.id for job in again.jobs} <= {job.id for job in first.jobs}
    assert again.audit == []
    job = station.printing.print_order("#T5").job  # a reprint: a new job
    printnode_server.set_job_state(job.printnode_job_id, "error", "Paper jam")
    station.printing.refresh()
    changed = station.status.changes(again.cursor)
    assert job.id in {j.id for j in changed.jobs}
    assert next(j for j in changed.jobs if j.id == job.id).state == "failed"
    station.printing.dismiss(job.id)
    later = station.status.changes(changed.cursor)
    assert [e.action for e in later.audit] == ["print.dismiss"]
    assert later.cursor.audit_id > changed.cursor.audit_id


def test_a_refresh_updates_rows_in_place_and_keeps_the_selection(
        window: MainWindow, qtbot: QtBot, station: Station, shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    jobs = window.jobs
    qtbot.waitUntil(lambda: jobs.model.rowCount() == 6, timeout=WAIT)
    target = jobs.jobs[3]
    jobs.table.selectionModel().select(
        jobs.filter.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    assert [j.id for j in jobs.selected()] == [target.id]
    inserted: list[int] = []
    changed: list[int] = []
    jobs.model.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))
    jobs.model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    shippo_server.add_orders([samples.order(f"#N{i}", utc_now()) for i in range(3)])
    station.sync.run()
    reprint = station.printing.print_order("#T2").job
    window.refresh()
    qtbot.waitUntil(lambda: jobs.model.rowCount() == 10, timeout=WAIT)
    assert sum(inserted) == 4, "only the new jobs were inserted"
    assert [j.id for j in jobs.selected()] == [target.id], "the selection followed its job"
    printnode_server.set_job_state(reprint.printnode_job_id, "error", "Paper jam")
    station.printing.refresh()
    changed.clear()
    window.refresh()
    qtbot.waitUntil(lambda: any(j.id == reprint.id and j.state == "failed" for j in jobs.jobs),
                    timeout=WAIT)
    assert sum(inserted) == 4 and jobs.model.rowCount() == 10, "changed in place"
    assert changed == [0] and jobs.model.index(0, 3).data() == "failed"
    assert "Paper jam" in jobs.model.index(0, 8).data()
    assert [j.id for j in jobs.selected()] == [target.id]
    qtbot.waitUntil(lambda: "1 job(s) need a decision" in jobs.hint.text(), timeout=WAIT)
    jobs.attention_only.setChecked(True)
    assert jobs.filter.rowCount() == 1
    assert jobs.filter.index(0, 0).data() == str(reprint.id)
    jobs.attention_only.setChecked(False)
    assert jobs.filter.rowCount() == 10


def test_the_histories_show_local_time_with_the_zone(window: MainWindow, qtbot: QtBot,
                                                     station: Station) -> None:
    jobs = window.jobs
    qtbot.waitUntil(lambda: jobs.model.rowCount() == 6, timeout=WAIT)
    job = jobs.jobs[0]
    shown = jobs.model.index(0, 7).data()
    assert shown == local_time(job.updated_at) and shown != job.updated_at
    assert shown[-1].isalpha() or shown[-5:].lstrip("+-").isdigit(), shown  # a zone at the end
    window.tabs.setCurrentWidget(window.audit)
    qtbot.waitUntil(lambda: window.audit.model.rowCount() > 0, timeout=WAIT)
    entry = window.audit.model.row_at(0)
    assert window.audit.model.index(0, 0).data() == local_time(entry.at)


def test_local_time_names_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert local_time("2026-12-02T15:04:05Z") == "2026-12-02 10:04 EST"
        assert local_time("2026-07-02T15:04:05Z") == "2026-07-02 11:04 EDT"
        assert local_time("not a time") == "not a time"
    finally:
        monkeypatch.undo()
        time.tzset()


def _scan(window: MainWindow, qtbot: QtBot, number: str) -> None:
    qtbot.keyClicks(window.scan, number)
    qtbot.keyClick(window.scan, Qt.Key.Key_Return)


def test_fast_scans_queue_and_none_is_dropped(window: MainWindow, qtbot: QtBot,
                                              printnode_server: PrintNodeServer) -> None:
    before = len(printnode_server.jobs)
    for number in ("#T0", "#T1", "#T2"):  # printed before: each is held, none is lost
        _scan(window, qtbot, number)
        assert window.scan.text() == "" and window.scan.isEnabled()
    qtbot.waitUntil(lambda: not window._scans and not window._scanning, timeout=WAIT)
    assert "#T2 printed before at" in window.scan_result.text()
    assert "scan again to reprint" in window.scan_result.text()
    _scan(window, qtbot, "#T2")  # the same order again: the reprint goes
    _scan(window, qtbot, "#T1")  # another order: held again (its own question)
    qtbot.waitUntil(lambda: not window._scans and not window._scanning, timeout=WAIT)
    assert len(printnode_server.jobs) == before + 1
    assert len(printnode_server.jobs_for("Reprint #T2 ")) == 1
    assert "#T1 printed before" in window.scan_result.text()


def wedge(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Type as a keyboard-wedge scanner does: each key arrives at the active window, which
    hands it to whatever has the focus."""
    handle = window.windowHandle()
    assert handle is not None
    for char in text:
        qtbot.keyClick(handle, char)


def test_typing_after_a_click_goes_to_the_scan_field(window: MainWindow, qtbot: QtBot,
                                                     printnode_server: PrintNodeServer) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    window.tabs.setCurrentWidget(window.jobs)
    window.jobs.table.setFocus()  # a click on the jobs table took the keyboard
    qtbot.waitUntil(window.jobs.table.hasFocus, timeout=WAIT)
    wedge(qtbot, window, "#T3")
    assert window.scan.hasFocus() and window.scan.text() == "#T3"
    window.pause_button.setFocus()
    wedge(qtbot, window, "x")
    assert window.scan.text() == "#T3x"
    window.tabs.setCurrentWidget(window.settings)
    window.settings.station_name.setFocus()  # a text field keeps its own typing
    qtbot.waitUntil(window.settings.station_name.hasFocus, timeout=WAIT)
    wedge(qtbot, window, "Bench")
    assert window.settings.station_name.text().endswith("Bench")


def test_shortcuts_and_the_pause_banner(window: MainWindow, qtbot: QtBot,
                                        station: Station) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(window.scan, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.jobs and window.scan.hasFocus()
    qtbot.keyClick(window.scan, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.settings
    assert not window.pause_banner.isVisible()
    qtbot.keyClick(window.scan, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.pause_banner.isVisible(), "shown at once"
    qtbot.waitUntil(lambda: station.printing.paused, timeout=WAIT)
    window.refresh()  # no look at the store, old or new, hides it again
    qtbot.waitUntil(lambda: not window._refreshing and not window._pause_pending,
                    timeout=WAIT)
    assert window.pause_banner.isVisible()
    menu = window.menuBar().actions()[0].menu()
    listed = {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}
    assert listed["Sync now"] == "F5" and listed["Show Orders"] == "Ctrl+1"
    assert listed["Pause / resume auto-print"] == "Ctrl+P"
    window.pause_banner.findChild(QPushButton).click()  # "Resume auto-print"
    qtbot.waitUntil(lambda: not station.printing.paused, timeout=WAIT)
    assert not window.pause_banner.isVisible()
    qtbot.keyClick(window.scan, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("sync: "), timeout=WAIT)


def test_a_pause_from_another_process_shows_the_banner(window: MainWindow, qtbot: QtBot,
                                                       data_dir: Path) -> None:
    with Station(data_dir) as other:  # `slipstation pause` in a terminal
        other.printing.set_paused(True)
    window.refresh()
    qtbot.waitUntil(window.pause_banner.isVisible, timeout=WAIT)
    assert "Resume" in window.pause_button.text()


def test_the_wheel_changes_a_setting_only_after_a_click(window: MainWindow, qtbot: QtBot) -> None:
    settings = window.settings
    window.tabs.setCurrentWidget(settings)
    before = (settings.tier.currentText(), settings.backlog_hours.value())

    def wheel(widget: QWidget) -> None:
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)

    window.scan.setFocus()
    wheel(settings.tier)
    wheel(settings.backlog_hours)
    assert (settings.tier.currentText(), settings.backlog_hours.value()) == before
    settings.backlog_hours.setFocus()
    qtbot.waitUntil(settings.backlog_hours.hasFocus, timeout=WAIT)
    wheel(settings.backlog_hours)
    assert settings.backlog_hours.value() != before[1], "a focused box takes the wheel"


@pytest.fixture
def new_station(qtbot: QtBot, tmp_path: Path, services: dict[str, str]
                ) -> Iterator[tuple[Station, MainWindow]]:
    """A station that was never set up, and its window (first-run window open)."""
    fresh = Station(tmp_path / "fresh", retry_policy=FAST_RETRY)
    main = MainWindow(fresh, start_engine=False)
    qtbot.addWidget(main)
    yield fresh, main
    main.tasks.wait(WAIT)
    main.quit()
    fresh.close()
    for name in Secret:
        Credentials(tmp_path / "fresh").delete(name)


def test_first_run_enter_keeps_the_key_and_nothing_prints_until_finished(
        qtbot: QtBot, new_station: tuple[Station, MainWindow], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    shippo_server.add_orders([samples.order("#F1", utc_now() - timedelta(minutes=5))])
    fresh, main = new_station
    wizard = main.wizard
    assert wizard is not None
    main.refresh()
    qtbot.waitUntil(lambda: "Needs setup" in main.status_label.text(), timeout=WAIT)
    assert "Shippo key" in main.status_label.text()
    wizard.shippo_key.entry.setText(SHIPPO_KEY)
    qtbot.keyClick(wizard.shippo_key.entry, Qt.Key.Key_Return)  # Enter: kept, then tested
    qtbot.waitUntil(lambda: fresh.credentials.get(Secret.SHIPPO) == SHIPPO_KEY, timeout=WAIT)
    qtbot.waitUntil(lambda: "key accepted" in wizard.shippo_key.result.text(), timeout=WAIT)
    wizard.printnode_key.entry.setText(PRINTNODE_KEY)
    wizard.next()  # Next with a pasted key keeps it too
    qtbot.waitUntil(lambda: fresh.credentials.get(Secret.PRINTNODE) == PRINTNODE_KEY,
                    timeout=WAIT)
    fresh.config.set("printer", "71")  # chosen on the printer page
    summary = fresh.sync.run()  # the engine's cycle while the window is still open
    assert summary.print_problem == "set-up not finished"
    assert not printnode_server.jobs, "nothing prints while setup is on screen"
    wizard.next()
    wizard.next()
    wizard.accept()  # Finish: the window syncs, and now the slip prints
    qtbot.waitUntil(lambda: len(printnode_server.jobs_for("#F1 ")) == 1, timeout=WAIT)
    assert not fresh.printing.setup_pending
    main.refresh()
    qtbot.waitUntil(lambda: "Running" in main.status_label.text(), timeout=WAIT)


def test_a_skipped_setup_says_needs_setup(qtbot: QtBot,
                                         new_station: tuple[Station, MainWindow]) -> None:
    fresh, main = new_station
    assert main.wizard is not None
    main.wizard.reject()  # Cancel on the first page
    qtbot.waitUntil(lambda: not fresh.printing.setup_pending, timeout=WAIT)
    main.refresh()
    qtbot.waitUntil(lambda: "Needs setup" in main.status_label.text(), timeout=WAIT)
    assert fresh.status.now().level is Level.SETUP
    assert set(fresh.status.now().missing) == {"Shippo key", "PrintNode key", "printer"}


def test_the_today_strip_reads_at_a_glance(window: MainWindow, qtbot: QtBot,
                                           printnode_server: PrintNodeServer) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: "6</b> printed today" in window.today.printed.text(), timeout=WAIT)
    assert sum(window.today.bars.counts) == 6 and len(window.today.bars.counts) == 24
    assert window.today.bars.counts[datetime.now().hour] == 6, "this local hour's bar"
    assert window.today.bars.toolTip() == \
        f"Slips printed each hour today: {datetime.now().hour}:00 6"
    assert "no failures" in window.today.failures.text()
    assert "printer ready" in window.today.printer.text()
    printnode_server.set_printer_state(71, "offline")
    window.station.printing.check_printer()
    window.refresh()
    qtbot.waitUntil(lambda: "offline" in window.today.printer.text(), timeout=WAIT)


def _answer_the_problem_window(button: QMessageBox.StandardButton,
                               first: Callable[[], None] = lambda: None) -> list[str]:
    """Once the start-up problem's window is on screen: note its words ("title|text|informative"
    into the list returned), do `first`, then press `button`."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(f"{box.windowTitle()}|{box.text()}|{box.informativeText()}")
        first()
        box.button(button).click()

    QTimer.singleShot(20, answer)
    return seen


def test_a_station_that_cannot_open_explains_itself_in_a_window(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Launched from a desktop there is no terminal: a database whose key is gone from the
    keyring is a window with the reason and the fix, and Retry / Close."""
    data_dir = tmp_path / "locked"
    with Station(data_dir) as station:
        station.orders.count()  # the database exists
    Credentials(data_dir).delete(Secret.DATABASE)
    broken = Station(data_dir)
    problem = startup_problem(broken)
    assert problem is not None and "not in the OS keyring" in problem.reason
    seen = _answer_the_problem_window(QMessageBox.StandardButton.Close)

    def never() -> None:
        raise AssertionError("Close must not start over")

    assert explain_startup_problem(problem, never) is False
    assert seen and seen[0].startswith("SlipStation cannot start|The database key")
    assert "keyring entry" in seen[0] and "Start over" in seen[0]
    assert "slipstation " not in seen[0] and "`" not in seen[0], "no terminal commands"
    assert (data_dir / "slipstation.db").exists(), "nothing was changed"


def test_a_second_slipstation_is_explained_in_a_window_and_retried(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Started from the desktop while another SlipStation holds the station (its window in
    the tray, the service): a window says so and how to go on, in its own words; Retry once
    the other quit takes the station."""
    from slipstation.app import ServiceLock, StationPaths

    paths = StationPaths(tmp_path / "busy")
    paths.ensure()
    other, mine = ServiceLock(paths), ServiceLock(paths)
    other.acquire()
    problem = busy(mine)
    assert problem is not None and "already running" in problem.reason
    seen = _answer_the_problem_window(QMessageBox.StandardButton.Retry, first=other.release)

    def never() -> None:
        raise AssertionError("a busy station offers no start over")

    assert explain_startup_problem(problem, never) is True
    assert seen and seen[0].startswith("SlipStation cannot start|Another SlipStation is")
    assert "system tray" in seen[0] and "Retry" in seen[0] and "Start over" not in seen[0]
    assert "--data-dir" not in seen[0] and "`" not in seen[0], "no terminal commands"
    assert busy(mine) is None, "Retry takes the station"
    mine.release()


def test_a_damaged_database_can_be_started_over_from_the_window(
        qtbot: QtBot, tmp_path: Path) -> None:
    """A database cut short: the start-up window offers Start over (after a second question),
    which deletes it and its keys; the retry opens a fresh station with nothing to reprint."""
    data_dir = tmp_path / "damaged"
    with Station(data_dir) as station:
        station.orders.count()
    database = data_dir / "slipstation.db"
    with database.open("r+b") as handle:
        handle.truncate(4096 + 100)
    broken = Station(data_dir)
    problem = startup_problem(broken)
    assert problem is not None and "is damaged" in problem.reason
    seen: list[str] = []

    def answer(button: str) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or any(button in s for s in seen[-1:]):
            QTimer.singleShot(20, lambda: answer(button))
            return
        seen.append(f"{box.windowTitle()}|{box.text()}|{box.informativeText()}|{button}")
        chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button)
        if button == "Start over…":
            QTimer.singleShot(20, lambda: answer("Yes"))
        chosen.click()

    QTimer.singleShot(20, lambda: answer("Start over…"))
    assert explain_startup_problem(problem, lambda: start_over(broken)) is True
    assert seen[0].startswith("SlipStation cannot start|The database file")
    assert "slipstation " not in seen[0] and "`" not in seen[0], "no terminal commands"
    assert seen[1].startswith("Start over|Delete this station's database")
    assert not database.exists() or database.stat().st_size != 4096 + 100
    assert startup_problem(broken) is None, "the retry opens a fresh station"
    assert broken.orders.count() == 0
    broken.close()


def test_the_settings_form_is_generated_from_the_declarations(window: MainWindow,
                                                              station: Station) -> None:
    settings = window.settings
    assert list(settings.fields) == [setting.key for setting in SETTINGS]
    for setting in SETTINGS:
        field = settings.fields[setting.key]
        assert field.widget.toolTip() == setting.help
        if setting.kind == "int":
            spin = field.widget
            assert isinstance(spin, QSpinBox)
            assert (spin.minimum(), spin.maximum()) == (setting.minimum, setting.maximum)
        if setting.kind == "choice":
            box = field.widget
            assert isinstance(box, QComboBox)
            assert [box.itemText(i) for i in range(box.count())] == list(setting.choices)
    shown = {label.text() for label in settings.findChildren(QLabel)}
    shown |= {box.text() for box in settings.findChildren(QCheckBox)}
    assert {setting.label for setting in SETTINGS} <= shown
    station.config.check(settings.form_values())  # what the form reads back is valid as is
    assert settings.changes() == {}


def test_every_remedy_has_the_windows_own_words() -> None:
    for remedy in Remedy:
        words = WINDOW_REMEDIES[remedy]
        assert words and "`" not in words and "slipstation " not in words, remedy


def test_the_window_names_its_own_screens_not_terminal_commands(
        qtbot: QtBot, new_station: tuple[Station, MainWindow], cli: Cli) -> None:
    _station, main = new_station
    main.sync_now()  # no Shippo key yet
    qtbot.waitUntil(lambda: "No Shippo API key" in main.sync_label.text(), timeout=WAIT)
    assert "paste the Shippo key in Settings → API keys" in main.sync_label.text()
    assert "`slipstation" not in main.sync_label.text()
    key_row = main.settings.printnode_key
    key_row.test_button.click()  # Test connection with no key stored
    qtbot.waitUntil(lambda: "no API key set" in key_row.result.text(), timeout=WAIT)
    assert "paste the PrintNode key in Settings → API keys" in key_row.result.text()
    assert "`" not in key_row.result.text()
    result = cli("sync")  # the command line says it in its own words
    assert result.returncode == 1 and "`slipstation keys set shippo`" in result.stderr


def _wav(path: Path) -> tuple[float, list[int]]:
    """(seconds, samples) of a 16-bit mono WAV file."""
    with wave.open(str(path), "rb") as source:
        assert source.getnchannels() == 1 and source.getsampwidth() == 2
        rate, frames = source.getframerate(), source.readframes(source.getnframes())
    samples = list(struct.unpack(f"<{len(frames) // 2}h", frames))
    return len(samples) / rate, samples


def _first_note_hertz(samples: list[int], rate: int = 16_000) -> float:
    """The first note's pitch from its zero crossings in its first 60 ms (every first note is
    longer than that)."""
    note = samples[: int(0.06 * rate)]
    crossings = sum(1 for a, b in itertools.pairwise(note) if (a < 0) != (b < 0))
    return crossings / 2 / (len(note) / rate)


def test_each_scan_result_has_its_own_sound(window: MainWindow, tmp_path: Path) -> None:
    """Printed, scan again and not printed sound different (pitch, count, length), so a packer
    who is not looking knows which; busy is silent. Played without blocking, or the system beep
    where the PC has no player."""
    sounds = window.sounds
    assert sounds.wait_ready(10)
    heard = {}
    for tone in (Tone.OK, Tone.ASK, Tone.BAD):
        seconds, samples = _wav(sounds.path(tone))
        heard[tone] = (round(_first_note_hertz(samples), -1), round(seconds, 2))
        assert 0.1 < seconds < 1.0 and max(samples) > 10_000, tone
    assert heard[Tone.OK][0] > heard[Tone.ASK][0] > heard[Tone.BAD][0] * 2, heard
    assert len(set(heard.values())) == 3, heard
    for tone in (Tone.BUSY, Tone.BAD):
        sounds.play(tone)
        assert sounds.last is tone
    assert sounds.how in {"beep", "pw-play", "paplay", "aplay", "afplay", "winsound"}
    sounds.play(Tone.BUSY)
    assert sounds.how == "silent"


def test_tab_leaves_every_table(window: MainWindow, qtbot: QtBot) -> None:
    """Tab moves from a table to the next control, Shift+Tab back; it never walks the cells."""
    for index, view in ((0, window.orders.view), (1, window.jobs.table)):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda v=view: v.model().rowCount() > 0, timeout=WAIT)
        view.setCurrentIndex(view.model().index(0, 0))  # a cell is current: Tab could walk on
        view.setFocus()
        qtbot.waitUntil(view.hasFocus, timeout=WAIT)
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        assert not view.hasFocus(), "Tab left the table"
        view.setFocus()
        qtbot.waitUntil(view.hasFocus, timeout=WAIT)
        qtbot.keyClick(view, Qt.Key.Key_Backtab)
        assert not view.hasFocus(), "Shift+Tab left the table"


def test_bins_import_and_export_from_settings(window: MainWindow, qtbot: QtBot,
                                              tmp_path: Path) -> None:
    settings = window.settings

    opened: list[str] = []

    def cancel_dialog() -> None:  # the button asks for a file, as a person would see
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, cancel_dialog)
            return
        opened.append(dialog.windowTitle())
        dialog.reject()

    for button in (settings.import_bins_button, settings.export_bins_button):
        QTimer.singleShot(20, cancel_dialog)
        button.click()
    assert opened == ["Import bins", "Export bins"]

    bad = tmp_path / "bad.csv"
    bad.write_text("sku,bin\nA,1\nA,2\n", encoding="utf-8")
    settings.import_bins(bad)
    qtbot.waitUntil(lambda: "✘" in settings.bins_label.text(), timeout=WAIT)
    assert "Line 3 of the bins file repeats SKU 'A'" in settings.bins_label.text()
    good = tmp_path / "good.csv"
    good.write_text("sku,barcode,bin\nHM-123,4006381333931,A-1\n", encoding="utf-8")
    settings.import_bins(good)
    qtbot.waitUntil(lambda: "1 bin location(s) imported" in settings.bins_label.text(),
                    timeout=WAIT)
    out = tmp_path / "out.csv"
    settings.export_bins(out)
    qtbot.waitUntil(lambda: "exported" in settings.bins_label.text(), timeout=WAIT)
    assert out.read_text(encoding="utf-8").splitlines()[1] == "HM-123,4006381333931,A-1"
