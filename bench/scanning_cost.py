"""What a sentence costs with one-switch row-column scanning on the default boards (Qt-free).

    .venv/bin/python bench/scanning_cost.py [--record docs/BENCHMARKS.md] [--interval 1.2]

For ten everyday sentences per language it plans the cheapest way through the boards (word by
word, app.session.reach: open folders, go home, the marker buttons) and drives
app.session.scanning's Scanner over exactly the rows the window scans (`window_rows`: the
sentence row once there are words, the board rows, the controls row), counting switch presses
and highlight steps; the sentence ends by selecting the first candidate.
Time = (steps + presses) x the scan interval: each lit place stays lit one interval.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.boards.model import BoardSet
from app.boards.storage import load_default_boards
from app.session.reach import Reach, ReachPlanner
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


def rows_for(boards: BoardSet, path: Path_, n_candidates: int, n_predictions: int = 0):
    return window_rows(boards.board(path[-1]), n_candidates, len(path) > 1, n_predictions)


def cheapest_word(
    planner: ReachPlanner, start: Path_, word: str, n: int, n_predictions: int = 0
) -> Reach:
    """The cheapest way from `start` to selecting `word` (app.session.reach: folders, Home,
    Back, the marker buttons), with `n_predictions` tiles of a prediction row scanned first
    (bench/prediction.py)."""
    reach = planner.reach_words(start, n, n_predictions).get(word)
    if reach is None:
        raise LookupError(f"{word!r} is on no board")
    return reach


def sentence_cost(boards: BoardSet, words: list[str], lang: str) -> Plan:
    planner = ReachPlanner(boards, lang, CONFIG)
    path: Path_ = (boards.root,)
    total, picks = Cost(0, 0), 0
    for i, word in enumerate(words):
        n = 0 if i == 0 else N_CANDIDATES  # candidates appear after the first word
        reach = cheapest_word(planner, path, word, n)
        total, picks, path = total + reach.cost, picks + reach.selections, reach.path
    speak = selection_cost(rows_for(boards, path, N_CANDIDATES), candidate_target(0), CONFIG)
    return Plan(total + speak, picks + 1)


def run(interval: float) -> str:
    lines = [
        f"One-switch row-column scanning, default boards, step {interval:g} s, rows in the "
        "window's scan order (the sentence row once there are words, the board, the controls); "
        "the sentence ends by selecting the first candidate.",
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
