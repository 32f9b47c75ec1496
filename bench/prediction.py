"""What the prediction row saves (issue 15): a simulated user, next-keyword accuracy, latency.

    .venv/bin/python bench/prediction.py [--model PATH] [--items N] [--record docs/BENCHMARKS.md]

1. Simulated user on the gold messages (training/gold) and bench/scanning_cost.py's sentences,
   default boards. Without prediction the user goes through the boards as scanning_cost plans
   (cheapest one-switch row-column way: folders, home, back, the marker buttons; a word tapped in
   a folder leaves that folder open, as app/session/communicator.py does). With prediction,
   before each keyword the window shows `Predictor.rank(prefix, model scores)` as its first row;
   a keyword in that row is tapped there (one selection; the board stays open), as is a tile
   that completes the message with its next keywords (the longest that fits), any other is
   reached through the boards with the prediction row scanned first, or through a folder tile
   of the row (a switch user's) where opening that folder there is the cheaper way. The message
   ends by selecting the first candidate. Rows: the app's for touch and for scanning with no
   history; with a history of the set's other messages (leave one out: a user some weeks in who
   never repeats); and the set as said by users who repeat (`repeating_user`: half or a quarter of
   their messages new), each message with the history of those said before it.
2. Next-keyword accuracy on the corpus test split: a seeded sample, a random cut, top-1 / top-8
   over the board vocabulary (the row the user sees) and over the split's own vocabulary.
3. Latency: `predict_next` over the simulated prefixes (the app scores at the tap, during the
   sentences' debounce; the window's numbers are bench/ui_latency.py's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.boards.model import BoardSet
from app.boards.storage import load_default_boards
from app.core import paths
from app.core.keywords import Lang
from app.core.settings import Settings
from app.generation import SentenceGenerator
from app.generation.next_words import NextWordRequest, top_words
from app.generation.prompts import PromptStyle
from app.session.prediction import ROW_SIZE, Predictor, Usage, board_vocabulary
from app.session.reach import Reach, ReachPlanner
from app.session.scanning import Cost, candidate_target, prediction_target, selection_cost
from bench.latency import machine, pct, prepare_model, record
from bench.scanning_cost import CONFIG, N_CANDIDATES, SENTENCES, cheapest_word, rows_for

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "training" / "gold"
LANGS = ("es", "en")
TARGET_SELECTIONS = 0.30  # issue 15: fewer selections per message
TARGET_STEPS = 0.25  # issue 15: fewer scanning steps per message
TARGET_TOP8 = 0.60
MAX_MERGE = 3
# The ways of choosing the row that the simulation compares.
LIKELIEST = "model, likeliest first"
TOUCH = "model, touch (app: far words first)"
SCANNING = "model, scanning (app: most saved first)"
# With a history: of the other messages (leave one out: no repeats); of a user who repeats.
OTHERS = "model + history of the other messages"
REPEATS = "model + history so far"
MODES = (("touch", False), ("scanning", True))
NEW_MESSAGES = (0.5, 0.25)  # repeating users: their share of messages never said before
PERFECT = "perfect one-word row (ceiling)"
MERGE_EXAMPLE = {
    "es": "por favor",
    "en": "thank you",
}  # "por" "favor" -> the "por favor" cell: up to this many keywords in one cell

Prefix = tuple[str, ...]
Scorer = Callable[[Prefix], dict[str, float]]  # prefix -> {word: score}, as predict_next


# --- 1. the simulated user --------------------------------------------------------------------


@dataclass(frozen=True)
class MessageCost:
    selections: int  # words, folders, home/back, row tiles, the candidate
    folders: int  # folders opened
    cost: Cost  # one-switch presses and highlight steps
    from_row: int  # keywords tapped in the prediction row
    completions: int  # tiles of several keywords tapped
    opened: int = 0  # folders opened from the row (a switch user's folder tiles)


@dataclass(frozen=True)
class Opens:
    """A tile of the row that opens a folder (its breadcrumb) instead of adding words."""

    path: tuple[str, ...]


# (prefix, open boards from home) -> the prediction row's tiles (each one's words, or the folder
# it opens), best first
Tile = tuple[str, ...] | Opens
RowSource = Callable[[Prefix, tuple[str, ...]], list[Tile]]


_PLANNERS: dict[tuple[int, str], tuple[BoardSet, ReachPlanner]] = {}


def planner_for(boards: BoardSet, lang: str) -> ReachPlanner:
    """One planner per board set (its layout costs are worked out once)."""
    key = (id(boards), lang)
    if key not in _PLANNERS or _PLANNERS[key][0] is not boards:
        _PLANNERS[key] = (boards, ReachPlanner(boards, lang, CONFIG))
    return _PLANNERS[key][1]


def simulate(
    boards: BoardSet, words: Sequence[str], lang: str, rows: RowSource | None = None
) -> MessageCost:
    """One message, keyword by keyword. `rows=None`: no prediction row (exactly
    bench/scanning_cost.sentence_cost's plan)."""
    planner = planner_for(boards, lang)
    path = (boards.root,)
    total, picks, folders, hits, completions, opened = Cost(0, 0), 0, 0, 0, 0, 0
    i = 0
    while i < len(words):
        word = words[i]
        n = 0 if i == 0 else N_CANDIDATES  # candidates appear after the first word
        row = rows(tuple(words[:i]), path) if rows is not None else []
        fits = [
            j
            for j, tile in enumerate(row)
            if isinstance(tile, tuple) and tile and tuple(words[i : i + len(tile)]) == tile
        ]
        if fits:  # tapped in the row (the tile adding the most); the open board stays open
            j = max(fits, key=lambda j: len(row[j]))
            window = rows_for(boards, path, n, len(row))
            total += selection_cost(window, prediction_target(j), CONFIG)
            picks, hits, completions = (
                picks + 1,
                hits + len(row[j]),
                completions + (len(row[j]) > 1),
            )
            i += len(row[j])
            continue
        i += 1
        plan = cheapest_word(planner, path, word, n, len(row))
        # The row's folder tile that gets there cheapest, if any beats the boards' way.
        by_row = plan
        for j, tile in enumerate(row):
            if not isinstance(tile, Opens):
                continue
            there = planner.reach_words(tile.path, n, len(row)).get(word)
            if there is None:
                continue
            window = rows_for(boards, path, n, len(row))
            via = selection_cost(window, prediction_target(j), CONFIG) + there.cost
            if via.presses + via.steps < by_row.total:
                by_row = Reach(via, there.selections + 1, there.path, there.folders + 1)
        opened += by_row is not plan
        plan = by_row
        total, picks, folders, path = (
            total + plan.cost,
            picks + plan.selections,
            folders + plan.folders,
            plan.path,
        )
    row = rows(tuple(words), path) if rows is not None else []  # shown while the user picks
    speak = selection_cost(
        rows_for(boards, path, N_CANDIDATES, len(row)), candidate_target(0), CONFIG
    )
    return MessageCost(picks + 1, folders, total + speak, hits, completions, opened)


def perfect_rows(words: Sequence[str]) -> RowSource:
    """A row holding exactly the message's next word: the most a row of words can save."""
    return lambda prefix, _path: [(words[len(prefix)],)] if len(prefix) < len(words) else []


def predictor_rows(
    predictor: Predictor, scorer: Scorer, boards: BoardSet | None = None
) -> RowSource:
    """The row the app shows: the predictor's blend of `scorer` and the user's history. With
    `boards`: as the app ranks it, for a switch user when the predictor was made with a
    scanning config (the words whose tile saves the most), else for touch (words far from the
    open board first). Without: likeliest first."""

    def row(prefix: Prefix, path: tuple[str, ...]) -> list[Tile]:
        extra = scan = None
        if boards is not None:
            extra = predictor.extra_selections(boards, path)
            scan = predictor.scan_costs(path, N_CANDIDATES if prefix else 0)
        ranked = predictor.rank(prefix, scorer(prefix), extra, scan)
        return [Opens(p.opens) if p.opens else p.words for p in ranked]

    return row


def always(rows: RowSource) -> Callable[[Sequence[str]], RowSource]:
    """The same row source for every message."""
    return lambda _words: rows


def with_history(
    boards: BoardSet,
    lang: str,
    scorer: Scorer,
    history: Callable[[int], list[list[str]]],
    messages: list[list[str]],
    scanning: bool,
) -> Callable[[Sequence[str]], RowSource]:
    """For each message (the i-th), the app's row (for a switch user or touch) after the user
    spoke each of `history(i)` once."""
    predictor = Predictor(boards, lang, Usage(), scan=CONFIG if scanning else None)
    rows = predictor_rows(predictor, scorer, boards)

    def source(words: Sequence[str]) -> RowSource:
        i = next(i for i, m in enumerate(messages) if m is words)
        predictor.usage = history_of(history(i))
        return rows

    return source


def repeating_user(
    messages: list[list[str]], seed: int, new: float
) -> tuple[list[list[str]], Callable[[int], list[list[str]]], float]:
    """A user who says some messages again and again: 2n draws, each a message never said
    before with probability `new` (the set's messages in a seeded order), else one said
    before, the k-th said first weighing 1/k (Zipf's law: the first favourites stay the
    most said). Both are assumptions: there is no AAC message log here to measure them on.
    The second n draws are simulated, the i-th with the history of every draw before it.
    Returns (those messages, their histories, the share of them said before)."""
    rng = random.Random(seed)
    n = len(messages)
    unsaid = rng.sample(messages, n)
    said: list[list[str]] = []
    draws: list[list[str]] = []
    for _ in range(2 * n):
        if unsaid and (not said or rng.random() < new):
            said.append(unsaid.pop())
            draws.append(said[-1])
        else:
            draws.append(rng.choices(said, [1 / k for k in range(1, len(said) + 1)])[0])
    scored = [list(m) for m in draws[n:]]  # one object per draw: `with_history` finds it
    repeats = sum(m in draws[: n + i] for i, m in enumerate(scored)) / n if n else 0.0
    return scored, lambda i: draws[: n + i], repeats


def board_message(
    keywords: Sequence[str], vocabulary: Iterable[str]
) -> tuple[list[str], list[str], int]:
    """A gold message as board taps: neighbours that make one cell's words are merged ("por"
    "favor" -> "por favor", as the strip names that cell), keywords on no board are skipped.
    Returns (words, skipped, merges)."""
    vocab = set(vocabulary)
    words: list[str] = []
    skipped: list[str] = []
    merges, i = 0, 0
    while i < len(keywords):
        for size in range(min(MAX_MERGE, len(keywords) - i), 0, -1):
            phrase = " ".join(keywords[i : i + size])
            if phrase in vocab:
                words.append(phrase)
                merges += size > 1
                i += size
                break
        else:
            skipped.append(keywords[i])
            i += 1
    return words, skipped, merges


def history_of(messages: Iterable[Sequence[str]]) -> Usage:
    """The usage counts of these messages spoken once each."""
    usage = Usage()
    for words in messages:
        usage.add(list(words))
    return usage


@dataclass
class Totals:
    n: int = 0
    selections: int = 0
    folders: int = 0
    presses: int = 0
    steps: int = 0
    keywords: int = 0
    from_row: int = 0
    completions: int = 0
    opened: int = 0

    def add(self, cost: MessageCost, n_words: int) -> None:
        self.n += 1
        self.selections += cost.selections
        self.folders += cost.folders
        self.presses += cost.cost.presses
        self.steps += cost.cost.steps
        self.keywords += n_words
        self.from_row += cost.from_row
        self.completions += cost.completions
        self.opened += cost.opened

    def per_message(self, value: int) -> float:
        return value / self.n if self.n else 0.0


def run_messages(
    boards: BoardSet,
    lang: str,
    messages: list[list[str]],
    sources: dict[str, Callable[[Sequence[str]], RowSource | None]],
) -> dict[str, Totals]:
    """Totals per way of choosing the row; `sources` make each message's row source (only the
    perfect row needs to know the message)."""
    out = {name: Totals() for name in sources}
    for words in messages:
        for name, source in sources.items():
            out[name].add(simulate(boards, words, lang, source(words)), len(words))
    return out


def load_gold(lang: str, limit: int | None) -> list[list[str]]:
    lines = (GOLD / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line)["keywords"] for line in lines if line.strip()]
    return items[:limit] if limit else items


# --- the model ----------------------------------------------------------------------------------


class ModelScorer:
    """`predict_next` over a fixed vocabulary, once per prefix (both runs share it), timed."""

    def __init__(self, gen: SentenceGenerator, lang: str, words: Sequence[str]) -> None:
        self.gen, self.lang, self.words = gen, Lang(lang), tuple(words)
        self.cache: dict[Prefix, dict[str, float]] = {}
        self.seconds: list[float] = []

    def __call__(self, prefix: Prefix) -> dict[str, float]:
        if not prefix:
            return {}  # the engine does not score an empty strip
        if prefix not in self.cache:
            start = time.perf_counter()
            scores = self.gen.predict_next(NextWordRequest(self.lang, prefix, self.words))
            self.seconds.append(time.perf_counter() - start)
            self.cache[prefix] = scores
        return self.cache[prefix]


def load_generator(model: Path | None, style: str | None, threads: int) -> SentenceGenerator:
    if model is not None:
        gen = SentenceGenerator(model, style=PromptStyle(style or "finetuned"), threads=threads)
    else:
        prepare_model(None)  # as bench/latency.py: the merged model the app would load
        gen = SentenceGenerator.from_settings(Settings(), threads=threads)
    gen.load()
    return gen


# --- 2. next-keyword accuracy ------------------------------------------------------------------


def cut_items(records: Sequence[dict], lang: str, n: int, seed: int) -> list[tuple[Prefix, str]]:
    """A seeded sample of (keywords before a random cut, the keyword at the cut)."""
    rng = random.Random(seed)
    usable = [r["keywords"] for r in records if r["lang"] == lang and len(r["keywords"]) >= 2]
    sample = rng.sample(usable, min(n, len(usable)))
    items = []
    for keywords in sample:
        cut = rng.randrange(1, len(keywords))
        items.append((tuple(keywords[:cut]), keywords[cut]))
    return items


@dataclass
class Hits:
    n: int = 0
    top1: int = 0
    top8: int = 0

    def add(self, target: str, ranked: Sequence[str]) -> None:
        self.n += 1
        self.top1 += bool(ranked) and ranked[0] == target
        self.top8 += target in ranked[:ROW_SIZE]

    def rates(self) -> str:
        if not self.n:
            return "– | –"
        return f"{100 * self.top1 / self.n:.0f} % | {100 * self.top8 / self.n:.0f} %"


# --- the report ---------------------------------------------------------------------------------


def fewer(off: float, on: float) -> str:
    return f"{100 * (1 - on / off):.0f} %" if off else "–"


def simulation_table(results: dict[tuple[str, str], dict[str, Totals]]) -> list[str]:
    lines = [
        "| messages | lang | n | prediction row | selections | folders opened | presses "
        "| steps | keywords from the row | completions tapped | folder tiles tapped "
        "| fewer selections | fewer steps | fewer presses+steps |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (kind, lang), runs in results.items():
        off = runs["off"]
        for name, t in runs.items():
            pm = t.per_message
            row_share = (
                f"{100 * t.from_row / t.keywords:.0f} % | {pm(t.completions):.2f} "
                f"| {pm(t.opened):.2f}"
                if name != "off"
                else "– | – | –"
            )
            sel, steps = pm(t.selections), pm(t.steps)
            both = pm(t.presses + t.steps)
            deltas = (
                "| – | – | –"
                if name == "off"
                else f"| {fewer(pm(off.selections), sel)} | {fewer(pm(off.steps), steps)} "
                f"| {fewer(pm(off.presses + off.steps), both)}"
            )
            lines.append(
                f"| {kind} | {lang} | {t.n} | {name} | {sel:.2f} | {pm(t.folders):.2f} "
                f"| {pm(t.presses):.1f} | {steps:.1f} | {row_share} {deltas} |"
            )
    return lines


def verdicts(results: dict[tuple[str, str], dict[str, Totals]]) -> list[str]:
    """The app's rows against the issue's targets, per message set and language: selections
    by touch, steps by scanning, with each history simulated."""

    def fewer_share(off: int, on: int) -> float:
        return 1 - on / off if off else 0.0

    def verdict(value: float, target: float) -> str:
        return f"{100 * value:.1f} % ({'meets' if value >= target else 'misses'} the " + (
            f"{100 * target:.0f} %)"
        )

    out = []
    for (kind, lang), runs in results.items():
        off = runs["off"]
        sel, steps = [], []
        for name, t in runs.items():
            label = name.removesuffix(", touch").removesuffix(", scanning")
            if name == TOUCH or name.endswith(", touch"):
                share = fewer_share(off.selections, t.selections)
                sel.append(f"{label} {verdict(share, TARGET_SELECTIONS)}")
            elif name == SCANNING or name.endswith(", scanning"):
                steps.append(f"{label} {verdict(fewer_share(off.steps, t.steps), TARGET_STEPS)}")
        ceiling = fewer_share(off.selections, runs[PERFECT].selections)
        out.append(
            f"- {kind} {lang}: fewer selections by touch: {'; '.join(sel)} (a one-word row's "
            f"ceiling {100 * ceiling:.0f} %); fewer scanning steps: {'; '.join(steps)}."
        )
    return out


def ms(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{1000 * statistics.median(values):.0f} / {1000 * pct(values, 0.9):.0f}"


def run(args: argparse.Namespace) -> str:
    start = time.perf_counter()
    gen = load_generator(args.model, args.style, args.threads)
    notes: list[str] = []
    if gen.style is not PromptStyle.FINETUNED:
        notes.append(
            f"**The model uses the {gen.style} prompt: it does not predict; the rows below come "
            "from the first-word defaults and the history alone.**"
        )
    results: dict[tuple[str, str], dict[str, Totals]] = {}
    accuracy: dict[str, tuple[Hits, Hits, int]] = {}
    predict_s: dict[str, list[float]] = {}
    test_records = [
        json.loads(line)
        for line in args.test_split.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for lang in LANGS:
        boards = load_default_boards(lang)
        vocabulary = board_vocabulary(boards, lang)
        plain = Predictor(boards, lang, Usage())
        scorer = ModelScorer(gen, lang, tuple(vocabulary))
        gold_words: list[list[str]] = []
        skipped: Counter = Counter()
        merges = 0
        for keywords in load_gold(lang, args.items):
            words, missing, merged = board_message(keywords, vocabulary)
            skipped.update(missing)
            merges += merged
            if words:
                gold_words.append(words)
        notes.append(
            f"{lang}: {len(gold_words)} gold messages, {sum(map(len, gold_words))} taps; "
            f"{sum(skipped.values())} keywords on no default board skipped "
            f"({', '.join(f'{w} ×{c}' if c > 1 else w for w, c in skipped.most_common())}); "
            f'{merges} runs of keywords tapped as one multi-word cell ("{MERGE_EXAMPLE[lang]}").'
        )
        sets = {"gold": gold_words, "scanning": [s.split() for s in SENTENCES[lang]]}
        scanning = Predictor(boards, lang, Usage(), scan=CONFIG)
        for kind, messages in sets.items():
            sources: dict[str, Callable[[Sequence[str]], RowSource | None]] = {
                "off": lambda _words: None,
                LIKELIEST: always(predictor_rows(plain, scorer)),
                TOUCH: always(predictor_rows(plain, scorer, boards)),
                SCANNING: always(predictor_rows(scanning, scorer, boards)),
            }
            for mode, scan in MODES:
                sources[f"{OTHERS}, {mode}"] = with_history(
                    boards, lang, scorer, lambda i, m=messages: m[:i] + m[i + 1 :], messages, scan
                )
            sources[PERFECT] = perfect_rows
            results[(kind, lang)] = run_messages(boards, lang, messages, sources)
            # The same messages as said by users who repeat some (each with its own baseline).
            base = {name: sources[name] for name in ("off", TOUCH, SCANNING)}
            for new in NEW_MESSAGES:
                stream, history, repeats = repeating_user(messages, args.seed, new)
                sources = dict(base)
                for mode, scan in MODES:
                    sources[f"{REPEATS}, {mode}"] = with_history(
                        boards, lang, scorer, history, stream, scan
                    )
                sources[PERFECT] = perfect_rows
                user = f"{kind}, repeating, {100 * new:.0f} % new"
                results[(user, lang)] = run_messages(boards, lang, stream, sources)
                notes.append(
                    f"{user} {lang}: {len(stream)} messages simulated, {100 * repeats:.0f} % of "
                    "them said before."
                )
        predict_s[lang] = list(scorer.seconds)

        # 2. accuracy on the test split
        items = cut_items(test_records, lang, args.items or args.accuracy_items, args.seed)
        freq = Counter(w for r in test_records if r["lang"] == lang for w in r["keywords"])
        test_vocab = tuple(w for w, _ in freq.most_common(args.vocab_cap))
        on_board, split = Hits(), Hits()
        for prefix, target in items:
            if target in vocabulary:
                on_board.add(target, [p.word for p in plain.rank(prefix, scorer(prefix))])
            scores = gen.predict_next(NextWordRequest(Lang(lang), prefix, test_vocab))
            split.add(target, top_words(scores, ROW_SIZE, exclude=prefix))
        accuracy[lang] = (on_board, split, len(test_vocab))

    model = gen.choice.path.name if gen.choice else "?"
    elapsed = time.perf_counter() - start
    out = [
        f"`python bench/prediction.py{f' --items {args.items}' if args.items else ''}` on "
        f"{dt.date.today().isoformat()}, {machine()}; model `{model}` ({gen.style}), threads "
        f"{gen.threads}, {elapsed:.0f} s.",
        "",
        "**Simulated user**, default boards, one-switch row-column scanning (as "
        "`bench/scanning_cost.py`), per message. *off*: no prediction row. *model*: the row "
        f"({ROW_SIZE} tiles, scanned first) is `Predictor.rank` of the model's scores with no "
        "history: the likeliest words first; as the app ranks it for touch (words far from the "
        "open board first, judged on selections); as the app ranks it with scanning on (the "
        "words whose tile saves the most presses + steps, judged on steps). A keyword in the "
        "row is tapped there, as is a tile completing the message with its next keywords (from "
        "the history), any other through the boards, or through a folder tile of a switch user's "
        "row where opening it there is cheaper (*folder tiles tapped*). "
        "*model + history of the other messages*, "
        "for touch and for scanning: the app's row after the user spoke every other message "
        "of the set once (never this one: a user some weeks in who never repeats). *repeating, "
        "x % new*: the set as said by a user who repeats (2n seeded draws, each a message never "
        "said before with probability x, else one said before, the k-th said first weighing 1/k "
        "as in Zipf's law: assumptions, no AAC message log here to measure them on; the second "
        "n draws are simulated, each with every earlier draw as its history, against their own "
        "*off* baseline); *history so far*: the app's row with that history. "
        "*perfect one-word row (ceiling)*: a row "
        "holding exactly the next word, the most a row of single words can save: each keyword "
        "costs one selection, the folders and home trips go. A word "
        "tapped in a folder leaves the folder open (as the communicator does); the message ends "
        "by selecting the first candidate. Issue targets: "
        f">= {100 * TARGET_SELECTIONS:.0f} % fewer selections and "
        f">= {100 * TARGET_STEPS:.0f} % fewer scanning steps per message.",
        "",
        *simulation_table(results),
        "",
        *verdicts(results),
        *[f"- {note}" for note in notes],
        "",
        f"**Next-keyword accuracy** on the corpus test split (`{args.test_split.name}`): seeded "
        "sample, random cut k in [1, len-1], prefix = keywords[:k], target = keywords[k]; words "
        "already in the prefix are not offered. *board*: the row the user sees (board "
        "vocabulary, items whose target is on a board); *split*: the language's test-split "
        f"vocabulary (top {args.vocab_cap} keywords by frequency; a target outside it is a "
        f"miss). Target: top-{ROW_SIZE} >= {100 * TARGET_TOP8:.0f} %.",
        "",
        f"| lang | items | board: items | board top-1 | board top-{ROW_SIZE} | split vocabulary "
        f"| split top-1 | split top-{ROW_SIZE} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lang, (on_board, split, n_vocab) in accuracy.items():
        out.append(
            f"| {lang} | {split.n} | {on_board.n} | {on_board.rates()} | {n_vocab} "
            f"| {split.rates()} |"
        )
    out += [
        "",
        "**Latency**: `predict_next` scores the board vocabulary after each simulated prefix; "
        "the app runs it as soon as a tap changes the strip, while the sentences wait out their "
        "150 ms debounce (app/session/engine_worker.py), so this is tap -> row scores on the "
        "engine. The window's tap -> row drawn and tap -> first candidate are in "
        "`bench/ui_latency.py`'s table.",
        "",
        "| lang | predict_next calls | predict_next, median / p90 (ms) |",
        "|---|---:|---:|",
    ]
    for lang in LANGS:
        out.append(f"| {lang} | {len(predict_s[lang])} | {ms(predict_s[lang])} |")
    gen.close()
    return "\n".join(out) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", type=Path, help="a GGUF (default: what the app would load)")
    p.add_argument("--style", choices=["few-shot", "finetuned"], help="prompt style of --model")
    p.add_argument("--items", type=int, help="limit gold messages and accuracy items per language")
    p.add_argument("--accuracy-items", type=int, default=400, help="test items per language")
    p.add_argument("--vocab-cap", type=int, default=3000, help="test-split vocabulary size")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=15)
    p.add_argument(
        "--test-split",
        type=Path,
        default=paths.data_dir() / "training" / "corpus" / "test.jsonl",
        help="the corpus test split (training/ writes it)",
    )
    p.add_argument("--record", type=Path, help="Markdown file to update")
    args = p.parse_args()
    if not args.test_split.is_file():
        p.error(f"no test split at {args.test_split}: run the corpus step of training first")
    table = run(args)
    sys.stdout.write(table)
    if args.record:
        record(args.record, table, "prediction", "Prediction row (`bench/prediction.py`)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
