"""Switch scanning: the Qt-free state machine, then the window glue with simulated key presses."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from window_support import open_window

from app.core.paths import HOME_ENV
from app.session.scanning import (
    Cost,
    ScanConfig,
    ScanMode,
    Scanner,
    Switch,
    board_rows,
    selection_cost,
    selection_costs,
    window_rows,
)

GRID = [["a", "b", "c"], ["d", "e", "f"], ["g", "h"]]
ROW_COL_1 = ScanConfig(ScanMode.ROW_COLUMN, switches=1)
ROW_COL_2 = ScanConfig(ScanMode.ROW_COLUMN, switches=2)
LINEAR_1 = ScanConfig(ScanMode.LINEAR, switches=1)
LINEAR_2 = ScanConfig(ScanMode.LINEAR, switches=2)


def test_row_column_one_switch_selects_the_intended_item():
    s = Scanner(GRID, ROW_COL_1)
    assert s.highlighted() == ["a", "b", "c"]  # the first row is lit at once
    s.tick()
    assert s.highlighted() == ["d", "e", "f"]
    assert s.press(Switch.SELECT) is None  # entered the row
    assert s.highlighted() == ["d"]
    s.tick()
    s.tick()
    assert s.highlighted() == ["f"]
    assert s.press(Switch.SELECT) == "f"
    assert s.highlighted() == ["a", "b", "c"]  # back to the top after a selection


def test_one_switch_ignores_the_second_switch_and_ticks_wrap_around():
    s = Scanner(GRID, ROW_COL_1)
    assert s.press(Switch.NEXT) is None
    assert s.highlighted() == ["a", "b", "c"]
    for _ in range(3):
        s.tick()
    assert s.highlighted() == ["a", "b", "c"]


def test_a_row_left_alone_gives_up_after_its_loops():
    s = Scanner(GRID, ScanConfig(ScanMode.ROW_COLUMN, 1, row_loops=2))
    s.tick()
    s.tick()
    s.press(Switch.SELECT)  # entered g h
    for _ in range(3):
        s.tick()
    assert s.in_row and s.highlighted() == ["h"]
    s.tick()  # the second round is over
    assert not s.in_row and s.highlighted() == ["g", "h"]


def test_row_column_two_switches():
    s = Scanner(GRID, ROW_COL_2)
    s.tick()  # the timer does nothing with two switches
    assert s.highlighted() == ["a", "b", "c"]
    s.press(Switch.NEXT)
    s.press(Switch.NEXT)
    s.press(Switch.SELECT)
    s.press(Switch.NEXT)
    assert s.press(Switch.SELECT) == "h"


def test_linear_one_and_two_switches():
    s = Scanner(GRID, LINEAR_1)
    assert s.highlighted() == ["a"]
    for _ in range(4):
        s.tick()
    assert s.press(Switch.SELECT) == "e"
    s = Scanner(GRID, LINEAR_2)
    for _ in range(8):
        s.press(Switch.NEXT)
    assert s.highlighted() == ["a"]  # eight items: wrapped around
    s.press(Switch.NEXT)
    assert s.press(Switch.SELECT) == "b"


def test_new_rows_keep_or_reset_the_position():
    s = Scanner(GRID, LINEAR_1)
    s.tick()
    s.set_rows([["a", "b", "c", "z"]], keep_position=True)
    assert s.highlighted() == ["b"]
    s.set_rows([["x"]], keep_position=True)
    assert s.highlighted() == ["x"]
    s.set_rows([[], []])
    assert s.highlighted() == [] and s.press(Switch.SELECT) is None


def test_selection_cost_counts_presses_and_steps():
    assert selection_cost(GRID, "a", ROW_COL_1) == Cost(presses=2, steps=0)
    assert selection_cost(GRID, "h", ROW_COL_1) == Cost(presses=2, steps=3)
    assert selection_cost(GRID, "h", LINEAR_1) == Cost(presses=1, steps=7)
    assert selection_cost(GRID, "h", ROW_COL_2) == Cost(presses=5, steps=3)
    with pytest.raises(ValueError):
        selection_cost(GRID, "zz", ROW_COL_1)


def test_costs_of_a_whole_window_match_one_by_one():
    """`selection_costs` (the prediction row's planner) agrees with `selection_cost` for every
    target, in every mode, empty rows skipped."""
    from app.boards.storage import load_default_boards

    board = load_default_boards("es").home
    rows = [*window_rows(board, 3, True, 8), []]
    for config in (ROW_COL_1, ROW_COL_2, LINEAR_1, LINEAR_2):
        table = selection_costs(rows, config)
        assert [t for t, _ in table] == [t for row in rows for t in row]
        for target, cost in table:
            assert cost == selection_cost(rows, target, config), (config, target)


def test_board_rows_skip_empty_slots():
    from app.boards.storage import load_default_boards

    board = load_default_boards("es").board("colours")  # 14 cells on a 3x5 grid
    rows = board_rows(board)
    assert [c.label for c in rows[-1]] == ["gris", "marrón", "dorado", "plateado"]


# --- the window glue ----------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    settings = {
        "pictogram_downloads": False,
        "scan_mode": "row-column",
        "scan_switches": 2,
        "scan_select_key": "Space",
        "scan_next_key": "Tab",
        "predictions": False,  # the board first (the prediction row has its own test)
    }
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings))
    return tmp_path


def test_the_prediction_row_is_scanned_first_and_its_tile_adds_the_word(qtbot, home):
    settings = json.loads((home / "config" / "settings.json").read_text())
    settings["predictions"] = True
    (home / "config" / "settings.json").write_text(json.dumps(settings))
    w = open_window(qtbot)
    scan = w.access.scanning
    row = w.prediction_row
    assert row.tiles and not row.isHidden()  # an empty strip offers the usual first words
    assert scan.lit_widgets() == row.tiles  # the first row scanned
    first = w.session.predictions[0]
    qtbot.keyClick(w, Qt.Key.Key_Space)  # enter the row
    qtbot.keyClick(w, Qt.Key.Key_Space)  # its first tile
    assert w.comm.strip.keywords == list(first.cell.words)

    w.session.apply_settings(replace(w.settings, predictions=False))
    assert row.isHidden()
    assert not any(t.widget.parentWidget() is row for r in scan.rows() for t in r)


def test_two_switch_keys_scan_the_board_and_tap_the_cell(qtbot, home):
    w = open_window(qtbot)
    scan = w.access.scanning
    assert scan.active
    tiles = w.board_view.tiles
    yo = tiles[f"home/{w.comm.board.cell_at(0, 0).id}"]
    assert scan.lit_widgets() == [tiles[k] for k in list(tiles)[:11]]
    qtbot.keyClick(w, Qt.Key.Key_Tab)  # row 2
    qtbot.keyClick(w, Qt.Key.Key_Space)  # enter it
    qtbot.keyClick(w, Qt.Key.Key_Tab)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # its second cell
    assert w.comm.strip.keywords == [w.comm.board.cell_at(1, 1).label]
    # The scan starts again at the top, which is now the sentence row (the strip has words):
    # every message ends there, so it comes before the board.
    assert scan.lit_widgets()[-1] is w.speak_keywords_button
    qtbot.keyClick(w, Qt.Key.Key_Tab)
    assert scan.lit_widgets()[0] is yo


def test_one_switch_timer_walks_the_rows(qtbot, home):
    settings = json.loads((home / "config" / "settings.json").read_text())
    settings.update(scan_switches=1, scan_mode="linear", scan_interval_ms=200)
    (home / "config" / "settings.json").write_text(json.dumps(settings))
    w = open_window(qtbot)
    scan = w.access.scanning
    target = w.board_view.tiles[f"home/{w.comm.board.cell_at(0, 2).id}"]
    qtbot.waitUntil(lambda: scan.lit_widgets() == [target], timeout=5_000)
    scan.stop_timer()  # hold the highlight still while the key is pressed
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert w.comm.strip.keywords == [w.comm.board.cell_at(0, 2).label]


def test_scanning_reaches_the_sentence_row(qtbot, home):
    w = open_window(qtbot)
    scan = w.access.scanning
    assert w.speak_keywords_button not in scan.lit_widgets()  # nothing to say yet: no row
    assert all(w.speak_keywords_button not in [t.widget for t in r] for r in scan.rows())
    qtbot.keyClick(w, Qt.Key.Key_Space)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # "yo"
    qtbot.waitUntil(lambda: len(w.candidates) == 1, timeout=5_000)
    # The first row once there are words: the sentence row (candidates, say words).
    assert scan.lit_widgets()[-1] is w.speak_keywords_button
    assert scan.rows()[-1][0].widget is w.backspace_button  # the controls stay last
    qtbot.keyClick(w, Qt.Key.Key_Space)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # the first candidate
    assert w.spoken_label.text() == "Yo."


def test_the_cost_benchmark_plans_through_folders():
    from app.boards.storage import load_default_boards
    from bench.scanning_cost import sentence_cost

    boards = load_default_boards("es")
    # yo (0 steps), then past the sentence row (1 each): querer (7 + 1), beber (10 + 1), the
    # drinks folder (4 rows + 9 + 1), agua (1 + 1), then the first candidate in the first row
    # (0): 6 selections.
    plan = sentence_cost(boards, "yo querer beber agua".split(), "es")
    assert (plan.selections, plan.cost) == (6, Cost(presses=12, steps=35))
