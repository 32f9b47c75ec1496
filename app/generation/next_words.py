"""Which keyword comes next: the fine-tuned model's scores for every word a board set can add
(issue 15). The adapter learnt the task `[es] Keywords: yo querer\\nNext: agua\\n`
(`prompts.next_prompt`); the prompt shares its start with the previous tap's, so most of its
tokens are in the KV cache already.

Scoring all ~700 words costs one prompt evaluation: each word gets the log-probability of its
first token. A word of several tokens ("sonreír" = " sonre" + "ír") is refined by one more
decode step for its first token, which scores every word sharing that token at once (and a
one-token word then pays for the end of the answer). Only the first tokens of the multi-token
words ranked in the top `REFINE_WITHIN` are refined (up to `REFINE`): that is where refining
changes the row. The rest keep their first-token score less `unrefined_penalty`; a cell of
several keywords loses more, since the task answers one keyword ("see you later" rode on "see"
and, boosted as a far word, reached the row after "I like"). Measured here (one thread, the
board vocabulary, 400 test-split cuts per language): ~30 ms unrefined, +16-20 ms per refined
token, median 32-33 ms per call; board top-8 es 62 %, en 61 % with 1, 2 or 3 refined.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from app.core.keywords import Lang
from app.generation.llama_runtime import LlamaRuntime
from app.generation.prompts import next_prompt
from app.generation.sampling import logsumexp

UNREFINED_PENALTY = 1.0  # nats: an unknown continuation is taken as likely as e^-1
# A cell of several keywords ("see you later") is an answer the task never gives (one keyword
# per answer); unrefined, its first token alone ("see") would rank it with the single word.
PHRASE_PENALTY = 2.0  # nats per keyword after the first
REFINE = 3  # first tokens refined at most (each one decode step, ~16-20 ms)
REFINE_WITHIN = 16  # they come from the multi-token words ranked this high


def unrefined_penalty(word: str) -> float:
    """What a multi-token candidate loses while only its first token is scored."""
    return max(UNREFINED_PENALTY, PHRASE_PENALTY * word.count(" "))


@dataclass(frozen=True)
class NextWordRequest:
    lang: Lang
    prefix: tuple[str, ...]  # the keywords tapped so far, in tap order (split_keyword form)
    words: tuple[str, ...]  # the candidates: what the board set's cells can add


class WordTokens:
    """Token ids of " word" (no BOS), cached: the board vocabulary is scored after every tap."""

    def __init__(self, runtime: LlamaRuntime) -> None:
        self._rt = runtime
        self._cache: dict[str, tuple[int, ...]] = {}
        self._end: tuple[int, ...] | None = None

    @property
    def end(self) -> tuple[int, ...]:
        """The tokens that end an answer (a newline)."""
        if self._end is None:
            self._end = tuple(self._rt.tokenize("\n", bos=False))
        return self._end

    def __call__(self, word: str) -> tuple[int, ...]:
        tokens = self._cache.get(word)
        if tokens is None:
            tokens = tuple(self._rt.tokenize(" " + word, bos=False)) or self.end
            self._cache[word] = tokens
        return tokens


def score_words(
    runtime: LlamaRuntime,
    request: NextWordRequest,
    tokens_of: WordTokens,
    *,
    refine: int = REFINE,
    cancel: threading.Event | None = None,
) -> dict[str, float]:
    """Log-probability (natural log, approximate for long words) of each candidate word being
    the next keyword. Leaves sequence 0 holding the next-word prompt."""
    words = [w for w in dict.fromkeys(request.words) if w]
    if not words:
        return {}
    logits, _ = runtime.set_prompt(runtime.tokenize(next_prompt(request.lang, request.prefix)))
    logp = logits - logsumexp(logits)
    toks = {w: tokens_of(w) for w in words}
    scores = {w: float(logp[t[0]]) - (unrefined_penalty(w) if len(t) > 1 else 0.0)
              for w, t in toks.items()}  # fmt: skip
    # Refine where it changes the row: the first tokens of the multi-token words that rank
    # highest unrefined (" you" of "you're welcome" scores as "you" until its second token is
    # known), not the likeliest first token overall.
    ranked = sorted(scores, key=lambda w: -scores[w])[:REFINE_WITHIN]
    best = list(dict.fromkeys(toks[w][0] for w in ranked if len(toks[w]) > 1))[:refine]
    end = tokens_of.end[0]
    pos = runtime.prompt_len
    try:
        for first in best:
            if cancel is not None and cancel.is_set():
                break
            runtime.fork()
            step = runtime.step(first, pos)
            step_logp = step - logsumexp(step)
            for w, t in toks.items():
                if t[0] != first:
                    continue
                if len(t) == 1:  # a whole word that is also the start of a longer one
                    scores[w] = float(logp[first] + step_logp[end])
                else:
                    penalty = UNREFINED_PENALTY if len(t) > 2 else 0.0
                    scores[w] = float(logp[first] + step_logp[t[1]]) - penalty
    finally:
        runtime.drop_candidates()
    return scores


def top_words(scores: dict[str, float], n: int, exclude: Iterable[str] = ()) -> list[str]:
    """The n best-scored words, leaving out `exclude` (the words already tapped)."""
    taken = set(exclude)
    ranked = sorted((kv for kv in scores.items() if kv[0] not in taken), key=lambda kv: -kv[1])
    return [w for w, _ in ranked[:n]]


def softmax(scores: dict[str, float]) -> dict[str, float]:
    """Scores -> probabilities over the candidate words (they sum to 1)."""
    if not scores:
        return {}
    values = np.array(list(scores.values()))
    p = np.exp(values - values.max())
    p /= p.sum()
    return dict(zip(scores, p.tolist(), strict=True))
