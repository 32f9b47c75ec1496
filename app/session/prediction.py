"""The prediction row (issue 15), Qt-free: which words to offer after each tap.

Candidates are every word the user's board set can add, from any folder, so a predicted tile
saves the trip into that folder. Each gets a blend of:
- the model's next-keyword probabilities (`SentenceGenerator.predict_next`: the fine-tune learnt
  "keywords so far -> next keyword"), and
- the user's own history (spoken messages with their keywords, `app.core.history`): how often a
  word followed the last tapped one (bigrams), and how often it was used at all; a use counts
  half after `HALF_LIFE_DAYS`. The more history follows the last word, the more it weighs.
With nothing tapped, the user's most frequent first words, then `FIRST_WORDS`.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.boards.model import BoardSet, Cell
from app.core.history import Phrase
from app.core.keywords import Lang, split_keyword
from app.generation.next_words import NextWordRequest, softmax

ROW_SIZE = 8
HALF_LIFE_DAYS = 30.0
MAX_HISTORY_WEIGHT = 0.7  # the model keeps at least this share: history is never all there is
# What an empty strip offers before the user has a history: the Tatoeba corpus's most frequent
# first keywords that the default boards have, with querer/want (AAC requests often start with
# the verb when the subject is left out).
FIRST_WORDS = {
    "es": ("yo", "querer", "tú", "no", "qué", "él", "ella", "nosotros"),
    "en": ("I", "want", "you", "not", "what", "he", "she", "we"),
}


@dataclass(frozen=True)
class PredictedCell:
    """A predicted word and the cell it comes from (tapping it adds it as that cell would)."""

    word: str
    board_id: str
    cell: Cell


def cell_word(cell: Cell, lang: Lang) -> str:
    """The keyword text a cell adds, normalised as the strip's keywords are."""
    return " ".join(w for item in cell.words for w in split_keyword(item, lang))


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

    @classmethod
    def from_phrases(cls, phrases: Iterable[Phrase], lang: str, now: float | None = None) -> Usage:
        now = time.time() if now is None else now
        usage = cls()
        for p in phrases:
            if p.lang != lang or not p.keywords:
                continue
            age_days = max(0.0, now - p.at) / 86400 if p.at else 0.0
            usage.add(p.keywords, p.count * 0.5 ** (age_days / HALF_LIFE_DAYS))
        return usage

    def add(self, keywords: Sequence[str], weight: float = 1.0) -> None:
        words = [w for w in keywords if w]
        if not words:
            return
        self.firsts[words[0]] += weight
        for i, w in enumerate(words):
            self.words[w] += weight
            if i:
                self.follows.setdefault(words[i - 1], Counter())[w] += weight


class Predictor:
    """Ranks a board set's words as the next keyword for one language."""

    def __init__(self, boards: BoardSet, lang: str, usage: Usage, size: int = ROW_SIZE) -> None:
        self.lang = lang
        self.vocabulary = board_vocabulary(boards, lang)
        self.usage = usage
        self.size = size

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

    def rank(self, prefix: Sequence[str], model_scores: dict[str, float]) -> list[PredictedCell]:
        """The row: up to `size` cells, most likely first, none already in the strip."""
        model = softmax({w: s for w, s in model_scores.items() if w in self.vocabulary})
        history, trust = self.history_probabilities(prefix)
        if not model:
            trust = 1.0 if history else 0.0
            if not prefix:  # the defaults fill the rest of an empty strip's row
                n = len(FIRST_WORDS[self.lang])
                model = {
                    w: (n - i) / (n * (n + 1) / 2) for i, w in enumerate(FIRST_WORDS[self.lang])
                }
                trust = min(trust, MAX_HISTORY_WEIGHT) if history else 0.0
        scores: Counter = Counter()
        for w, p in model.items():
            scores[w] += (1 - trust) * p
        for w, p in history.items():
            scores[w] += trust * p
        taken = set(prefix)
        out = []
        for word, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
            if word in taken or word not in self.vocabulary or not math.isfinite(score):
                continue
            board_id, cell = self.vocabulary[word]
            out.append(PredictedCell(word, board_id, cell))
            if len(out) == self.size:
                break
        return out
