"""What reaching each word costs a switch user from the open board (Qt-free).

A scanning user pays for every highlight step and switch press. From the open board (the
window's breadcrumb) a word is reached by a chain of selections: folders, Home, Back, then the
word's cell (or a marker button). `reach_words` finds the cheapest chain to every word at once
(Dijkstra over the breadcrumbs, cost = presses + steps, each selection's cost driven through
the Scanner over exactly the rows the window scans, `selection_costs`). The prediction row
uses it to offer the words whose tile saves the most (app.session.prediction);
bench/scanning_cost.py and bench/prediction.py plan their simulated users with it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from app.boards.model import Action, Board, BoardSet, Cell
from app.core.keywords import MARKERS, Lang, keyword_text
from app.session.scanning import (
    Cost,
    ScanConfig,
    prediction_target,
    selection_costs,
    window_rows,
)

Breadcrumb = tuple[str, ...]  # the open boards from home, as the window's breadcrumb
MAX_BREADCRUMBS = 400  # imported boards can link in circles: enough for any real board set
MARKER_BUTTONS = ("past", "future", "not", "question")  # the controls row's, as window_rows
HOME, BACK = "home", "back"  # names them


@dataclass(frozen=True)
class _Target:
    """One thing the window scans: what selecting it costs, and the word it adds, the folder it
    opens (a board id) or the move it makes (`HOME`, `BACK`)."""

    target: object
    cost: Cost
    word: str | None = None
    link: str | None = None
    move: str | None = None


@dataclass(frozen=True)
class Reach:
    """The cheapest way to one word: its cost, the selections on the way (the word included),
    the boards open after it, and how many of those selections opened a folder."""

    cost: Cost
    selections: int
    path: Breadcrumb
    folders: int

    @property
    def total(self) -> int:
        return self.cost.presses + self.cost.steps


def cell_word(cell: Cell, lang: Lang) -> str:
    """The keyword text a cell adds, normalised as the strip's keywords are."""
    return keyword_text(cell.words, lang)


def marker_words(lang: Lang) -> dict[str, str]:
    """The words the window's marker buttons add, by button name."""
    m = MARKERS[lang]
    return {"past": m.past, "future": m.future, "not": m.negation, "question": m.question}


class ReachPlanner:
    """Reach costs over one board set for one scanning configuration; each board layout's
    selection costs are worked out once."""

    def __init__(self, boards: BoardSet, lang: str, config: ScanConfig) -> None:
        self.boards = boards
        self.lang = Lang(lang)
        self.config = config
        self._layouts: dict[tuple[str, int, bool, int], list[_Target]] = {}
        self._reach: dict[tuple[Breadcrumb, int, int], dict[str, Reach]] = {}

    def layout(
        self, board: Board, n_candidates: int, can_go_back: bool, n_predictions: int
    ) -> list[_Target]:
        """Everything the window scans on `board`, with what selecting it costs and does."""
        key = (board.id, n_candidates, can_go_back, n_predictions)
        if key not in self._layouts:
            rows = window_rows(board, n_candidates, can_go_back, n_predictions)
            markers = marker_words(self.lang)
            out = []
            for target, cost in selection_costs(rows, self.config):
                if isinstance(target, Cell):
                    if target.adds_words:
                        out.append(_Target(target, cost, word=cell_word(target, self.lang)))
                    elif target.action is Action.HOME:
                        out.append(_Target(target, cost, move=HOME))
                    elif target.link is not None and target.link in self.boards.boards:
                        out.append(_Target(target, cost, link=target.link))
                elif target in MARKER_BUTTONS:
                    out.append(_Target(target, cost, word=markers[str(target)]))
                elif target in (HOME, BACK):
                    out.append(_Target(target, cost, move=str(target)))
                else:  # candidates, prediction tiles, other controls: no board move
                    out.append(_Target(target, cost))
            self._layouts[key] = out
        return self._layouts[key]

    def tile_costs(self, path: Breadcrumb, n_candidates: int, n_tiles: int) -> tuple[int, ...]:
        """Presses + steps to each tile of a prediction row of `n_tiles`, on `path`'s board."""
        board = self.boards.board(path[-1])
        costs = {
            t.target: t.cost.presses + t.cost.steps
            for t in self.layout(board, n_candidates, len(path) > 1, n_tiles)
            if isinstance(t.target, str)
        }
        return tuple(costs[prediction_target(i)] for i in range(n_tiles))

    def _selections(
        self, path: Breadcrumb, n_candidates: int, n_predictions: int
    ) -> Iterator[tuple[str | None, Breadcrumb | None, Cost, bool]]:
        """(word it adds or None, the breadcrumb it opens or None, cost, whether it is a
        folder) for each target."""
        board = self.boards.board(path[-1])
        for t in self.layout(board, n_candidates, len(path) > 1, n_predictions):
            if t.word is not None:
                yield t.word, None, t.cost, False
            elif t.move == HOME:
                yield None, path[:1], t.cost, False
            elif t.move == BACK and len(path) > 1:
                yield None, path[:-1], t.cost, False
            elif t.link is not None:
                new = path[: path.index(t.link) + 1] if t.link in path else (*path, t.link)
                yield None, new, t.cost, True

    def reach_words(
        self, start: Breadcrumb, n_candidates: int, n_predictions: int = 0
    ) -> dict[str, Reach]:
        """The cheapest way to every word from `start`, with `n_candidates` sentences and
        `n_predictions` prediction tiles on screen (ties: fewer selections, then the first
        found)."""
        key = (start, n_candidates, n_predictions)
        if key not in self._reach:
            self._reach[key] = self._search(start, n_candidates, n_predictions)
        return self._reach[key]

    def _search(self, start: Breadcrumb, n_candidates: int, n_predictions: int) -> dict[str, Reach]:
        best: dict[str, Reach] = {}
        done: set[Breadcrumb] = set()
        queue: list[tuple[int, int, int, Breadcrumb, Cost, int]] = [(0, 0, 0, start, Cost(0, 0), 0)]
        order = 0  # a stable tie-break for breadcrumbs of equal cost
        while queue and len(done) < MAX_BREADCRUMBS:
            _, picks, _, path, cost, folders = heapq.heappop(queue)
            if path in done:
                continue
            done.add(path)
            for word, new, step, folder in self._selections(path, n_candidates, n_predictions):
                total = cost + step
                if word is not None:
                    reach = Reach(total, picks + 1, path, folders)
                    old = best.get(word)
                    if old is None or (reach.total, reach.selections) < (old.total, old.selections):
                        best[word] = reach
                elif new is not None and new not in done:
                    order += 1
                    priority = total.presses + total.steps
                    entry = (priority, picks + 1, order, new, total, folders + folder)
                    heapq.heappush(queue, entry)
        return best
