"""Switch scanning, Qt-free: a highlight walks over rows of targets and a switch picks one.

Modes:
- row-column: the highlight walks the rows; a select enters the lit row, then the highlight walks
  its items and a second select picks one. A row left alone for `row_loops` rounds gives up and
  goes back to the rows (so a row entered by mistake costs time, never a wrong word).
- linear: the highlight walks every item in reading order; a select picks the lit one.

Switches:
- one switch: `tick()` (a timer) moves the highlight; `press(Switch.SELECT)` selects.
- two switches: `press(Switch.NEXT)` moves the highlight, `press(Switch.SELECT)` selects;
  `tick()` does nothing (the user sets the pace).

After a selection the scan starts again from the top. Targets are whatever the caller puts in
the rows (cells, buttons...); `press` returns the chosen one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from app.boards.model import Board, Cell
from app.core.settings import Settings

T = TypeVar("T")


class ScanMode(StrEnum):
    ROW_COLUMN = "row-column"
    LINEAR = "linear"


class Switch(StrEnum):
    SELECT = "select"
    NEXT = "next"  # the second switch; one-switch scanning ignores it


@dataclass(frozen=True)
class ScanConfig:
    mode: ScanMode = ScanMode.ROW_COLUMN
    switches: int = 1
    row_loops: int = 2  # rounds of a row's items before going back to the rows

    def __post_init__(self) -> None:
        if self.switches not in (1, 2):
            raise ValueError("scanning uses one or two switches")
        if self.row_loops < 1:
            raise ValueError("row_loops must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> ScanConfig | None:
        """The user's scanning, or None when it is off."""
        if settings.scan_mode not in (ScanMode.ROW_COLUMN, ScanMode.LINEAR):
            return None
        return cls(ScanMode(settings.scan_mode), switches=settings.scan_switches)


class Scanner(Generic[T]):
    """The scanning state machine over `rows` (empty rows are skipped)."""

    def __init__(self, rows: Sequence[Sequence[T]], config: ScanConfig | None = None) -> None:
        self.config = config or ScanConfig()
        self._rows: list[list[T]] = []
        self.row = 0  # the lit row (row-column) or the row of the lit item (linear)
        self.item = 0  # index in `self.row`, when an item is lit
        self.in_row = False  # row-column: True once a row has been entered
        self._steps_in_row = 0
        self.set_rows(rows)

    # --- state ---------------------------------------------------------------------------------
    @property
    def rows(self) -> list[list[T]]:
        return self._rows

    @property
    def items_lit(self) -> bool:
        """True when one item is lit (linear, or inside a row); False when a whole row is."""
        return self.config.mode is ScanMode.LINEAR or self.in_row

    def highlighted(self) -> list[T]:
        """What is lit now: one item, a whole row, or nothing (no rows)."""
        if not self._rows:
            return []
        if self.items_lit:
            return [self._rows[self.row][self.item]]
        return list(self._rows[self.row])

    def set_rows(self, rows: Sequence[Sequence[T]], *, keep_position: bool = False) -> None:
        """New targets (a new board, new candidates). With `keep_position` the highlight stays
        where it was when that place still exists; otherwise the scan starts again."""
        self._rows = [list(r) for r in rows if len(r) > 0]
        still_there = self.row < len(self._rows) and self.item < len(self._rows[self.row])
        if keep_position and still_there:
            return
        self.reset()

    def reset(self) -> None:
        self.row = self.item = self._steps_in_row = 0
        self.in_row = False

    # --- input ---------------------------------------------------------------------------------
    def tick(self) -> None:
        """The one-switch timer: move the highlight on. Two-switch scanning ignores ticks."""
        if self.config.switches == 1:
            self._advance()

    def press(self, switch: Switch) -> T | None:
        """A switch press: returns the selected target, or None (moved, entered a row...)."""
        if not self._rows:
            return None
        if switch is Switch.NEXT:
            if self.config.switches == 2:
                self._advance()
            return None
        if self.config.mode is ScanMode.ROW_COLUMN and not self.in_row:
            self.in_row, self.item, self._steps_in_row = True, 0, 0
            return None
        chosen = self._rows[self.row][self.item]
        self.reset()
        return chosen

    def _advance(self) -> None:
        if not self._rows:
            return
        if self.config.mode is ScanMode.LINEAR:
            self.item += 1
            if self.item >= len(self._rows[self.row]):
                self.item, self.row = 0, (self.row + 1) % len(self._rows)
            return
        if not self.in_row:
            self.row = (self.row + 1) % len(self._rows)
            return
        length = len(self._rows[self.row])
        self._steps_in_row += 1
        if self._steps_in_row >= length * self.config.row_loops:
            self.in_row, self.item, self._steps_in_row = False, 0, 0  # back to this row
            return
        self.item = (self.item + 1) % length


# --- what the window scans, shared by the UI glue and bench/scanning_cost.py ---------------------


def board_rows(board: Board) -> list[list[Cell]]:
    """The board's filled cells, row by row (empty slots and empty rows are not scanned)."""
    rows: list[list[Cell]] = [[] for _ in range(board.rows)]
    for row, _col, cell in board.iter_cells():
        rows[row].append(cell)
    return [r for r in rows if r]


# The window's rows besides the board: a sentence row (the candidates, then "say the words") and
# a controls row. Names, not widgets, so the cost benchmark scans exactly what the window scans.
SAY = "say"
CONTROLS = ("backspace", "clear", "back", "home", "past", "future", "not", "question", "word")


def candidate_target(index: int) -> str:
    return f"candidate:{index}"


def prediction_target(index: int) -> str:
    return f"prediction:{index}"


def window_rows(
    board: Board,
    n_candidates: int,
    can_go_back: bool,
    n_predictions: int = 0,
    *,
    has_words: bool | None = None,
) -> list[list[Cell | str]]:
    """What the window scans, in order: the side panel top down, then the board, then the
    controls. The prediction row (when it shows words: the likeliest next words are the
    cheapest to reach); the sentence row (the candidates and "say the words", once the strip
    has words (`has_words`, default: when there are candidates): every message ends there, so
    it must not wait behind the whole board, as AAC apps scan the message bar first); the
    board's rows; the controls row (Back only when there is somewhere to go back to)."""
    if has_words is None:
        has_words = n_candidates > 0
    sentence: list[Cell | str] = [candidate_target(i) for i in range(n_candidates)]
    if has_words:
        sentence.append(SAY)
    controls: list[Cell | str] = [c for c in CONTROLS if c != "back" or can_go_back]
    predictions: list[Cell | str] = [prediction_target(i) for i in range(n_predictions)]
    return [r for r in (predictions, sentence) if r] + [*board_rows(board), controls]


@dataclass(frozen=True)
class Cost:
    """What one selection costs: switch presses and highlight steps (ticks or NEXT presses)."""

    presses: int
    steps: int

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.presses + other.presses, self.steps + other.steps)


def selection_cost(rows: Sequence[Sequence[T]], target: T, config: ScanConfig) -> Cost:
    """Drive a fresh Scanner until it selects `target`, counting the inputs it took."""
    scanned = [r for r in rows if len(r) > 0]  # as the Scanner keeps them
    where = next(
        ((r, i) for r, row in enumerate(scanned) for i, t in enumerate(row) if t == target),
        None,
    )
    if where is None:
        raise ValueError(f"{target!r} is not in the scanned rows")
    return _drive(Scanner(scanned, config), where)


def selection_costs(rows: Sequence[Sequence[T]], config: ScanConfig) -> list[tuple[T, Cost]]:
    """(target, what selecting it costs) for every target, in scan order (empty rows skipped),
    each driven by a fresh Scanner as `selection_cost` does."""
    scanned = [r for r in rows if len(r) > 0]
    return [
        (target, _drive(Scanner(scanned, config), (r, i)))
        for r, row in enumerate(scanned)
        for i, target in enumerate(row)
    ]


def _drive(scanner: Scanner[T], where: tuple[int, int]) -> Cost:
    """Press and step a fresh scanner until it selects the item at `where` (row, index)."""
    config = scanner.config
    presses = steps = 0
    limit = sum(len(r) for r in scanner.rows) * (config.row_loops + 2) + 2
    while steps <= limit:
        wanted = (
            (scanner.row, scanner.item) == where
            if scanner.items_lit
            else scanner.row == where[0]  # enter the target's row
        )
        if wanted:
            presses += 1
            if scanner.press(Switch.SELECT) is not None:
                return Cost(presses, steps)
            continue
        steps += 1
        if config.switches == 1:
            scanner.tick()
        else:
            scanner.press(Switch.NEXT)
            presses += 1
    raise RuntimeError("scanning never reached the target")  # a bug in this module
