"""The prediction row: the words most likely to come next, as tiles with their pictures.

It renders `Session.predictions` and emits the index tapped; the session decides what they are
and what a tap does. Tiles are made anew only when the words change (as the board's are on each
render, so the theme styles them the same way); the row keeps its height when it is empty, so
the panel below it does not jump after each tap.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.session.prediction import ROW_SIZE, PredictedCell
from app.ui.board_view import SPACING, cell_key
from app.ui.tiles import TOUCH_PX, Tile

COLUMNS = 4


class PredictionRow(QWidget):
    pressed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Predicted pictograms")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(SPACING)
        for c in range(COLUMNS):
            self._grid.setColumnStretch(c, 1)
        self.tiles: list[Tile] = []
        self.keys: list[str] = []
        self.capacity = 0
        self.set_rows(ROW_SIZE // COLUMNS)

    def set_rows(self, rows: int) -> None:
        """Two rows of four on a tall screen, one on a short one (a 1024x600 tablet): the
        sentences and the phrase buttons below must still fit."""
        rows = max(1, min(rows, (ROW_SIZE + COLUMNS - 1) // COLUMNS))
        if rows * COLUMNS == self.capacity:
            return
        self.capacity = rows * COLUMNS
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 1 if r < rows else 0)
        self.setMinimumHeight(rows * TOUCH_PX + (rows - 1) * SPACING)
        self._clear()  # the next show_predictions lays the tiles out again

    def show_predictions(self, predictions: list[PredictedCell]) -> bool:
        """Show these words; False when they are the ones already shown (nothing was redone)."""
        shown = predictions[: self.capacity]
        keys = [cell_key(p.board_id, p.cell) for p in shown]
        if keys == self.keys:
            return False
        self._clear()
        self.keys = keys
        for i, p in enumerate(shown):
            tile = Tile(p.cell.label, p.cell.background, parent=self)
            tile.setAccessibleDescription(f"{p.cell.label} (predicted)")
            tile.clicked.connect(lambda *_, i=i: self.pressed.emit(i))
            self._grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            tile.show()
            self.tiles.append(tile)
        return True

    def _clear(self) -> None:
        for tile in self.tiles:
            tile.hide()  # gone from the screen now; Qt frees it later
            tile.deleteLater()
        self.tiles, self.keys = [], []

    def set_picture(self, key: str, picture) -> None:
        for tile, k in zip(self.tiles, self.keys, strict=True):
            if k == key:
                tile.set_picture(picture)
