"""The prediction row: the words most likely to come next, as tiles with their pictures.

It renders `Session.predictions` and emits the index tapped; the session decides what they are
and what a tap does. Tiles are made anew only when the words change (as the board's are on each
render, so the theme styles them the same way); the row keeps its height when it is empty, so
the panel below it does not jump after each tap. A tile that completes a message shows its
cells' pictures side by side over their words, so a user who does not read sees what it adds.
A tile that opens a folder (a switch user's row) looks like that folder's tile on the home board.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGridLayout, QWidget

from app.boards.model import Cell
from app.session.prediction import ROW_SIZE, PredictedCell
from app.ui.board_view import SPACING, cell_key
from app.ui.tiles import TOUCH_PX, Tile

COLUMNS = 4
GAP = 0.08  # between a completion's pictures, a share of their height


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
        self.keys: list[tuple[str, ...]] = []  # each tile's cells' picture keys, in order
        self._cells: list[tuple[str, Cell]] = []  # (picture key, cell) of every cell shown
        self._pictures: dict[str, QImage] = {}  # pictures arrived for the tiles shown
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
        """Show these tiles; False when they are the ones already shown (nothing was redone)."""
        shown = predictions[: self.capacity]
        cells = [[(cell_key(c.board_id, c.cell), c.cell) for c in (p, *p.then)] for p in shown]
        keys = [tuple(key for key, _ in tile) for tile in cells]
        if keys == self.keys:
            return False
        self._clear()
        self.keys = keys
        self._cells = [pair for tile in cells for pair in tile]
        for i, p in enumerate(shown):
            label = " ".join(cell.label for cell in p.cells)
            kind = "completes the message" if p.then else "predicted"
            if p.opens:  # looks like the board's folders (board_view)
                label, kind = f"{label} ▸", "opens the folder"
            tile = Tile(label, p.cell.background, parent=self)
            tile.setAccessibleDescription(f"{label} ({kind})")
            tile.clicked.connect(lambda *_, i=i: self.pressed.emit(i))
            self._grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            tile.show()
            self.tiles.append(tile)
        return True

    def wanted_pictures(self) -> list[tuple[str, Cell]]:
        """(picture key, cell) for every cell the shown tiles picture."""
        return list(self._cells)

    def _clear(self) -> None:
        for tile in self.tiles:
            tile.hide()  # gone from the screen now; Qt frees it later
            tile.deleteLater()
        self.tiles, self.keys, self._cells, self._pictures = [], [], [], {}

    def set_picture(self, key: str, picture: Path | str | QImage | None) -> None:
        for tile, keys in zip(self.tiles, self.keys, strict=True):
            if key not in keys:
                continue
            if len(keys) == 1:
                tile.set_picture(picture)
                continue
            if picture is None or picture == "":
                continue  # none found: its place stays empty
            image = picture if isinstance(picture, QImage) else QImage(str(picture))
            if not image.isNull():
                self._pictures[key] = image
                tile.set_picture(side_by_side([self._pictures.get(k) for k in keys]))


def side_by_side(images: list[QImage | None]) -> QImage:
    """One picture of several, left to right at one height; a picture not there yet leaves
    its place empty, so the others do not move when it comes."""
    height = max((im.height() for im in images if im is not None), default=1)
    gap = round(height * GAP)
    out = QImage(len(images) * (height + gap) - gap, height, QImage.Format.Format_ARGB32)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    for i, image in enumerate(images):
        if image is not None:
            scaled = image.scaled(
                height, height, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )  # fmt: skip
            x = i * (height + gap) + (height - scaled.width()) // 2
            painter.drawImage(x, (height - scaled.height()) // 2, scaled)
    painter.end()
    return out
