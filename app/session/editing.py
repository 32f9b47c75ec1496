"""Caregiver edits over a board set, Qt-free: every operation is one undo step and is saved at
once (atomically, with a backup) through app.boards.storage.

    editor = BoardEditor(board_set, user_boards_path("es"))
    cell = editor.add_cell("home", "zumo")
    editor.move_cell("home", cell.id, 0, 0)
    editor.undo()

Operations raise BoardError with a message fit for the caregiver (a full board, a grid too small
for its cells...); a failed operation changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.boards.model import (
    MAX_LABEL_CHARS,
    Action,
    Board,
    BoardError,
    BoardSet,
    Category,
    Cell,
    slug,
)
from app.session.edit_history import EditHistory

log = logging.getLogger(__name__)

# The label of the "back to the home board" cell a new folder gets, as the default boards have it.
HOME_CELL_LABEL = {"es": "inicio", "en": "home board"}


def _colour(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if len(value) != 7 or value[0] != "#" or any(c not in "0123456789abcdef" for c in value[1:]):
        raise BoardError(f"{value!r} is not a colour; use #rrggbb.")
    return value


class BoardEditor:
    def __init__(self, board_set: BoardSet, path: Path | None) -> None:
        """`path` None: edits are not saved (tools, previews)."""
        self.history = EditHistory(board_set)
        self.path = path
        self._new_pictures: set[Path] = set()  # written by imports in this editor

    @property
    def boards(self) -> BoardSet:
        return self.history.current

    def board(self, board_id: str) -> Board:
        return self.boards.board(board_id)

    def cell(self, board_id: str, cell_id: str) -> Cell:
        cell = self.board(board_id).find_cell(cell_id)
        if cell is None:
            raise BoardError(f"There is no cell {cell_id!r} on board {board_id!r}.")
        return cell

    # --- cells ---------------------------------------------------------------------------------
    def add_cell(
        self,
        board_id: str,
        label: str,
        *,
        at: tuple[int, int] | None = None,
        keywords: list[str] | None = None,
        category: Category = Category.NOUNS,
        pictogram_id: int | None = None,
    ) -> Cell:
        """A new word cell at `at`, or at the first free slot in reading order."""
        label = self._label(label)
        board = self.board(board_id)
        row, col = at if at is not None else self._free_slot(board)
        if board.cell_at(row, col) is not None:
            raise BoardError(f"The place ({row + 1}, {col + 1}) is taken; pick an empty one.")
        with self._edit(f"Add {label!r}"):
            cell = Cell(
                id=board.new_cell_id(label),
                label=label,
                keywords=self._keywords(keywords),
                category=category,
                pictogram_id=pictogram_id,
            )
            board.set_cell(row, col, cell)
        return self.cell(board_id, cell.id)

    def remove_cell(self, board_id: str, cell_id: str) -> None:
        """Remove a cell. A folder's board stays in the set (it can be linked again)."""
        board = self.board(board_id)
        cell = self.cell(board_id, cell_id)
        with self._edit(f"Remove {cell.label!r}"):
            board.cells[board.cells.index(cell)] = None

    def move_cell(self, board_id: str, cell_id: str, row: int, col: int) -> None:
        """Put a cell at (row, col); a cell already there takes its old place (a swap)."""
        board = self.board(board_id)
        cell = self.cell(board_id, cell_id)
        old = board.position_of(cell_id)
        assert old is not None
        if not (0 <= row < board.rows and 0 <= col < board.columns):
            raise BoardError(
                f"({row + 1}, {col + 1}) is outside the {board.rows}x{board.columns} grid."
            )
        if (row, col) == old:
            return
        with self._edit(f"Move {cell.label!r}"):
            other = board.cell_at(row, col)
            board.cells[old[0] * board.columns + old[1]] = other
            board.cells[row * board.columns + col] = cell

    def move_by(self, board_id: str, cell_id: str, d_row: int, d_col: int) -> tuple[int, int]:
        """Arrow-button move: one step, stopping at the edge. Returns the new position."""
        board = self.board(board_id)
        pos = board.position_of(cell_id)
        if pos is None:
            raise BoardError(f"There is no cell {cell_id!r} on board {board_id!r}.")
        row = min(max(pos[0] + d_row, 0), board.rows - 1)
        col = min(max(pos[1] + d_col, 0), board.columns - 1)
        self.move_cell(board_id, cell_id, row, col)
        return row, col

    def relabel(self, board_id: str, cell_id: str, label: str) -> None:
        label = self._label(label)
        with self._edit(f"Rename to {label!r}"):
            self.cell(board_id, cell_id).label = label

    def set_keywords(self, board_id: str, cell_id: str, keywords: list[str] | None) -> None:
        """What the cell adds to the sentence; None or [] means "the label"."""
        with self._edit("Change keywords"):
            self.cell(board_id, cell_id).keywords = self._keywords(keywords)

    def set_category(self, board_id: str, cell_id: str, category: Category) -> None:
        with self._edit(f"Category {category.value}"):
            self.cell(board_id, cell_id).category = Category(category)

    def set_colour(self, board_id: str, cell_id: str, colour: str | None) -> None:
        """A colour overriding the category's (None: the category colour again)."""
        colour = _colour(colour)
        with self._edit("Change colour"):
            self.cell(board_id, cell_id).color = colour

    def set_pictogram(self, board_id: str, cell_id: str, pictogram_id: int | None) -> None:
        if pictogram_id is not None and int(pictogram_id) <= 0:
            raise BoardError(f"{pictogram_id!r} is not a pictogram id.")
        with self._edit("Change pictogram"):
            cell = self.cell(board_id, cell_id)
            cell.pictogram_id = None if pictogram_id is None else int(pictogram_id)
            cell.image = None  # the chosen pictogram replaces a custom picture

    def link(self, board_id: str, cell_id: str, target: str | None) -> None:
        """Make the cell open board `target` (None: a word cell again)."""
        if target is not None:
            self.board(target)  # raises for a board that does not exist
            if target == board_id:
                raise BoardError("A folder cannot open the board it is on.")
        with self._edit("Link to folder" if target else "Unlink folder"):
            cell = self.cell(board_id, cell_id)
            cell.link = target
            if target is not None and cell.action is not Action.MARKER:
                cell.action = None

    def update_cell(
        self,
        board_id: str,
        cell_id: str,
        *,
        label: str,
        keywords: list[str] | None,
        category: Category,
        link: str | None,
    ) -> None:
        """The editor's "Apply": label, keywords, category and folder link as one undo step."""
        label = self._label(label)
        if link is not None:
            self.board(link)
            if link == board_id:
                raise BoardError("A folder cannot open the board it is on.")
        with self._edit(f"Edit {label!r}"):
            cell = self.cell(board_id, cell_id)
            cell.label, cell.keywords = label, self._keywords(keywords)
            cell.category, cell.link = Category(category), link
            if link is not None and cell.action is not Action.MARKER:
                cell.action = None

    # --- boards --------------------------------------------------------------------------------
    def resize(self, board_id: str, rows: int, columns: int) -> None:
        board = self.board(board_id)
        if (rows, columns) == (board.rows, board.columns):
            return
        with self._edit(f"Grid {rows}x{columns}"):
            board.resize(rows, columns)

    def rename_board(self, board_id: str, name: str) -> None:
        name = self._label(name)
        with self._edit(f"Rename board to {name!r}"):
            self.board(board_id).name = name

    def create_folder(
        self,
        parent_id: str,
        name: str,
        *,
        rows: int = 4,
        columns: int = 6,
        at: tuple[int, int] | None = None,
    ) -> tuple[Board, Cell]:
        """A new board and a folder cell on `parent_id` that opens it. The new board starts with
        a "home" cell in its first slot, so the user always has a way back."""
        name = self._label(name)
        parent = self.board(parent_id)
        row, col = at if at is not None else self._free_slot(parent)
        if parent.cell_at(row, col) is not None:
            raise BoardError(f"The place ({row + 1}, {col + 1}) is taken; pick an empty one.")
        lang = self.boards.lang
        board_id, n = slug(name) or "folder", 2
        while board_id in self.boards.boards:
            board_id, n = f"{slug(name) or 'folder'}-{n}", n + 1
        with self._edit(f"New folder {name!r}"):
            board = Board(id=board_id, name=name, rows=rows, columns=columns, lang=lang)
            home_label = HOME_CELL_LABEL.get(lang, HOME_CELL_LABEL["en"])
            board.set_cell(
                0,
                0,
                Cell(id="home", label=home_label, category=Category.CONTROLS, action=Action.HOME),
            )
            self.boards.add_board(board)
            folder = Cell(id=parent.new_cell_id(name), label=name, link=board_id)
            parent.set_cell(row, col, folder)
        return self.board(board_id), self.cell(parent_id, folder.id)

    def replace_all(
        self,
        board_set: BoardSet,
        description: str = "Import boards",
        new_pictures: list[Path] | tuple[Path, ...] = (),
    ) -> None:
        """Put an imported set in place of the current one (undo brings the old one back). The
        set keeps its language: it is stored as this language's boards. `new_pictures`: the
        files the import wrote; they belong to this step and go when no step names them."""
        board_set.validate()
        try:
            with self._edit(description):
                current = self.boards
                current.name, current.root, current.boards = (
                    board_set.name,
                    board_set.root,
                    board_set.boards,
                )
        finally:
            self._new_pictures.update(Path(p) for p in new_pictures)
            self._drop_unused_pictures()

    # --- undo ----------------------------------------------------------------------------------
    def undo(self) -> str | None:
        done = self.history.undo()
        if done is not None:
            self._save()
        return done

    def _drop_unused_pictures(self) -> None:
        """Remove pictures an import wrote once neither the boards nor any undo/redo step can
        show them any more (an undone import whose redo was replaced by a new edit)."""
        if self.path is None or not self._new_pictures:
            return
        base = self.path.parent
        used = self.history.referenced_images()
        for file in list(self._new_pictures):
            try:
                rel = file.resolve().relative_to(base.resolve()).as_posix()
            except (OSError, ValueError):
                self._new_pictures.discard(file)
                continue
            if rel not in used:
                file.unlink(missing_ok=True)
                self._new_pictures.discard(file)

    def redo(self) -> str | None:
        done = self.history.redo()
        if done is not None:
            self._save()
        return done

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    # --- helpers -------------------------------------------------------------------------------
    @contextmanager
    def _edit(self, description: str) -> Iterator[None]:
        """One undo step, saved when it succeeds (a failed step is rolled back by EditHistory)."""
        with self.history.edit(description):
            yield
        self._save()
        self._drop_unused_pictures()  # a new step clears the redo list

    def _save(self) -> None:
        if self.path is None:
            return
        self.history.save(self.path)

    @staticmethod
    def _label(label: str) -> str:
        label = " ".join(str(label).split())
        if not label:
            raise BoardError("A cell needs a label.")
        if len(label) > MAX_LABEL_CHARS:
            raise BoardError(f"Labels are at most {MAX_LABEL_CHARS} characters.")
        return label

    @staticmethod
    def _keywords(keywords: list[str] | None) -> list[str] | None:
        words = [" ".join(k.split()).lower() for k in keywords or [] if k.strip()]
        return words or None

    @staticmethod
    def _free_slot(board: Board) -> tuple[int, int]:
        for i, cell in enumerate(board.cells):
            if cell is None:
                return divmod(i, board.columns)
        raise BoardError(
            f"{board.name!r} is full ({board.rows}x{board.columns}); make the grid bigger first."
        )
