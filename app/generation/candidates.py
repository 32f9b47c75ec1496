"""What the engine hands back: candidates with their score, and a whole request's result."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    text: str
    score: float  # mean token log-probability under the model (higher is better)
    n_tokens: int
    greedy: bool = False
    elapsed_s: float = 0.0  # from the start of the request to when this candidate finished
    on_topic: bool = True  # mentions at least one content keyword (see text.mentions_keywords)
    personal: bool = False  # a sentence the user often said for these keywords (history)


@dataclass
class GenerationResult:
    candidates: list[Candidate]
    lang: str
    keywords: tuple[str, ...]
    notices: list[str] = field(default_factory=list)
    cancelled: bool = False
    fallback: bool = False  # True when no model ran and the raw keywords are offered
    prompt_tokens: int = 0  # tokens evaluated for this request (the cached prefix excluded)
    prompt_s: float = 0.0
    generated_tokens: int = 0
    generation_s: float = 0.0
    total_s: float = 0.0

    @property
    def first_candidate_s(self) -> float | None:
        return min((c.elapsed_s for c in self.candidates), default=None)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.candidates]


def rank(candidates: list[Candidate], n: int) -> list[Candidate]:
    """Best first by the model's own score, answers that ignore the keywords last; the greedy
    candidate always keeps a place."""
    ordered = sorted(candidates, key=lambda c: (c.on_topic, c.score), reverse=True)
    top = ordered[:n]
    greedy = next((c for c in ordered if c.greedy), None)
    if greedy is not None and greedy not in top and top:
        top[-1] = greedy
        top.sort(key=lambda c: (c.on_topic, c.score), reverse=True)
    return top
