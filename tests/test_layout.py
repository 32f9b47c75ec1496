"""Text size, keyboard and touch targets in the real window (offscreen Qt)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.paths import HOME_ENV
from app.ui.launcher import build_window, dispose


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    return tmp_path


def write_settings(home, **values) -> None:
    values.setdefault("pictogram_downloads", False)
    (home / "config" / "settings.json").write_text(json.dumps(values))


def sizes(w) -> tuple[float, ...]:
    tile = next(iter(w.board_view.tiles.values()))
    return (
        QApplication.font().pointSizeF(),
        tile.font().pointSizeF(),
        w.candidate_list.font().pointSizeF(),
        w.history_list.font().pointSizeF(),
        w.marker_buttons["past"].font().pointSizeF(),
    )


@pytest.mark.parametrize("zoom,large", [(150, False), (50, False), (100, True)])
def test_text_size_is_applied_once_never_multiplied(qtbot, home, zoom, large):
    """Restart twice at "Tamaño 150%" (or large text): the same sizes each time; applying the
    settings again changes nothing either."""
    write_settings(home, zoom=zoom, large_text=large)
    first = build_window(with_model=False, with_speech=False)
    before = sizes(first)
    first.access.apply(first.settings)
    first.access.apply(first.settings)
    assert sizes(first) == before
    dispose(first)
    again = build_window(with_model=False, with_speech=False)
    assert sizes(again) == before
    dispose(again)
    write_settings(home, zoom=100)
    normal = build_window(with_model=False, with_speech=False)
    factor = zoom / 100 * (1.3 if large else 1.0)
    assert sizes(normal)[0] == pytest.approx(before[0] / factor, rel=0.01)
    dispose(normal)


def test_enter_presses_a_focused_tile_and_arrows_move_by_row_and_column(qtbot, home):
    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    board = w.comm.board
    first = w.board_view.tiles[f"{board.id}/{board.cell_at(0, 0).id}"]
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Down)
    below = w.board_view.tiles[f"{board.id}/{board.cell_at(1, 0).id}"]
    assert below.hasFocus()  # the row below, not the next tile
    qtbot.keyClick(below, Qt.Key.Key_Right)
    right = w.board_view.tiles[f"{board.id}/{board.cell_at(1, 1).id}"]
    assert right.hasFocus()
    qtbot.keyClick(right, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.comm.strip.keywords == list(board.cell_at(1, 1).words))
    dispose(w)


def test_candidate_and_phrase_rows_are_touch_targets(qtbot, home):
    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    w.show()
    qtbot.waitExposed(w)
    w.press_cell(next(c for _, _, c in w.comm.board.iter_cells() if c.label == "yo"))
    qtbot.waitUntil(lambda: w.candidate_list.count() == 1)
    w.speak_best()
    lists = (w.candidate_list, w.history_list)
    for lst in lists:
        w.side_tabs.setCurrentWidget(lst) if lst is w.history_list else None
        qtbot.wait(50)
        rect = lst.visualItemRect(lst.item(0))
        assert rect.height() >= 48, (lst.accessibleName(), rect.height())
    dispose(w)


def test_f1_lists_every_shortcut_in_the_interface_language(qtbot, home):
    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    box = w.show_help()
    assert "Borrar último" in box.text() and "+L<" in box.text()  # Ctrl+L, in Spanish too
    assert box.windowTitle().startswith("Ayuda")
    box.close()
    dispose(w)


def test_spanish_interface_speaks_spanish_including_qt_dialogs(qtbot, home):
    """The model line, the loading state and Qt's own buttons follow the interface language."""
    from PySide6.QtWidgets import QMessageBox

    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    w.session.engine_loaded("pictovoz-merged.gguf (merged, finetuned)")
    assert w.status_label.text().startswith("Modelo de lenguaje listo")
    box = w.confirm_clear_history()
    assert box.button(QMessageBox.StandardButton.Cancel).text().replace("&", "") == "Cancelar"
    box.close()
    dispose(w)


def test_first_start_says_the_model_is_being_prepared(qtbot, home):
    from app.session.session import Status

    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    w.show()
    w.session.status = Status("loading")
    w.render_status()
    assert w.loading_panel.isVisible() and "Preparando" in w.loading_label.text()
    assert w.speak_keywords_button.isEnabled()  # the raw keywords can still be spoken
    w.session.engine_loaded("model")
    assert not w.loading_panel.isVisible()
    dispose(w)


def test_clearing_history_asks_first(qtbot, home):
    write_settings(home)
    w = build_window(with_model=False, with_speech=False)
    w.session.speak_phrase("Hola.")
    assert w.history_list.count() == 1
    box = w.confirm_clear_history()
    box.reject()
    assert w.history_list.count() == 1
    box = w.confirm_clear_history()
    box.accept()
    assert w.history_list.count() == 0
    dispose(w)


def test_the_settings_dialog_fits_the_screen_with_large_text(qtbot, home):
    from PySide6.QtCore import QPoint, QRect

    write_settings(home, zoom=150, large_text=True)
    w = build_window(with_model=False, with_speech=False)
    w.show()
    dlg = w.caregiver.show_settings()
    qtbot.waitExposed(dlg)
    avail = dlg.screen().availableGeometry()
    assert dlg.width() <= avail.width() and dlg.height() <= avail.height()
    inside = QRect(QPoint(0, 0), dlg.size())
    for button in (dlg.save_button, dlg.cancel_button):
        assert inside.contains(QRect(button.mapTo(dlg, QPoint(0, 0)), button.size()))
    dlg.reject()
    dispose(w)


def test_access_toggles_in_the_menu_are_behind_the_lock(qtbot, home):
    """A user must not turn off their own access method by accident."""
    write_settings(home, dwell=True)
    w = build_window(with_model=False, with_speech=False)
    w.caregiver.dwell_action.trigger()  # as a click on the menu item
    assert w.caregiver.lock_dialog is not None  # asked for the lock first
    assert w.settings.dwell and w.caregiver.dwell_action.isChecked()
    w.caregiver.lock_dialog.reject()
    assert w.settings.dwell
    w.caregiver.scanning_action.trigger()
    lock = w.caregiver.lock_dialog
    qtbot.keyClicks(lock.answer, lock.challenge.answer)
    lock.check()
    assert w.settings.scan_mode == "row-column"
    dispose(w)


def test_a_word_not_on_the_board_can_be_found_and_said(qtbot, home, server):
    """ "Otra palabra…": type it, pick its pictogram from ARASAAC (the local server), and it
    joins the strip like a tapped tile; offline or unfound, the word alone can be added."""
    write_settings(home, pictogram_api_url=server.base_url, pictogram_downloads=True)
    w = build_window(with_model=False, with_speech=False)
    w.show()
    dlg = w.open_word_search()
    qtbot.keyClicks(dlg.edit, "perro")
    dlg.run_search()
    qtbot.waitUntil(lambda: len(dlg.tiles) > 0, timeout=10_000)
    qtbot.mouseClick(dlg.tiles[0], Qt.MouseButton.LeftButton)
    assert w.comm.strip.keywords == ["perro"]
    assert w.comm.strip.items[0].pictogram_id == 7202  # ARASAAC's "perro"
    qtbot.waitUntil(lambda: bool(w.candidates))  # offered as any strip is (raw words: no model)
    assert w.candidates[0].text == "Perro."
    dlg = w.open_word_search()
    dlg.edit.setText("xilófono azul")
    dlg.choose_plain()
    assert w.comm.strip.keywords == ["perro", "xilófono", "azul"]
    dispose(w)
