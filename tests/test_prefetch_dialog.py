"""Prefetching from the window's progress dialog against the local ARASAAC server."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.boards.model import Board, BoardSet, Category, Cell
from app.pictograms.cache import PictogramCache
from app.pictograms.client import ArasaacClient
from app.ui.prefetch_dialog import PrefetchDialog


def board_set() -> BoardSet:
    home = Board(id="home", name="Inicio", rows=1, columns=3, lang="es")
    home.cells[:3] = [
        Cell(id="yo", label="yo", category=Category.PEOPLE),
        Cell(id="comer", label="comer", category=Category.VERBS),
        Cell(id="agua", label="agua"),
    ]
    return BoardSet(name="Test", lang="es", root="home", boards={"home": home})


def test_dialog_downloads_the_pictograms_and_reports(qtbot, server, tmp_path):
    bs = board_set()
    done = []
    with ArasaacClient(server.base_url, timeout=0.5, retries=1, backoff=0) as client:
        cache = PictogramCache(client, tmp_path / "cache")
        dialog = PrefetchDialog(bs, cache, done.append)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    report = done[0]
    assert report.total == 3 and report.complete
    assert report.downloaded + report.cached >= 1
    ids = [c.pictogram_id for c in bs.home.filled()]
    assert all(i is not None for i in ids)  # resolved ids are remembered in the cells
    assert all(cache.cached_image_path(i) is not None for i in ids)
    assert "downloaded" in dialog.labelText()


def test_cancel_stops_early_and_keeps_what_was_fetched(qtbot, server, tmp_path):
    server.fail("slow")  # every answer takes a second: the cancel lands mid-run
    done = []
    with ArasaacClient(server.base_url, timeout=2.0, retries=0, backoff=0) as client:
        dialog = PrefetchDialog(board_set(), PictogramCache(client, tmp_path / "c"), done.append)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert done[0].stopped is not None


def test_caregiver_menu_prefetches_the_open_boards(qtbot, server, tmp_path, monkeypatch):
    """From the window's caregiver menu: ids found are stored in the user's boards."""
    import json

    from app.boards.storage import read_board_set, user_boards_path
    from app.core.paths import HOME_ENV
    from app.ui.launcher import build_window

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    (tmp_path / "config").mkdir()
    settings = {"pictogram_api_url": server.base_url}
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings))
    w = build_window(with_model=False, with_speech=False)
    qtbot.addWidget(w)
    w.pictograms.cache.client.timeout = 0.5
    dialog = w.caregiver.show_prefetch()
    qtbot.waitUntil(lambda: w.caregiver.prefetch_dialog is None, timeout=60_000)
    assert dialog.report is not None and dialog.report.downloaded > 0
    saved = read_board_set(user_boards_path("es"))
    assert any(c.pictogram_id is not None for _, c in saved.iter_cells())
