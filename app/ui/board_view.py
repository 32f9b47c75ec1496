"""The current board as a grid of tiles. Emits the tapped cell; knows nothing of what it means."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.boards.model import Board, Cell
from app.ui.tiles import Tile


def cell_key(board: Board, cell: Cell) -> str:
    return f"{board.id}/{cell.id}"


class BoardView(QWidget):
    cell_pressed = Signal(object)  # Cell

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setSpacing(6)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self.tiles: dict[str, Tile] = {}
        self.board: Board | None = None
        self.setAccessibleName("Board")

    def show_board(self, board: Board) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone from the screen now; Qt frees it later
                widget.deleteLater()
        self.tiles.clear()
        self.board = board
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 0)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 0)
        for row, col, cell in board.iter_cells():
            folder = cell.link is not None
            desc = f"{cell.label}: open folder" if folder else cell.label
            label = f"{cell.label} ▸" if folder else cell.label  # folders look like folders
            tile = Tile(label, cell.background, description=desc, parent=self)
            tile.setAccessibleName(cell.label)
            tile.clicked.connect(lambda *_, c=cell: self.cell_pressed.emit(c))
            self._grid.addWidget(tile, row, col)
            self.tiles[cell_key(board, cell)] = tile
        for r in range(board.rows):
            self._grid.setRowStretch(r, 1)
        for c in range(board.columns):
            self._grid.setColumnStretch(c, 1)

    def set_picture(self, key: str, path) -> None:
        tile = self.tiles.get(key)
        if tile is not None:
            tile.set_picture(path)
