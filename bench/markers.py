"""Marker fidelity by tap position: does the message survive markers tapped first, in the middle
or last?

Takes the gold items (training/gold/) that carry a marker (past, future, negation, `?`), moves
each marker first, to the middle and last, and generates with the real model, greedy
(temperature 0, so the numbers are exact on a given build). For each language and position it
reports the % of top sentences that express each marker (negation, question, past, future, by
the cues of `app.generation.text`) and how many shown candidates flip negation or question.

Two systems on the same loaded model:
- before: the keywords as tapped, every candidate shown (the engine before order-invariant
  markers and candidate checks);
- after: `prepare_keywords` (markers where training put them) and `check_candidate` on.

    python bench/markers.py [--items 24] [--model PATH] [--record docs/EVALUATION.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.files import write_report_section
from app.core.keywords import MARKERS, KeywordInput, Lang, Tense, prepare_keywords
from app.core.settings import DecodingSettings
from app.generation import SentenceGenerator
from app.generation.text import is_negated, is_question, sentence_tenses
from bench.latency import machine

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "training" / "gold"
POSITIONS = ("first", "middle", "last")
SYSTEMS = ("before", "after")
SECTION = "Marker fidelity by tap position"


def marked_items(lang: Lang, limit: int, seed: int) -> list[list[str]]:
    m = MARKERS[lang]
    markers = {m.past, m.future, m.negation, m.question}
    items = []
    for line in (GOLD / f"{lang.value}.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            keywords = json.loads(line)["keywords"]
            content = [w for w in keywords if w not in markers]
            if len(content) >= 2 and markers & set(keywords):
                items.append(keywords)
    random.Random(seed).shuffle(items)
    return items[:limit]


def moved(keywords: list[str], marker: str, position: str) -> list[str]:
    rest = [w for w in keywords if w != marker]
    at = {"first": 0, "middle": len(rest) // 2, "last": len(rest)}[position]
    return [*rest[:at], marker, *rest[at:]]


def expresses(text: str, marker: str, lang: Lang) -> bool:
    m = MARKERS[lang]
    if marker == m.negation:
        return is_negated(text, lang)
    if marker == m.question:
        return is_question(text, lang)
    wanted = Tense.PAST if marker == m.past else Tense.FUTURE
    return wanted in sentence_tenses(text, lang)


def kind(marker: str, lang: Lang) -> str:
    m = MARKERS[lang]
    return {m.past: "past", m.future: "future", m.negation: "negation", m.question: "question"}[
        marker
    ]


def run(args: argparse.Namespace) -> str:
    gen = SentenceGenerator(args.model, n_candidates=3, decoding=DecodingSettings(temperature=0.0))
    gen.load()
    greedy = DecodingSettings(temperature=0.0)
    # (system, lang, position) -> marker kind -> [expressed, total]; flips -> [flipped, shown]
    hits: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    flips: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    empty: dict[tuple, int] = defaultdict(int)
    examples: list[str] = []
    start = time.perf_counter()
    for lang in (Lang.ES, Lang.EN):
        m = MARKERS[lang]
        for keywords in marked_items(lang, args.items, args.seed):
            meant = prepare_keywords(keywords, lang)
            for marker in [w for w in keywords if w in (m.past, m.future, m.negation, m.question)]:
                for position in POSITIONS:
                    tapped = moved(keywords, marker, position)
                    for system in SYSTEMS:
                        if system == "before":
                            kinput = KeywordInput(tuple(tapped), lang)
                        else:
                            kinput = prepare_keywords(tapped, lang)
                        gen.check_candidates = system == "after"
                        texts = gen.generate(kinput, 3, decoding=greedy).texts
                        key = (system, lang.value, position)
                        cell = hits[key][kind(marker, lang)]
                        cell[0] += bool(texts) and expresses(texts[0], marker, lang)
                        cell[1] += 1
                        empty[key] += not texts
                        for text in texts:
                            flips[key][1] += 1
                            flips[key][0] += is_negated(text, lang) != meant.is_negated or (
                                is_question(text, lang) != meant.is_question
                            )
                        if position == "last" and len(examples) < args.examples:
                            examples.append(f"{system}: `{' '.join(tapped)}` → {' / '.join(texts)}")
    elapsed = time.perf_counter() - start
    return report(hits, flips, empty, examples, args, gen, elapsed)


def pct(cell: list[int]) -> str:
    return f"{100 * cell[0] / cell[1]:.0f} % ({cell[1]})" if cell[1] else "–"


def report(hits, flips, empty, examples, args, gen, elapsed) -> str:
    kinds = ("past", "future", "negation", "question")
    lines = [
        "| system | lang | marker tapped | " + " | ".join(kinds) + " | flips / shown | empty |",
        "|---|---|---|" + "---|" * len(kinds) + "---|---|",
    ]
    for system in SYSTEMS:
        for lang in ("es", "en"):
            for position in POSITIONS:
                key = (system, lang, position)
                cells = " | ".join(pct(hits[key][k]) for k in kinds)
                f = flips[key]
                lines.append(
                    f"| {system} | {lang} | {position} | {cells} | {f[0]} / {f[1]} | {empty[key]} |"
                )
    model = gen.choice.path.name if gen.choice else "?"
    head = [
        f"`python bench/markers.py --items {args.items}` on {dt.date.today().isoformat()}, "
        f"{machine()}; model `{model}` ({gen.style}), greedy (temperature 0), 3 candidates, "
        f"{elapsed:.0f} s.",
        "",
        "Gold items with a marker and at least two other keywords; each marker moved first, to "
        "the middle and last. Cells: % of top sentences that express the marker (cues of "
        "`app/generation/text.py`), with the number of requests. *flips*: shown candidates whose "
        "negation or question differs from the message. *empty*: requests where no candidate "
        "passed the checks (the app then shows none). *before*: keywords as tapped, no checks; "
        "*after*: `prepare_keywords` puts markers where training put them, and "
        "`check_candidate` hides contradicting candidates.",
        "",
    ]
    tail = ["", "Some requests with the marker tapped last:", ""]
    tail += [f"- {e}" for e in examples]
    return "\n".join([*head, *lines, *tail]) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--items", type=int, default=24, help="gold items per language")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--model", default=None, help="a GGUF (default: the app's own model)")
    p.add_argument("--examples", type=int, default=8)
    p.add_argument("--record", type=Path, help="write the table into this Markdown file")
    args = p.parse_args()
    section = run(args)
    print(section)
    if args.record:
        write_report_section(args.record, "markers", section, SECTION, "# Evaluation")


if __name__ == "__main__":
    main()
