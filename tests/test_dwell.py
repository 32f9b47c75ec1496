"""Dwell selection: the Qt-free timer rules with explicit times, then the window glue."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint

from app.core.paths import HOME_ENV
from app.session.dwell import DwellConfig, DwellSelector


def test_selects_after_the_dwell_time_and_not_before():
    d = DwellSelector(DwellConfig(dwell_s=1.0))
    d.enter("agua", 10.0)
    assert d.update(10.5) is None and d.progress(10.5) == pytest.approx(0.5)
    assert d.update(10.999) is None
    assert d.update(11.0) == "agua"


def test_a_target_selects_once_per_visit():
    d = DwellSelector(DwellConfig(dwell_s=1.0))
    d.enter("más", 0.0)
    assert d.update(1.0) == "más"
    assert d.update(5.0) is None
    d.enter("más", 5.0)  # still there: the same visit
    assert d.update(9.0) is None
    d.leave(9.0)
    d.enter("más", 9.5)
    assert d.update(10.5) == "más"


def test_leaving_resets_and_a_new_target_starts_again():
    d = DwellSelector(DwellConfig(dwell_s=1.0))
    d.enter("a", 0.0)
    d.leave(0.8)
    d.enter("a", 0.9)
    assert d.update(1.5) is None  # the first 0.8 s do not count
    d.enter("b", 1.6)
    assert d.update(2.5) is None and d.update(2.6) == "b"


def test_movement_tolerance_restarts_a_sweeping_pointer():
    d = DwellSelector(DwellConfig(dwell_s=1.0, tolerance_px=10))
    d.enter("a", 0.0, (100, 100))
    d.move((105, 103), 0.5)  # jitter: still resting
    assert d.update(1.0) == "a"
    d.leave()
    d.enter("b", 2.0, (0, 0))
    d.move((40, 0), 2.6)  # moving across the tile
    assert d.update(3.2) is None and d.update(3.6) == "b"
    untolerant = DwellSelector(DwellConfig(dwell_s=1.0))
    untolerant.enter("c", 0.0, (0, 0))
    untolerant.move((300, 300), 0.5)
    assert untolerant.update(1.0) == "c"


def test_dwell_time_must_be_positive():
    with pytest.raises(ValueError):
        DwellConfig(dwell_s=0)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    settings = {"pictogram_downloads": False, "dwell": True, "dwell_ms": 300}
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings))
    return tmp_path


def test_resting_the_pointer_on_a_tile_taps_it(qtbot, home):
    from app.ui.launcher import build_window

    w = build_window(with_speech=False, with_model=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    dwell = w.access.dwell
    assert dwell.active
    cell = w.comm.board.cell_at(0, 7)
    tile = w.board_view.tiles[f"home/{cell.id}"]
    qtbot.mouseMove(tile, QPoint(tile.width() // 2, tile.height() // 2))
    qtbot.waitUntil(lambda: dwell.target is tile, timeout=3_000)
    assert w.comm.strip.empty  # not before the dwell time
    qtbot.waitUntil(lambda: w.comm.strip.keywords == [cell.label], timeout=5_000)
    qtbot.wait(500)  # resting on: no second selection in the same visit
    assert w.comm.strip.keywords == [cell.label]


def test_a_pointer_resting_on_a_tile_at_start_up_selects_nothing(qtbot, home):
    """Dwell arms only once the pointer moves: a pointer left over a tile when the window
    opens must not type that tile into the strip."""
    from PySide6.QtGui import QCursor

    from app.ui.launcher import build_window

    w = build_window(with_speech=False, with_model=False)
    qtbot.addWidget(w)
    cell = w.comm.board.cell_at(0, 0)
    tile = w.board_view.tiles[f"home/{cell.id}"]
    w.show()
    qtbot.waitExposed(w)
    QCursor.setPos(tile.mapToGlobal(QPoint(tile.width() // 2, tile.height() // 2)))
    w.access.dwell.configure(w.settings)  # as at start: the pointer is already there
    qtbot.mouseMove(tile, QPoint(tile.width() // 2, tile.height() // 2))  # same place
    qtbot.wait(1_000)  # more than three dwell times
    assert w.comm.strip.empty
    qtbot.mouseMove(tile, QPoint(tile.width() // 2 + 3, tile.height() // 2))  # a real move
    qtbot.waitUntil(lambda: w.comm.strip.keywords == [cell.label], timeout=5_000)
