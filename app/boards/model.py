"""Boards as plain dataclasses: a board set (home board plus sub-boards), boards, cells.

Qt-free and I/O-free: storage.py reads and writes them, obf.py converts them, the UI renders them.
A board's grid is a row-major list of `rows * columns` slots; an empty slot is None. This keeps
the caregiver's layout exactly (the user finds words by position) and maps 1:1 to OBF's
`grid.order`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

MAX_GRID_SIDE = 20  # 400 cells on one screen is already more than anyone can use
MAX_LABEL_CHARS = 80


class BoardError(ValueError):
    """A board or board set breaks a rule (duplicate id, missing sub-board, bad grid...)."""


class Category(StrEnum):
    """The Fitzgerald key (colour by word class), plus `controls` for action cells."""

    PEOPLE = "people"
    VERBS = "verbs"
    DESCRIPTORS = "descriptors"
    NOUNS = "nouns"
    SOCIAL = "social"
    QUESTIONS = "questions"
    NEGATION = "negation"
    MARKERS = "markers"
    CONTROLS = "controls"


# Light tints so black label text stays readable (WCAG contrast > 7:1 on all of them).
CATEGORY_COLOURS: dict[Category, str] = {
    Category.PEOPLE: "#fff176",  # yellow
    Category.VERBS: "#a5d6a7",  # green
    Category.DESCRIPTORS: "#90caf9",  # blue
    Category.NOUNS: "#ffcc80",  # orange
    Category.SOCIAL: "#f8bbd0",  # pink
    Category.QUESTIONS: "#ce93d8",  # purple
    Category.NEGATION: "#ef9a9a",  # red
    Category.MARKERS: "#cfd8dc",  # grey
    Category.CONTROLS: "#ffffff",
}

# The ARASAAC keyword `type` to prefer when resolving a cell's pictogram (see
# app.pictograms.client.KeywordType: 2 noun, 3 verb, 4 descriptor, 5 social). None: no preference.
CATEGORY_KEYWORD_TYPE: dict[Category, int | None] = {
    Category.PEOPLE: None,
    Category.VERBS: 3,
    Category.DESCRIPTORS: 4,
    Category.NOUNS: 2,
    Category.SOCIAL: 5,
    Category.QUESTIONS: None,
    Category.NEGATION: None,
    Category.MARKERS: None,
    Category.CONTROLS: None,
}


class Action(StrEnum):
    """What a cell does. A marker cell adds its keyword; the others add nothing."""

    SPEAK = "speak"  # say the chosen sentence
    CLEAR = "clear"  # empty the strip
    BACKSPACE = "backspace"  # remove the last keyword
    HOME = "home"  # go back to the home board
    MARKER = "marker"  # add a grammatical marker (past, future, not, ?) to the strip


_COLOUR_RE = re.compile(r"^#[0-9a-f]{6}$")


@dataclass
class Cell:
    id: str
    label: str
    keywords: list[str] | None = None  # None: the label is the keyword
    pictogram_id: int | None = None  # ARASAAC id; None until resolved by search
    category: Category = Category.NOUNS
    link: str | None = None  # id of a board in the same set
    action: Action | None = None
    vocalization: str | None = None  # a fixed phrase to say (imported boards), else None
    image: str | None = None  # a custom picture: path relative to the board set's folder
    color: str | None = None  # "#rrggbb" overriding the category colour (imported boards)
    border_color: str | None = None

    @property
    def adds_words(self) -> bool:
        """Word and marker cells add to the strip; control cells (speak, clear, backspace,
        home) and folder cells only act."""
        return self.link is None and self.action in (None, Action.MARKER)

    @property
    def words(self) -> tuple[str, ...]:
        """What the cell adds to the strip (normalised later by app.core.keywords)."""
        if not self.adds_words:
            return ()
        if self.keywords:
            return tuple(self.keywords)
        return (self.label,)

    @property
    def background(self) -> str:
        return self.color or CATEGORY_COLOURS[self.category]

    @property
    def keyword_type(self) -> int | None:
        return CATEGORY_KEYWORD_TYPE[self.category]

    @property
    def search_text(self) -> str:
        """The text used to find this cell's pictogram."""
        return " ".join(self.keywords) if self.keywords else self.label


@dataclass
class Board:
    id: str
    name: str
    rows: int
    columns: int
    cells: list[Cell | None] = field(default_factory=list)
    lang: str = "es"

    def __post_init__(self) -> None:
        if not self.cells:
            self.cells = [None] * (self.rows * self.columns)

    def cell_at(self, row: int, column: int) -> Cell | None:
        return self.cells[self._slot(row, column)]

    def set_cell(self, row: int, column: int, cell: Cell | None) -> None:
        if cell is not None:
            other = self.find_cell(cell.id)
            if other is not None and other is not self.cells[self._slot(row, column)]:
                raise BoardError(f"Board {self.id!r} already has a cell with id {cell.id!r}.")
        self.cells[self._slot(row, column)] = cell

    def iter_cells(self) -> Iterator[tuple[int, int, Cell]]:
        """(row, column, cell) for every filled slot, in reading order."""
        for i, cell in enumerate(self.cells):
            if cell is not None:
                yield (*divmod(i, self.columns), cell)

    def find_cell(self, cell_id: str) -> Cell | None:
        return next((c for c in self.cells if c is not None and c.id == cell_id), None)

    def position_of(self, cell_id: str) -> tuple[int, int] | None:
        for row, col, cell in self.iter_cells():
            if cell.id == cell_id:
                return row, col
        return None

    def new_cell_id(self, label: str = "cell") -> str:
        base = slug(label) or "cell"
        taken = {c.id for c in self.cells if c is not None}
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def resize(self, rows: int, columns: int) -> None:
        """Change the grid, keeping each cell at its (row, column) when it still fits; cells
        that fall outside move to the first free slots. Raises if they cannot all fit."""
        check_grid(rows, columns, self.id)
        new: list[Cell | None] = [None] * (rows * columns)
        homeless: list[Cell] = []
        for row, col, cell in self.iter_cells():
            if row < rows and col < columns:
                new[row * columns + col] = cell
            else:
                homeless.append(cell)
        free = [i for i, c in enumerate(new) if c is None]
        if len(homeless) > len(free):
            raise BoardError(
                f"A {rows}x{columns} grid cannot hold the {len(self.filled())} cells of "
                f"{self.name!r}; remove some first."
            )
        for slot, cell in zip(free, homeless, strict=False):
            new[slot] = cell
        self.rows, self.columns, self.cells = rows, columns, new

    def filled(self) -> list[Cell]:
        return [c for c in self.cells if c is not None]

    def problems(self) -> list[str]:
        out: list[str] = []
        try:
            check_grid(self.rows, self.columns, self.id)
        except BoardError as exc:
            out.append(str(exc))
            return out
        if len(self.cells) != self.rows * self.columns:
            out.append(
                f"Board {self.id!r} has {len(self.cells)} slots for a "
                f"{self.rows}x{self.columns} grid."
            )
        seen: set[str] = set()
        for cell in self.filled():
            if cell.id in seen:
                out.append(f"Board {self.id!r} has two cells with id {cell.id!r}.")
            seen.add(cell.id)
            if len(cell.label) > MAX_LABEL_CHARS:
                out.append(f"Cell {cell.id!r} has a label over {MAX_LABEL_CHARS} characters.")
            if not cell.label.strip() and not cell.image and cell.pictogram_id is None:
                out.append(f"Cell {cell.id!r} on {self.id!r} has neither label nor picture.")
            for colour in (cell.color, cell.border_color):
                if colour is not None and not _COLOUR_RE.match(colour):
                    out.append(f"Cell {cell.id!r} has a bad colour {colour!r} (want #rrggbb).")
            if cell.pictogram_id is not None and cell.pictogram_id <= 0:
                out.append(f"Cell {cell.id!r} has a bad pictogram id {cell.pictogram_id!r}.")
        return out

    def _slot(self, row: int, column: int) -> int:
        if not (0 <= row < self.rows and 0 <= column < self.columns):
            raise IndexError(f"({row}, {column}) is outside the {self.rows}x{self.columns} grid")
        return row * self.columns + column


@dataclass
class BoardSet:
    """A home board and its sub-boards: the unit that is saved, undone, exported."""

    name: str
    lang: str
    root: str
    boards: dict[str, Board] = field(default_factory=dict)

    @property
    def home(self) -> Board:
        return self.board(self.root)

    def board(self, board_id: str) -> Board:
        try:
            return self.boards[board_id]
        except KeyError:
            raise BoardError(f"There is no board {board_id!r} in {self.name!r}.") from None

    def add_board(self, board: Board) -> None:
        if board.id in self.boards:
            raise BoardError(f"There is already a board with id {board.id!r}.")
        self.boards[board.id] = board

    def iter_cells(self) -> Iterator[tuple[Board, Cell]]:
        for board in self.boards.values():
            for cell in board.filled():
                yield board, cell

    def cell_count(self) -> int:
        return sum(len(b.filled()) for b in self.boards.values())

    def problems(self) -> list[str]:
        out: list[str] = []
        if self.root not in self.boards:
            out.append(f"The home board {self.root!r} is missing.")
        for key, board in self.boards.items():
            if key != board.id:
                out.append(f"Board stored as {key!r} calls itself {board.id!r}.")
            out.extend(board.problems())
            for cell in board.filled():
                if cell.link is not None and cell.link not in self.boards:
                    out.append(
                        f"Cell {cell.label!r} on board {board.id!r} opens board {cell.link!r}, "
                        "which does not exist."
                    )
        return out

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise BoardError("; ".join(problems[:5]) + more)


def check_grid(rows: int, columns: int, board_id: str) -> None:
    if not (1 <= rows <= MAX_GRID_SIDE and 1 <= columns <= MAX_GRID_SIDE):
        raise BoardError(
            f"Board {board_id!r}: a grid of {rows}x{columns} is outside 1..{MAX_GRID_SIDE}."
        )


def slug(text: str) -> str:
    """An ASCII id from a label ("¿Por qué?" -> "por-que"); "" for labels with no letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40]
