"""What a tap means: the communicator's state (board set, open board, strip, mode) and the
decisions the window only renders. Qt-free so tests drive it directly."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.boards.model import Action, Board, BoardSet, Category, Cell
from app.core.strip import SentenceStrip, StripItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TapOutcome:
    strip_changed: bool = False
    board_changed: bool = False
    speak_text: str | None = None  # say this now (a tile in speak-each-tile mode)
    speak_sentence: bool = False  # say the best candidate (a "speak" cell)


@dataclass
class Communicator:
    boards: BoardSet
    speak_each_tile: bool = False  # off: quiet build mode, tiles do not speak on tap
    strip: SentenceStrip = field(default_factory=SentenceStrip)
    path: list[str] = field(default_factory=list)  # open boards from home: the breadcrumb

    def __post_init__(self) -> None:
        if not self.path:
            self.path = [self.boards.root]

    @property
    def lang(self) -> str:
        return self.boards.lang

    @property
    def board(self) -> Board:
        return self.boards.board(self.path[-1])

    @property
    def breadcrumb(self) -> list[Board]:
        return [self.boards.board(b) for b in self.path]

    def replace_boards(self, boards: BoardSet) -> None:
        """A new board set (language switch, edit, import): back home, strip kept."""
        self.boards = boards
        self.path = [boards.root]

    def open_board(self, board_id: str) -> bool:
        if board_id not in self.boards.boards:
            log.warning("Cell links to missing board %r", board_id)
            return False
        if board_id in self.path:  # a link back up the breadcrumb goes back, not deeper
            del self.path[self.path.index(board_id) + 1 :]
        else:
            self.path.append(board_id)
        return True

    def open_path(self, path: Sequence[str]) -> bool:
        """Open a breadcrumb from home (a folder tile of the prediction row); whether the open
        boards changed (not when a board on it is gone)."""
        known = self.boards.boards
        if not path or path[0] != self.boards.root or any(b not in known for b in path):
            log.warning("No such folder path %r", path)
            return False
        changed = list(path) != self.path
        self.path = list(path)
        return changed

    def go_back(self) -> bool:
        if len(self.path) > 1:
            self.path.pop()
            return True
        return False

    def go_home(self) -> bool:
        changed = len(self.path) > 1
        del self.path[1:]
        return changed

    def tap(self, cell: Cell) -> TapOutcome:
        if cell.action is Action.CLEAR:
            had = not self.strip.empty
            self.strip.clear()
            return TapOutcome(strip_changed=had)
        if cell.action is Action.BACKSPACE:
            return TapOutcome(strip_changed=self.strip.remove_last() is not None)
        if cell.action is Action.HOME:
            return TapOutcome(board_changed=self.go_home())
        if cell.action is Action.SPEAK:
            return TapOutcome(speak_sentence=True)
        if cell.link is not None and cell.action is not Action.MARKER:
            return TapOutcome(board_changed=self.open_board(cell.link))
        self.strip.add(
            StripItem(
                label=cell.label,
                words=cell.words,
                pictogram_id=cell.pictogram_id,
                background=cell.background,
                marker=cell.action is Action.MARKER or cell.category is Category.MARKERS,
            )
        )
        spoken = (cell.vocalization or cell.label) if self.speak_each_tile else None
        return TapOutcome(strip_changed=True, speak_text=spoken)

    def remove_strip_item(self, index: int) -> bool:
        return self.strip.remove_at(index) is not None
