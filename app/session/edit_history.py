"""Undo and redo for caregiver edits (the editing use case's memory)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.boards.model import BoardSet
from app.boards.storage import board_set_from_dict, board_set_to_dict, save_board_set


@dataclass
class _Step:
    description: str
    snapshot: dict[str, Any]


class EditHistory:
    """Undo and redo for caregiver edits, by snapshots (a board set is a few hundred cells, so a
    full copy per edit is cheap and cannot get out of step the way inverse operations can).

        with history.edit("Rename cell"):
            history.current.home.cell_at(0, 0).label = "yo"

    An edit that raises, or leaves the set invalid (a link to a deleted board...), is rolled back.
    Undo/redo replace the boards inside `current`, so re-fetch Board objects by id afterwards.
    """

    def __init__(self, board_set: BoardSet, limit: int = 100) -> None:
        self.current = board_set
        self.limit = limit
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._state = 0  # bumps on every change; compared with the saved state for `dirty`
        self._saved_state = 0
        self._next_state = 1
        self._state_of_undo: list[int] = []
        self._state_of_redo: list[int] = []

    @contextmanager
    def edit(self, description: str) -> Iterator[BoardSet]:
        before = board_set_to_dict(self.current)
        try:
            yield self.current
            self.current.validate()
        except BaseException:
            self._restore(before)
            raise
        if board_set_to_dict(self.current) == before:
            return  # nothing changed: no undo step
        self._undo.append(_Step(description, before))
        self._state_of_undo.append(self._state)
        self._state = self._next_state
        self._next_state += 1
        if len(self._undo) > self.limit:
            del self._undo[0]
            del self._state_of_undo[0]
        self._redo.clear()
        self._state_of_redo.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_description(self) -> str | None:
        return self._undo[-1].description if self._undo else None

    @property
    def redo_description(self) -> str | None:
        return self._redo[-1].description if self._redo else None

    def undo(self) -> str | None:
        """Go back one edit; returns its description (None if there was nothing to undo)."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self._redo.append(_Step(step.description, board_set_to_dict(self.current)))
        self._state_of_redo.append(self._state)
        self._state = self._state_of_undo.pop()
        self._restore(step.snapshot)
        return step.description

    def redo(self) -> str | None:
        if not self._redo:
            return None
        step = self._redo.pop()
        self._undo.append(_Step(step.description, board_set_to_dict(self.current)))
        self._state_of_undo.append(self._state)
        self._state = self._state_of_redo.pop()
        self._restore(step.snapshot)
        return step.description

    def referenced_images(self) -> set[str]:
        """Every cell picture (`Cell.image`) the current set or any undo/redo step names."""
        names = {cell.image for _, cell in self.current.iter_cells() if cell.image}
        for step in (*self._undo, *self._redo):
            for board in step.snapshot.get("boards", []):
                cells = board.get("cells") or []
                names |= {c["image"] for c in cells if isinstance(c, dict) and c.get("image")}
        return names

    @property
    def dirty(self) -> bool:
        """Changed since the last `mark_saved()` (or since opening)."""
        return self._state != self._saved_state

    def mark_saved(self) -> None:
        self._saved_state = self._state

    def save(self, path: Path) -> None:
        save_board_set(self.current, path)
        self.mark_saved()

    def _restore(self, snapshot: dict[str, Any]) -> None:
        restored = board_set_from_dict(snapshot, validate=False)
        self.current.name = restored.name
        self.current.lang = restored.lang
        self.current.root = restored.root
        self.current.boards = restored.boards
