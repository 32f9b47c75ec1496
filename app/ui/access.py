"""The window's access features in one place: theme and zoom, switch scanning, dwell selection.

MainWindow tells it when it has re-rendered (board, strip, candidates); it re-styles the new
tiles and updates what is scanned. Plain method calls, no signals into the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize

from app.core.settings import Settings
from app.ui.dwell import DwellController
from app.ui.highlight import HighlightOverlay
from app.ui.scanning import ScanController
from app.ui.theme import apply_theme, scale_factor, style_tiles

STRIP_TILE = QSize(72, 72)
STRIP_HEIGHT = 84


class AccessController:
    def __init__(self, window) -> None:
        self.window = window
        self.overlay = HighlightOverlay(window)
        self.scanning = ScanController(window, self.overlay)
        self.dwell = DwellController(window, self.overlay)
        self.settings: Settings = window.settings

    def apply(self, settings: Settings | None = None) -> None:
        """(Re)apply everything from settings: at start and after the settings dialog."""
        if settings is not None:
            self.settings = settings
        s, w = self.settings, self.window
        apply_theme(w, s)
        w.strip_view.setFixedHeight(int(STRIP_HEIGHT * scale_factor(s)))
        self._style_board()
        self._style_strip()
        style_tiles(w.prediction_row.tiles, s)
        for lst in (w.candidate_list, w.history_list, w.favourites_list):
            lst.viewport().setMouseTracking(s.dwell)  # dwell follows the pointer over items
        self.scanning.configure(s)
        self.dwell.configure(s)
        self.overlay.follow_parent()

    def board_rendered(self) -> None:
        self._style_board()
        self.dwell.forget()
        self.scanning.refresh(reset=True)

    def strip_rendered(self) -> None:
        self._style_strip()

    def candidates_rendered(self) -> None:
        self.scanning.refresh()

    def predictions_rendered(self) -> None:
        style_tiles(self.window.prediction_row.tiles, self.settings)
        self.dwell.forget()
        self.scanning.refresh()

    def resized(self) -> None:
        self.overlay.follow_parent()
        self.scanning.refresh()

    def shutdown(self) -> None:
        self.scanning.shutdown()
        self.dwell.shutdown()

    def _style_board(self) -> None:
        style_tiles(self.window.board_view.tiles.values(), self.settings)

    def _style_strip(self) -> None:
        style_tiles(self.window.strip_view.tiles, self.settings, fixed=STRIP_TILE)
