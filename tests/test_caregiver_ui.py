"""Caregiver screens: the lock (Qt-free rules, then the dialog), edit mode against the local
ARASAAC test server, the settings dialog, the high-contrast theme and accessible names."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from arasaac_server import FakeArasaac
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QKeySequenceEdit,
    QLineEdit,
    QTabWidget,
    QWidget,
)
from window_support import open_window

from app.boards.storage import load_board_set, user_boards_path
from app.core.lock import HoldLock, arithmetic_challenge, challenge_for, effective_mode
from app.core.paths import HOME_ENV
from app.core.settings import load_settings
from app.ui.caregiver_texts import TEXTS
from app.ui.theme import NORMAL_SHEET

# --- the lock, Qt-free ---------------------------------------------------------------------------


def test_arithmetic_challenge_checks_the_sum():
    c = arithmetic_challenge(random.Random(3))
    a, b = (int(x) for x in c.question.replace("= ?", "").split("+"))
    assert 11 <= a <= 49 and 11 <= b <= 49
    assert c.check(f" {a + b} ") and not c.check(str(a + b + 1)) and not c.check("")


def test_pin_mode_needs_a_pin_and_checks_it():
    assert effective_mode("pin", "") == "arithmetic"
    assert effective_mode("bogus", "1") == "arithmetic"
    c = challenge_for("pin", "2468")
    assert c.check("2468") and not c.check("2469")
    assert challenge_for("hold", "") is None


def test_hold_lock_opens_only_after_a_continuous_hold():
    lock = HoldLock(3.0)
    lock.press(10.0)
    assert not lock.update(12.9) and lock.progress(11.5) == pytest.approx(0.5)
    assert not lock.release(12.9)  # let go too early
    lock.press(20.0)
    lock.press(22.0)  # a second press while held does not restart it
    assert lock.update(23.0) and lock.release(23.1)
    assert not lock.pressed


def test_every_caregiver_text_exists_in_both_languages():
    assert TEXTS["es"].keys() == TEXTS["en"].keys()


# --- the window -----------------------------------------------------------------------------------


@pytest.fixture
def server():
    with FakeArasaac() as s:
        yield s


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    write_settings(tmp_path, {"pictogram_downloads": False})
    return tmp_path


def write_settings(home, settings):
    (home / "config" / "settings.json").write_text(json.dumps(settings))


def unlock(qtbot, w, then):
    """Go through the arithmetic lock as a caregiver would: read the sum, type the answer."""
    then()
    lock = w.caregiver.lock_dialog
    assert lock is not None and lock.isVisible()
    qtbot.keyClicks(lock.answer, lock.challenge.answer)
    qtbot.mouseClick(lock.ok_button, Qt.MouseButton.LeftButton)
    assert lock.unlocked


def test_the_lock_keeps_edit_mode_closed_on_a_wrong_answer(qtbot, home):
    w = open_window(qtbot)
    w.caregiver.open_editor()
    lock = w.caregiver.lock_dialog
    first = lock.challenge
    qtbot.keyClicks(lock.answer, "1")
    qtbot.keyClick(lock.answer, Qt.Key.Key_Return)
    assert not lock.unlocked and w.caregiver.editor_dialog is None
    assert lock.message.text() and lock.challenge is not first  # a new sum each time
    qtbot.mouseClick(lock.cancel_button, Qt.MouseButton.LeftButton)
    assert w.caregiver.editor_dialog is None and w.caregiver.lock_dialog is None


def test_the_hold_lock_opens_settings_after_the_hold(qtbot, home):
    write_settings(home, {"pictogram_downloads": False, "caregiver_lock": "hold"})
    w = open_window(qtbot)
    w.caregiver.open_settings()
    lock = w.caregiver.lock_dialog
    qtbot.mousePress(lock.hold_button, Qt.MouseButton.LeftButton)
    assert not lock.unlocked
    qtbot.waitUntil(lambda: w.caregiver.settings_dialog is not None, timeout=5_000)
    assert lock.unlocked


def test_an_edit_survives_a_restart_and_can_be_undone(qtbot, home, server):
    write_settings(home, {"pictogram_api_url": server.base_url, "decoding": {"seed": 1}})
    w = open_window(qtbot)
    unlock(qtbot, w, w.caregiver.open_editor)
    ed = w.caregiver.editor_dialog
    assert ed is not None and ed.isVisible() and ed.board_id == "home"

    # Add "zumo" in the first empty place of the home board, then move it left.
    free = w.comm.board.cells.index(None)
    row, col = divmod(free, w.comm.board.columns)
    qtbot.mouseClick(ed.slot_buttons[(row, col)], Qt.MouseButton.LeftButton)
    ed.label_edit.setText("zumo")
    qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    cell = w.comm.board.cell_at(row, col)
    assert cell is not None and cell.label == "zumo"
    ed.select_cell(cell.id)
    qtbot.mouseClick(ed.move_buttons["move_left"], Qt.MouseButton.LeftButton)
    assert w.comm.board.position_of(cell.id) == (row, col - 1)

    # Relabel it and give it a pictogram found by searching the test server.
    ed.label_edit.setText("agua fresca")
    ed.keywords_edit.setText("agua")
    qtbot.mouseClick(ed.apply_button, Qt.MouseButton.LeftButton)
    ed.search_edit.setText("agua")
    qtbot.mouseClick(ed.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.results.count() == 1, timeout=10_000)
    assert ed.results.item(0).data(Qt.ItemDataRole.UserRole) == 32464  # ARASAAC: "agua" is 32464
    assert not ed.results.item(0).icon().isNull()  # the thumbnail, from the cache
    qtbot.mouseClick(ed.use_button, Qt.MouseButton.LeftButton)
    assert w.comm.board.find_cell(cell.id).pictogram_id == 32464

    # A new folder with a way home.
    ed.show_board("home")
    folder_board = ed.new_folder("Juegos")
    assert folder_board == "juegos"
    folder = next(c for _, _, c in w.comm.board.iter_cells() if c.link == "juegos")
    assert f"home/{folder.id}" in w.board_view.tiles  # the window shows it at once

    # Undo and redo the last edit.
    qtbot.mouseClick(ed.undo_button, Qt.MouseButton.LeftButton)
    assert "juegos" not in w.comm.boards.boards
    assert "juegos" not in load_board_set(user_boards_path("es")).board_set.boards
    qtbot.mouseClick(ed.redo_button, Qt.MouseButton.LeftButton)
    assert "juegos" in w.comm.boards.boards
    qtbot.mouseClick(ed.close_button, Qt.MouseButton.LeftButton)
    w.close()

    again = open_window(qtbot)
    board = again.comm.board
    saved = board.find_cell(cell.id)
    assert saved.label == "agua fresca" and saved.keywords == ["agua"]
    assert saved.pictogram_id == 32464 and board.position_of(cell.id) == (row, col - 1)
    juegos = again.comm.boards.board("juegos")
    assert juegos.cell_at(0, 0).label == "inicio"
    again.press_cell(board.find_cell(folder.id))
    assert again.comm.board.id == "juegos"

    # Undo works in the restarted window too (on its own edits).
    unlock(qtbot, again, again.caregiver.open_editor)
    ed2 = again.caregiver.editor_dialog
    assert ed2.board_id == "juegos"
    ed2.show_board("home")
    ed2.select_cell(cell.id)
    qtbot.mouseClick(ed2.remove_button, Qt.MouseButton.LeftButton)
    assert again.comm.boards.home.find_cell(cell.id) is None
    qtbot.mouseClick(ed2.undo_button, Qt.MouseButton.LeftButton)
    assert load_board_set(user_boards_path("es")).board_set.home.find_cell(cell.id) is not None
    ed2.close()
    again.close()
    for window in (w, again):  # hang up before the server stops (no reset noise in its log)
        window.pictograms.cache.client.close()


def test_a_corrupt_settings_file_falls_back_with_a_message_in_the_window(qtbot, home):
    (home / "config" / "settings.json").write_text("{broken")
    w = open_window(qtbot)
    assert "could not be read" in w.notice_label.text()
    assert w.settings.language == "es" and w.settings.scan_mode == "off"


def test_settings_dialog_saves_and_applies_live(qtbot, home):
    w = open_window(qtbot)
    unlock(qtbot, w, w.caregiver.open_settings)
    dlg = w.caregiver.settings_dialog
    dlg.high_contrast.setChecked(True)
    dlg.zoom.setValue(150)
    dlg.quiet.setChecked(False)
    dlg.scan_mode.setCurrentIndex(dlg.scan_mode.findData("linear"))
    dlg.greedy.setChecked(True)
    dlg.lock_mode.setCurrentIndex(dlg.lock_mode.findData("pin"))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.message.text()  # a PIN lock needs a PIN
    dlg.pin.setText("2468")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert w.caregiver.settings_dialog is None

    s = load_settings().settings
    assert (s.high_contrast, s.zoom, s.speak_each_tile, s.scan_mode) == (True, 150, True, "linear")
    assert s.decoding.temperature == 0.0 and (s.caregiver_lock, s.caregiver_pin) == ("pin", "2468")
    assert w.comm.speak_each_tile and w.access.scanning.active
    tile = next(iter(w.board_view.tiles.values()))
    assert "background: #000000" in tile.styleSheet() and tile.background in tile.styleSheet()
    assert tile.minimumWidth() == 72  # the 48 px touch minimum at 150 %
    assert "#000000" in w.styleSheet()

    # The PIN now guards the settings; a language change switches boards and words.
    w.caregiver.open_settings()
    lock = w.caregiver.lock_dialog
    assert lock.mode == "pin"
    qtbot.keyClicks(lock.answer, "2468")
    qtbot.keyClick(lock.answer, Qt.Key.Key_Return)
    dlg = w.caregiver.settings_dialog
    dlg.language.setCurrentIndex(dlg.language.findData("en"))
    dlg.high_contrast.setChecked(False)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert w.lang == "en" and load_settings().settings.language == "en"
    assert w.caregiver.menu.title() == "Caregiver"
    assert w.styleSheet() == NORMAL_SHEET  # the normal theme again


# --- accessible names ----------------------------------------------------------------------------

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QKeySequenceEdit, QCheckBox)


def unnamed_controls(root: QWidget, descriptions: bool = True) -> list[QWidget]:
    """Visible controls without an accessible name (or description) (the line edit inside a spin
    box, combo box or key-sequence editor is part of its named control)."""
    out = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, CONTROLS) or not widget.isVisible():
            continue
        if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox | QKeySequenceEdit):
            continue
        if not widget.accessibleName() or (descriptions and not widget.accessibleDescription()):
            out.append(widget)
    return out


def every_tab(dialog: QWidget):
    tabs = dialog.findChildren(QTabWidget)
    if not tabs:
        yield
        return
    for i in range(tabs[0].count()):
        tabs[0].setCurrentIndex(i)
        yield


def test_every_control_of_the_window_and_dialogs_has_an_accessible_name(qtbot, home):
    w = open_window(qtbot)
    assert unnamed_controls(w, descriptions=False) == []  # the window's own buttons: names
    w.caregiver.open_settings()
    lock = w.caregiver.lock_dialog
    assert unnamed_controls(lock) == []
    qtbot.keyClicks(lock.answer, lock.challenge.answer)
    lock.check()
    dlg = w.caregiver.settings_dialog
    for _ in every_tab(dlg):
        assert unnamed_controls(dlg) == []
    dlg.reject()
    unlock(qtbot, w, w.caregiver.open_editor)
    ed = w.caregiver.editor_dialog
    assert unnamed_controls(ed) == []
    assert ed.slot_buttons[(0, 0)].accessibleName().startswith("yo")
    ed.close()


def test_export_and_import_open_board_files_from_edit_mode(qtbot, home, tmp_path):
    w = open_window(qtbot)
    unlock(qtbot, w, w.caregiver.open_editor)
    ed = w.caregiver.editor_dialog
    package = tmp_path / "boards.obz"
    assert ed.export_to(package) and package.exists()
    ed.select(0, 0)
    qtbot.mouseClick(ed.remove_button, Qt.MouseButton.LeftButton)
    assert w.comm.board.cell_at(0, 0) is None
    assert ed.import_from(package)  # the exported set comes back whole
    assert w.comm.board.cell_at(0, 0).label == "yo"
    assert load_board_set(user_boards_path("es")).board_set.home.cell_at(0, 0).label == "yo"
    qtbot.mouseClick(ed.undo_button, Qt.MouseButton.LeftButton)  # undo the import
    assert w.comm.board.cell_at(0, 0) is None
    single = tmp_path / "home.obf"
    assert ed.export_to(single) and single.exists()
    bad = tmp_path / "bad.obz"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    assert not ed.import_from(bad) and ed.message.text()


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_imported_boards_render_with_their_own_pictures_and_arasaacs_communicator(qtbot, home):
    """A board's own picture (simple.obf embeds one) is shown in the window, not replaced by an
    ARASAAC search; ARASAAC's communicator (AsTeRICS Grid backup) imports from the editor and
    its home board renders."""
    obf = SHARED / "obf-samples" / "simple.obf"
    grd = SHARED / "asterics-grid" / "global-core-arasaac.es.grd.json"
    if not (obf.exists() and grd.exists()):
        pytest.skip(f"shared samples are not at {SHARED}")
    w = open_window(qtbot)
    unlock(qtbot, w, w.caregiver.open_editor)
    ed = w.caregiver.editor_dialog
    assert ed.import_from(obf)
    own = [c for _, _, c in w.comm.board.iter_cells() if c.image]
    assert own, "the embedded picture was kept in the cell"
    tile = w.board_view.tiles[f"{w.comm.board.id}/{own[0].id}"]
    qtbot.waitUntil(lambda: tile.has_picture, timeout=10_000)
    assert own[0].pictogram_id is None  # no ARASAAC guess was stored for it
    assert ed.import_from(grd)
    assert len(w.comm.boards.boards) > 50
    assert len(w.board_view.tiles) > 20 and w.comm.board.filled()
    ed.close()
