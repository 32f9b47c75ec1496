"""The prediction row (issue 15), Qt-free: which words to offer after each tap.

Candidates are every word the user's board set can add, from any folder, so a predicted tile
saves the trip into that folder. Each gets a blend of:
- the model's next-keyword probabilities (`SentenceGenerator.predict_next`: the fine-tune learnt
  "keywords so far -> next keyword"), and
- the user's own history (spoken messages with their keywords, `app.core.history`): how often a
  word followed the last tapped one (bigrams), and how often it was used at all; a use counts
  half after `HALF_LIFE_DAYS`. The more history follows the last word, the more it weighs.
With nothing tapped, the user's most frequent first words, then `FIRST_WORDS`.

A tile can also complete the message: when the strip begins a message the user has spoken
before, the rest of it ("yo querer" -> "ir baño") is one tile that adds all its keywords, as
word-prediction AAC apps offer phrase completion. Its probability: how often the user says a
message again (`Usage.repeat_rate`, their own habit: a user who never repeats gets none) x
the share of the messages that began so and went on so; at most its first word's, which
keeps the rest. At most `MAX_COMPLETIONS` such tiles, where they save more than a word.

Which likely words make the row depends on how the user selects. By touch, every selection
costs about the same, so a word that takes more selections to reach ranks higher
(`NAV_WEIGHT`). A switch user pays for every highlight step and press (`ScanCosts`): the row
holds the words whose tile saves the most on average, P(word) x (its cost through the boards -
a tile's), likeliest first; a word as cheap to reach on its board as in the row is left out.
For a switch user a tile can also open one of the home board's folders (`FolderCost`): when
the likely words are many and spread (food after "yo querer comer"), one folder tile saves more than
the word tiles it replaces, since each of those words is then a few steps away instead of a
trip home and down. A folder tile goes in only where it saves more on average, at the place
that saves most (`_with_folders`).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from app.boards.model import BoardSet, Cell
from app.core.history import Phrase
from app.core.keywords import Lang
from app.generation.next_words import NextWordRequest, softmax
from app.session.reach import Breadcrumb, ReachPlanner, cell_word
from app.session.scanning import ScanConfig

ROW_SIZE = 8
HALF_LIFE_DAYS = 30.0
# A word that takes more selections to reach from the open board saves more from the row: its
# score is multiplied by 1 + NAV_WEIGHT x the selections it would take beyond one.
NAV_WEIGHT = 1.0
SCAN_CHOICES = 64  # candidates the scanning row is chosen from (the most P x cost)
MAX_HISTORY_WEIGHT = 0.7  # history's share at most: the model always keeps 0.3
MAX_COMPLETIONS = 3  # tiles that add the rest of a message said before (the row stays words)
# Keywords one completion adds at most: their pictures share one tile side by side, and more
# would be too small to tell apart; a longer rest is offered in parts.
MAX_TILE_WORDS = 4
# Tiles of a switch user's row that may open a folder instead of adding a word: the row stays
# mostly words (a folder tile still needs the word found inside).
MAX_FOLDER_TILES = 3
FOLDER_WORDS = 200  # the likeliest words a folder tile's saving is worked out on
# Home folders a tile may open, the first on the home board: each costs one reach search per
# open board (20-70 ms for all of them on the default boards and 80-100-board OBF sets here),
# so a home board of many links does not stall the first tap.
FOLDER_CHOICES = 24
# What an empty strip offers before the user has a history, with how often each opens a
# message: the share of the Tatoeba training corpus's keyword lists that start with it (of 92k
# es / 84k en), querer/want excepted: 0.1 % there, but AAC requests often start with the verb
# when the subject is left out, so it gets 3 % (an assumption, not a measurement). Likeliest
# first; the scanning row needs real shares to weigh a first word against the others.
FIRST_WORDS: dict[str, dict[str, float]] = {
    "es": {"yo": 0.220, "tú": 0.075, "él": 0.068, "nosotros": 0.037, "ella": 0.035,
           "querer": 0.030, "qué": 0.019, "no": 0.013},
    "en": {"I": 0.219, "you": 0.078, "he": 0.072, "she": 0.041, "we": 0.036,
           "want": 0.030, "what": 0.023, "not": 0.013},
}  # fmt: skip


@dataclass(frozen=True)
class PredictedCell:
    """A predicted word and the cell it comes from (tapping it adds it as that cell would);
    a completion also adds the cells `then`, in order. A folder tile (`opens`, the breadcrumb
    it opens; `cell` is the home board's cell that opens it) adds no word."""

    word: str
    board_id: str
    cell: Cell
    then: tuple[PredictedCell, ...] = ()
    opens: Breadcrumb = ()

    @property
    def words(self) -> tuple[str, ...]:
        if self.opens:
            return ()
        return (self.word, *(c.word for c in self.then))

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.cell, *(c.cell for c in self.then))


@dataclass(frozen=True)
class FolderCost:
    """A folder a tile could open (one the home board opens): its breadcrumb, the home cell
    that opens it, and what each word costs once it is open."""

    path: Breadcrumb
    cell: Cell
    words: dict[str, int]


@dataclass(frozen=True)
class ScanCosts:
    """Presses + steps, with the row on screen: to each word through the boards, and to each
    tile of the row; `folders`: what a tile opening each home folder would cost words."""

    words: dict[str, int]
    tiles: tuple[int, ...]
    folders: tuple[FolderCost, ...] = ()
    far: int = field(init=False)  # what a word no path reaches counts: more than any other

    def __post_init__(self) -> None:
        object.__setattr__(self, "far", max(self.words.values(), default=0) + 1)

    def cost(self, words: tuple[str, ...]) -> int:
        """What a tile's words cost through the boards."""
        return sum(self.words.get(w, self.far) for w in words)


def board_vocabulary(boards: BoardSet, lang: str) -> dict[str, tuple[str, Cell]]:
    """word -> (board id, cell) for every cell that adds words; the first cell wins (home
    board first, so a predicted word shows the picture the user knows best)."""
    language = Lang(lang)
    out: dict[str, tuple[str, Cell]] = {}
    for board, cell in boards.iter_cells():
        if cell.adds_words:
            word = cell_word(cell, language)
            if word and word not in out:
                out[word] = (board.id, cell)
    return out


@dataclass
class Usage:
    """Weighted keyword counts from the user's spoken messages in one language."""

    words: Counter = field(default_factory=Counter)
    firsts: Counter = field(default_factory=Counter)
    follows: dict[str, Counter] = field(default_factory=dict)
    messages: Counter = field(default_factory=Counter)  # whole keyword lists
    said: Counter = field(default_factory=Counter)  # times each was said (not faded)

    @classmethod
    def from_phrases(cls, phrases: Iterable[Phrase], lang: str, now: float | None = None) -> Usage:
        now = time.time() if now is None else now
        usage = cls()
        for p in phrases:
            if p.lang != lang or not p.keywords:
                continue
            age_days = max(0.0, now - p.at) / 86400 if p.at else 0.0
            usage.add(p.keywords, p.count * 0.5 ** (age_days / HALF_LIFE_DAYS), p.count)
        return usage

    def add(self, keywords: Sequence[str], weight: float = 1.0, times: int = 1) -> None:
        """A message said `times` times, weighing `weight` (faded with age) in the counts."""
        words = [w for w in keywords if w]
        if not words:
            return
        self.firsts[words[0]] += weight
        self.messages[tuple(words)] += weight
        self.said[tuple(words)] += times
        for i, w in enumerate(words):
            self.words[w] += weight
            if i:
                self.follows.setdefault(words[i - 1], Counter())[w] += weight

    def repeat_rate(self) -> float:
        """How often a message the user says is one they said before (same keywords): the
        share of repeats in their history, with one repeat and one new message assumed (a new
        user's estimate is 1/2, not 0 or 1)."""
        said = sum(self.said.values())
        return (said - len(self.said) + 1) / (said + 2)


class Predictor:
    """Ranks a board set's words as the next keyword for one language."""

    def __init__(
        self,
        boards: BoardSet,
        lang: str,
        usage: Usage,
        size: int = ROW_SIZE,
        scan: ScanConfig | None = None,
    ) -> None:
        """`scan`: the user's switch scanning, if on (`scan_costs` then plans with it)."""
        self.lang = lang
        self.vocabulary = board_vocabulary(boards, lang)
        self.usage = usage
        self.size = size
        self.planner = ReachPlanner(boards, lang, scan) if scan is not None else None
        self._scan_costs: dict[tuple[Breadcrumb, int], ScanCosts] = {}  # per open board
        self.root = boards.root
        home_folders: dict[str, Cell] = {}
        for _, _, cell in boards.board(boards.root).iter_cells():
            if len(home_folders) == FOLDER_CHOICES:
                break
            if cell.link and cell.link != boards.root and cell.link in boards.boards:
                home_folders.setdefault(cell.link, cell)
        self.home_folders = home_folders  # board id -> the home cell that opens it

    def request(self, prefix: Sequence[str]) -> NextWordRequest:
        """What the engine scores (an empty prefix is answered from history alone)."""
        return NextWordRequest(Lang(self.lang), tuple(prefix), tuple(self.vocabulary))

    def history_probabilities(self, prefix: Sequence[str]) -> tuple[dict[str, float], float]:
        """P(word | last keyword) from the user's history, and how much to trust it (0..0.7)."""
        total_words = sum(self.usage.words.values())
        if not prefix:
            firsts = self.usage.firsts
            n = sum(firsts.values())
            if not n:
                return {}, 0.0
            return {w: c / n for w, c in firsts.items()}, n / (n + 2) * MAX_HISTORY_WEIGHT
        after = self.usage.follows.get(prefix[-1], Counter())
        n = sum(after.values())
        if not total_words:
            return {}, 0.0
        # Bigram counts, backed off to how often the word is used at all (weight 1 in total).
        probs = {
            w: (after.get(w, 0.0) + self.usage.words[w] / total_words) / (n + 1)
            for w in self.usage.words
        }
        trust = (n + 0.5) / (n + 2.5) * MAX_HISTORY_WEIGHT  # some weight even with no bigram
        return probs, trust

    def extra_selections(self, boards: BoardSet, path: Sequence[str]) -> dict[str, int]:
        """For each word, the selections beyond one that reaching it takes from the open board
        (`path`, the breadcrumb): 0 on it, 1 a folder down, "Home" first when it is elsewhere."""
        from_home = _hops(boards, boards.root)
        depth = from_home if not path or path[-1] == boards.root else _hops(boards, path[-1])
        out = {}
        for word, (board_id, _) in self.vocabulary.items():
            if board_id in depth:
                out[word] = depth[board_id]
            else:
                out[word] = 1 + from_home.get(board_id, 1)  # "Home", then down
        return out

    def scan_costs(self, path: Breadcrumb, n_candidates: int) -> ScanCosts | None:
        """What each word and each tile costs a switch user from the open board (`path`, the
        breadcrumb), with `n_candidates` sentences on screen; None without scanning."""
        if self.planner is None:
            return None
        key = (tuple(path), n_candidates)
        if key not in self._scan_costs:  # the same after every tap on this board
            self._scan_costs[key] = self._plan_scan_costs(key[0], n_candidates)
        return self._scan_costs[key]

    def _plan_scan_costs(self, path: Breadcrumb, n_candidates: int) -> ScanCosts:
        assert self.planner is not None
        reach = self.planner.reach_words(path, n_candidates, self.size)
        tiles = self.planner.tile_costs(path, n_candidates, self.size)
        folders = []
        for board_id, cell in self.home_folders.items():
            if board_id == path[-1]:
                continue  # open already
            crumb = (self.root, board_id)
            there = self.planner.reach_words(crumb, n_candidates, self.size)
            folders.append(FolderCost(crumb, cell, {w: r.total for w, r in there.items()}))
        return ScanCosts({w: r.total for w, r in reach.items()}, tiles, tuple(folders))

    def completions(self, prefix: Sequence[str]) -> dict[tuple[str, ...], float]:
        """The rests (two keywords or more, all on the boards; their first `MAX_TILE_WORDS`)
        of the messages said before that begin with `prefix`, each with the probability that
        the message goes on with it: that it is a repeat (`Usage.repeat_rate`) x the share of
        the messages that began so and went on so."""
        start, k = tuple(prefix), len(prefix)
        began = 0.0
        went_on: Counter = Counter()  # each beginning, two keywords or more, of the rests
        rests: set[tuple[str, ...]] = set()
        for message, weight in self.usage.messages.items():
            if len(message) < k or message[:k] != start:
                continue
            began += weight
            rest = message[k:]
            for size in range(2, min(len(rest), MAX_TILE_WORDS) + 1):
                went_on[rest[:size]] += weight
            rest = rest[:MAX_TILE_WORDS]
            if len(rest) >= 2 and all(w in self.vocabulary for w in rest):
                rests.add(rest)
        repeat = self.usage.repeat_rate()
        return {rest: repeat * went_on[rest] / began for rest in rests}

    def rank(
        self,
        prefix: Sequence[str],
        model_scores: dict[str, float],
        extra: dict[str, int] | None = None,
        scan: ScanCosts | None = None,
    ) -> list[PredictedCell]:
        """The row: up to `size` tiles, best first, no word already in the strip. `scan`
        (`scan_costs`): the tiles that save a switch user the most; else `extra`
        (`extra_selections`): words far from the open board rank higher, as the row saves more
        for them; with neither, most likely first. Completions join where they save more."""
        model = softmax({w: s for w, s in model_scores.items() if w in self.vocabulary})
        history, trust = self.history_probabilities(prefix)
        if not model and not prefix:  # the defaults fill the rest of an empty strip's row
            shares = FIRST_WORDS[self.lang]
            model = {w: share / sum(shares.values()) for w, share in shares.items()}
        elif not model:
            trust = 1.0  # no model scores: the history is all there is
        scores: Counter = Counter()
        for w, p in model.items():
            scores[w] += (1 - trust) * p
        for w, p in history.items():
            scores[w] += trust * p
        taken = set(prefix)
        # A completion is likely at most as its first word, which keeps the rest, and at least
        # the model's share: a user who goes on otherwise still finds it alone.
        completions: dict[tuple[str, ...], float] = {}
        for rest, p in self.completions(prefix).items():
            p = min(p, scores[rest[0]])
            if p > 0 and not taken & set(rest):
                completions[rest] = p
        for first in {rest[0] for rest in completions}:
            took = max(p for rest, p in completions.items() if rest[0] == first)
            scores[first] = max(scores[first] - took, (1 - trust) * model.get(first, 0.0))
        ranked = [
            ((word,), score)
            for word, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            if word not in taken and word in self.vocabulary and math.isfinite(score)
        ]

        # The completions worth most, at most MAX_COMPLETIONS of them, join the words.
        def worth(item: Item) -> tuple[float, tuple[str, ...]]:
            return -_worth(*item, extra, scan), item[0]

        items = ranked + sorted(completions.items(), key=worth)[:MAX_COMPLETIONS]
        if scan is not None:
            chosen = _saving_most(items, scan, self.size)
            words_p = {w: p for (w,), p in ranked}
            entries = _with_folders(chosen, dict(items), words_p, scan, self.size)
        else:
            items.sort(key=worth)
            entries = [words for words, _ in items[: self.size]]
        return [
            self.folder_tile(e) if isinstance(e, FolderCost) else self._tile(e) for e in entries
        ]

    def _tile(self, words: tuple[str, ...]) -> PredictedCell:
        first, *rest = (PredictedCell(w, *self.vocabulary[w]) for w in words)
        return replace(first, then=tuple(rest))

    def folder_tile(self, folder: FolderCost) -> PredictedCell:
        return PredictedCell(folder.cell.label, self.root, folder.cell, opens=folder.path)


Item = tuple[tuple[str, ...], float]  # a tile's words, the probability it is what comes next


def _worth(
    words: tuple[str, ...], p: float, extra: dict[str, int] | None, scan: ScanCosts | None
) -> float:
    """What a tile saves, roughly, to rank by: P x what its words take through the boards,
    presses + steps for a switch user, selections by touch (far words more, `NAV_WEIGHT`),
    else P x its keywords."""
    if scan is not None:
        return p * scan.cost(words)
    if extra:
        return p * sum(1 + NAV_WEIGHT * extra.get(w, 0) for w in words)
    return p * len(words)


def _saving_most(items: list[Item], scan: ScanCosts, size: int) -> list[tuple[str, ...]]:
    """The row that saves a switch user the most presses + steps on average: the j-th tile
    holds the j-th likeliest of the tiles chosen (the cheapest order), and a tile saves
    P(its words come next) x (their cost through the boards - the tile's). The choice is exact
    over the `SCAN_CHOICES` best candidates (dynamic programming over them, likeliest first);
    tiles that would save nothing go to the likeliest words left, after the others."""
    tiles = scan.tiles[:size]
    costed = [(words, p, scan.cost(words)) for words, p in items]
    pool = sorted(costed, key=lambda c: -c[1] * c[2])[:SCAN_CHOICES]
    pool.sort(key=lambda c: (-c[1], c[0]))  # likeliest first: the order of the tiles
    # best[j]: (saving, tiles' words) with j tiles filled from the candidates seen so far
    best: list[tuple[float, tuple[tuple[str, ...], ...]]] = [(0.0, ())]
    best += [(-math.inf, ())] * len(tiles)
    for words, p, cost in pool:
        for j in range(len(tiles) - 1, -1, -1):
            saving, chosen = best[j]
            gain = p * (cost - tiles[j])
            if saving > -math.inf and saving + gain > best[j + 1][0]:
                best[j + 1] = (saving + gain, (*chosen, words))
    chosen = max(best, key=lambda b: b[0])[1]
    rest = [words for words, _ in items if len(words) == 1 and words not in chosen]
    return [*chosen, *rest][:size]


def _with_folders(
    chosen: list[tuple[str, ...]],
    tile_p: dict[tuple[str, ...], float],
    words_p: dict[str, float],
    scan: ScanCosts,
    size: int,
) -> list[tuple[str, ...] | FolderCost]:
    """The row `_saving_most` chose, with up to `MAX_FOLDER_TILES` tiles that open home folders
    put in where they save the most presses + steps on average. Each of the likeliest words
    is reached the cheapest way the row offers: through the boards, its own tile, or a folder
    tile and on from there; a folder goes in (at the place that saves most, pushing the rest
    along and the last out) only while that saves more, one at a time."""
    tiles = scan.tiles[:size]
    row: list[tuple[str, ...] | int] = list(chosen[: len(tiles)])  # int: a folder's index
    if not scan.folders or len(tiles) < 2:
        return list(chosen)
    likely = sorted((w for w in words_p if w in scan.words), key=lambda w: -words_p[w])
    likely = likely[:FOLDER_WORDS]
    index = {w: i for i, w in enumerate(likely)}
    p = np.array([words_p[w] for w in likely])
    now = np.array([scan.words[w] for w in likely], dtype=float)
    via = np.array([[f.words.get(w, scan.far) for w in likely] for f in scan.folders], float)

    def saving(entries: list[tuple[str, ...] | int]) -> float:
        best = now.copy()
        other = 0.0  # completions, and words past the likeliest: their own tile or nothing
        for j, entry in enumerate(entries):
            if isinstance(entry, int):
                np.minimum(best, tiles[j] + via[entry], out=best)
            elif len(entry) == 1 and entry[0] in index:
                i = index[entry[0]]
                best[i] = min(best[i], tiles[j])
            else:
                other += tile_p.get(entry, 0.0) * max(0, scan.cost(entry) - tiles[j])
        return other + float(p @ (now - best))

    current = saving(row)
    for _ in range(MAX_FOLDER_TILES):
        best_row, best_value = None, current + 1e-9
        for f in range(len(scan.folders)):
            if f in row:
                continue
            for j in range(min(len(row) + 1, len(tiles))):
                candidate = [*row[:j], f, *row[j:]][: len(tiles)]
                value = saving(candidate)
                if value > best_value:
                    best_row, best_value = candidate, value
        if best_row is None:
            break
        row, current = best_row, best_value
    return [scan.folders[e] if isinstance(e, int) else e for e in row]


def _hops(boards: BoardSet, start: str) -> dict[str, int]:
    """Folder openings from `start` to every board below it (breadth first)."""
    seen = {start: 0}
    queue = [start]
    while queue:
        board_id = queue.pop(0)
        board = boards.boards.get(board_id)
        if board is None:
            continue
        for _, _, cell in board.iter_cells():
            if cell.link and cell.link not in seen and cell.link in boards.boards:
                seen[cell.link] = seen[board_id] + 1
                queue.append(cell.link)
    return seen
