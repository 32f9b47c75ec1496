"""The current board as a grid of tiles. Emits the tapped cell; knows nothing of what it means.

The tiles share the space the window leaves for the board. When even the smallest touch target
does not fit every row (a small tablet, a large zoom), the board scrolls by whole rows instead
of shrinking tiles below what a finger or a head pointer can hit; scanning scrolls the lit row
into view (`show_widget`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QWidget

from app.boards.model import Board, Cell
from app.ui.tiles import Tile

SPACING = 4


def cell_key(board: Board | str, cell: Cell) -> str:
    """A tile's key for its picture: the board (or its id) and the cell. A predicted cell has
    the same key as its tile on its own board, so one picture request serves both."""
    board_id = board if isinstance(board, str) else board.id
    return f"{board_id}/{cell.id}"


class BoardView(QScrollArea):
    cell_pressed = Signal(object)  # Cell

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._inner = QWidget()
        self._grid = QGridLayout(self._inner)
        self._grid.setSpacing(SPACING)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self.setWidget(self._inner)
        self.tiles: dict[str, Tile] = {}
        self._at: dict[tuple[int, int], Tile] = {}
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
        self._at.clear()
        self.board = board
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 0)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 0)
        for row, col, cell in board.iter_cells():
            folder = cell.link is not None
            desc = f"{cell.label}: open folder" if folder else cell.label
            label = f"{cell.label} ▸" if folder else cell.label  # folders look like folders
            tile = Tile(label, cell.background, description=desc, parent=self._inner)
            tile.setAccessibleName(cell.label)
            tile.grid_pos = (row, col)
            tile.on_arrow = lambda dr, dc, t=tile: self._move_focus(t, dr, dc)
            tile.clicked.connect(lambda *_, c=cell: self.cell_pressed.emit(c))
            self._grid.addWidget(tile, row, col)
            self.tiles[cell_key(board, cell)] = tile
            self._at[(row, col)] = tile
        for r in range(board.rows):
            self._grid.setRowStretch(r, 1)
        for c in range(board.columns):
            self._grid.setColumnStretch(c, 1)
        self.verticalScrollBar().setValue(0)

    def _move_focus(self, tile: Tile, d_row: int, d_col: int) -> None:
        """Arrow keys move by row and column, skipping empty slots."""
        if self.board is None or tile.grid_pos is None:
            return
        row, col = tile.grid_pos
        while True:
            row, col = row + d_row, col + d_col
            if not (0 <= row < self.board.rows and 0 <= col < self.board.columns):
                return
            target = self._at.get((row, col))
            if target is not None:
                target.setFocus(Qt.FocusReason.TabFocusReason)
                self.show_widget(target)
                return

    def show_widget(self, widget: QWidget) -> None:
        """Scroll so the widget (a tile) is on screen."""
        if widget.parentWidget() is self._inner:
            self.ensureWidgetVisible(widget, 0, 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        rows = self.board.rows if self.board is not None else 1
        step = max(self._inner.height() // max(rows, 1), 1)
        self.verticalScrollBar().setSingleStep(step)  # the wheel and arrows move whole rows

    def set_picture(self, key: str, picture) -> None:
        tile = self.tiles.get(key)
        if tile is not None:
            tile.set_picture(picture)
