"""What a sentence costs with one-switch row-column scanning on the default boards (Qt-free).

    .venv/bin/python bench/scanning_cost.py [--record docs/BENCHMARKS.md] [--interval 1.2]

For ten everyday sentences per language it plans the cheapest way through the boards (word by
word: open folders, go home, the marker buttons) and drives app.session.scanning's Scanner over
exactly the rows the window scans (board rows, then the sentence row, then the controls row),
counting switch presses and highlight steps; the sentence ends by selecting the first candidate.
Time = (steps + presses) x the scan interval: each lit place stays lit one interval.
"""

from __future__ import annotations

import argparse
import heapq
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.boards.model import Action, BoardSet, Cell
from app.boards.storage import load_default_boards
from app.core.keywords import MARKERS, Lang
from app.session.scanning import (
    Cost,
    ScanConfig,
    ScanMode,
    candidate_target,
    selection_cost,
    window_rows,
)
from bench.latency import record

CONFIG = ScanConfig(ScanMode.ROW_COLUMN, switches=1)
N_CANDIDATES = 3  # the window's default; the first candidate is chosen

SENTENCES = {
    "es": [
        "yo querer beber agua",
        "yo tener hambre",
        "yo querer ir baño",
        "yo estar cansado",
        "mamá venir aquí",
        "yo querer jugar pelota",
        "doler cabeza",
        "yo no querer dormir",
        "dónde estar papá",
        "yo querer comer pizza",
    ],
    "en": [
        "I want drink water",
        "I be hungry",
        "I want go bathroom",
        "I be tired",
        "mom come here",
        "I want play ball",
        "hurt head",
        "I not want sleep",
        "where be dad",
        "I want eat pizza",
    ],
}

Path_ = tuple[str, ...]  # the open boards from home, as the window's breadcrumb


@dataclass(frozen=True)
class Plan:
    cost: Cost
    selections: int  # things selected (words, folders, home, the candidate)


class WordPlan(NamedTuple):
    """The cheapest way to one word: its cost, the selections on the way (the word included),
    the boards open after it, and how many of those selections opened a folder."""

    cost: Cost
    selections: int
    path: Path_
    folders: int


def rows_for(boards: BoardSet, path: Path_, n_candidates: int, n_predictions: int = 0):
    return window_rows(boards.board(path[-1]), n_candidates, len(path) > 1, n_predictions)


def moves(boards: BoardSet, path: Path_, n_candidates: int):
    """(target, new path) for every selection that changes board."""
    board = boards.board(path[-1])
    for cell in board.filled():
        if cell.action is Action.HOME:
            yield cell, path[:1]
        elif cell.link is not None and cell.action is not Action.MARKER:
            link = cell.link
            yield cell, (path[: path.index(link) + 1] if link in path else (*path, link))
    yield "home", path[:1]
    if len(path) > 1:
        yield "back", path[:-1]


def word_targets(boards: BoardSet, path: Path_, word: str, lang: str):
    markers = MARKERS[Lang(lang)]
    buttons = {markers.past: "past", markers.future: "future", markers.negation: "not", "?": "?"}
    for cell in boards.board(path[-1]).filled():
        if cell.adds_words and " ".join(cell.words).lower() == word.lower():
            yield cell
    if word in buttons:
        yield "question" if word == "?" else buttons[word]


def cheapest_word(
    boards: BoardSet, start: Path_, word: str, lang: str, n: int, n_predictions: int = 0
) -> WordPlan:
    """Dijkstra over breadcrumb paths (cost = presses + steps): the cheapest way from `start`
    to selecting `word`, with `n_predictions` tiles of a prediction row scanned first
    (bench/prediction.py)."""
    seen: set[tuple[bool, Path_]] = set()
    queue: list[tuple[int, bool, Path_, Cost, int, int]] = [(0, False, start, Cost(0, 0), 0, 0)]
    while queue:
        _, done, path, cost, picks, folders = heapq.heappop(queue)
        if done:
            return WordPlan(cost, picks, path, folders)
        if (done, path) in seen:
            continue
        seen.add((done, path))
        rows = rows_for(boards, path, n, n_predictions)
        steps = [(t, path, True) for t in word_targets(boards, path, word, lang)]
        steps += [(t, new, False) for t, new in moves(boards, path, n) if (False, new) not in seen]
        for target, new_path, is_word in steps:
            total = cost + selection_cost(rows, target, CONFIG)
            opens = not is_word and isinstance(target, Cell) and target.action is not Action.HOME
            priority = total.presses + total.steps
            entry = (priority, is_word, new_path, total, picks + 1, folders + opens)
            heapq.heappush(queue, entry)
    raise LookupError(f"{word!r} is on no board")


def sentence_cost(boards: BoardSet, words: list[str], lang: str) -> Plan:
    path: Path_ = (boards.root,)
    total, picks = Cost(0, 0), 0
    for i, word in enumerate(words):
        n = 0 if i == 0 else N_CANDIDATES  # candidates appear after the first word
        cost, n_picks, path, _ = cheapest_word(boards, path, word, lang, n)
        total, picks = total + cost, picks + n_picks
    speak = selection_cost(rows_for(boards, path, N_CANDIDATES), candidate_target(0), CONFIG)
    return Plan(total + speak, picks + 1)


def run(interval: float) -> str:
    lines = [
        f"One-switch row-column scanning, default boards, step {interval:g} s; the sentence ends "
        "by selecting the first candidate.",
        "",
        "| lang | keywords | selections | switch presses | scan steps | time |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for lang, sentences in SENTENCES.items():
        boards = load_default_boards(lang)
        sums = [0, 0, 0]
        for sentence in sentences:
            plan = sentence_cost(boards, sentence.split(), lang)
            seconds = (plan.cost.presses + plan.cost.steps) * interval
            sums = [
                sums[0] + plan.selections,
                sums[1] + plan.cost.presses,
                sums[2] + plan.cost.steps,
            ]
            lines.append(
                f"| {lang} | {sentence} | {plan.selections} | {plan.cost.presses} | "
                f"{plan.cost.steps} | {seconds:.0f} s |"
            )
        n = len(sentences)
        mean_s = (sums[1] + sums[2]) / n * interval
        lines.append(
            f"| {lang} | **mean** | {sums[0] / n:.1f} | {sums[1] / n:.1f} | {sums[2] / n:.1f} | "
            f"{mean_s:.0f} s |"
        )
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--interval", type=float, default=1.2, help="scan step in seconds")
    p.add_argument("--record", type=Path, help="Markdown file to update")
    args = p.parse_args()
    table = run(args.interval)
    sys.stdout.write(table + "\n")
    if args.record:
        record(args.record, table, "scanning", "Switch scanning cost (`bench/scanning_cost.py`)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
