"""The prediction row's widgets (issue 15): a tile that completes a message shows all its
pictures and adds all its words. Real Qt widgets, offscreen; no model (history drives the row)."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from window_support import open_window

from app.core.history import Phrase
from app.core.paths import HOME_ENV


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    settings = {"pictogram_downloads": False, "predictions": True}
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings))
    return tmp_path


def square(colour: str, size: int = 64) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor(colour))
    return image


def test_a_completion_tile_pictures_its_words_and_adds_them_all(qtbot, home):
    w = open_window(qtbot)
    w.session.phrases.history = [
        Phrase("Quiero ir al baño.", "es", ("yo", "querer", "ir", "baño"), time.time(), 3)
    ]
    w.session._recount_usage()
    w.session.add_word("yo")
    w.session.add_word("querer")
    row = w.prediction_row
    qtbot.waitUntil(lambda: any(t.text() == "ir baño" for t in row.tiles), timeout=5000)
    index = next(i for i, t in enumerate(row.tiles) if t.text() == "ir baño")
    tile, keys = row.tiles[index], row.keys[index]
    assert len(keys) == 2 and "completes" in tile.accessibleDescription()
    wanted = dict(row.wanted_pictures())
    assert [wanted[k].label for k in keys] == ["ir", "baño"]  # both pictures are asked for

    row.set_picture(keys[1], square("#0000ff"))  # the second arrives first: its place is kept
    assert tile.has_picture
    image = tile.icon().pixmap(256, 128).toImage()
    assert image.width() > image.height()  # side by side
    row.set_picture(keys[0], square("#ff0000"))
    left = tile.icon().pixmap(256, 128).toImage()
    assert left.pixelColor(5, left.height() // 2).red() > 200  # the first word's picture, left

    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert w.comm.strip.keywords == ["yo", "querer", "ir", "baño"]


def test_a_folder_tile_looks_like_a_folder_and_opens_it(qtbot, home):
    settings = home / "config" / "settings.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "scan_mode": "row-column"}))
    w = open_window(qtbot)
    session = w.session
    session.add_word("yo")
    vocabulary = session.predictor.vocabulary
    folder = vocabulary["agua"][0]
    session._update_predictions({word: -1.0 for word, (b, _) in vocabulary.items() if b == folder})
    row = w.prediction_row
    assert session.row_size == row.capacity  # ranked for the tiles this screen shows
    index = next(i for i, t in enumerate(session.predictions) if t.opens)
    tile = row.tiles[index]
    assert tile.text().endswith("▸") and "opens the folder" in tile.accessibleDescription()
    assert dict(row.wanted_pictures())[row.keys[index][0]].link == folder  # the folder's picture
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert w.comm.path == [w.comm.boards.root, folder]
    assert w.comm.strip.keywords == ["yo"]
