"""Which keyword comes next: the fine-tuned model's scores for every word a board set can add
(issue 15). The adapter learnt the task `[es] Keywords: yo querer\\nNext: agua\\n`
(`prompts.next_prompt`); the prompt shares the sentence prompt's keyword line, so its tokens are
mostly in the KV cache already.

Scoring all ~700 words costs one prompt evaluation: each word gets the log-probability of its
first token. A word of several tokens ("sonreír" = " sonre" + "ír") is refined for the best
first tokens by one more decode step each, which scores every word sharing that first token at
once (and a one-token word then pays for the end of the answer); the rest keep their first-token
score less `UNREFINED_PENALTY`, since their continuation is unknown. Measured here (one thread,
the board vocabulary): 30 ms unrefined, +16-20 ms per refined first token; top-8 accuracy on the
test split was the same with 0, 1 or 3 refined (es 57 %, en 70-71 %), so one is refined.
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
REFINE = 1


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
    scores = {w: float(logp[t[0]]) - (UNREFINED_PENALTY if len(t) > 1 else 0.0)
              for w, t in toks.items()}  # fmt: skip
    firsts: dict[int, list[str]] = {}
    for w, t in toks.items():
        if len(t) > 1:
            firsts.setdefault(t[0], []).append(w)
    best = sorted(firsts, key=lambda t: -logp[t])[:refine]
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
