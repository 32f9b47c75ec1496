"""Token choice over one row of logits: greedy, temperature, top-k, top-p and their combination,
all from one function whose behaviour the settings decide."""

from __future__ import annotations

import numpy as np

from app.core.settings import DecodingSettings


def logsumexp(logits: np.ndarray) -> float:
    m = float(logits.max())
    return m + float(np.log(np.exp(logits - m, dtype=np.float32).sum(dtype=np.float64)))


def ranked_token(logits: np.ndarray, rank: int) -> int:
    """The token with the `rank`-th highest logit (0 is the greedy choice)."""
    if rank == 0:
        return int(logits.argmax())
    top = np.argpartition(logits, -(rank + 1))[-(rank + 1) :]
    return int(top[np.argsort(logits[top])[::-1]][rank])


def sample_token(logits: np.ndarray, settings: DecodingSettings, rng: np.random.Generator) -> int:
    """Temperature 0 is greedy; otherwise tempered sampling inside top-k, then top-p."""
    if settings.temperature <= 0.0:
        return int(logits.argmax())
    vocab = logits.shape[0]
    k = settings.top_k if 0 < settings.top_k < vocab else vocab
    idx = np.argpartition(logits, -k)[-k:] if k < vocab else np.arange(vocab)
    scaled = logits[idx].astype(np.float64) / settings.temperature
    order = np.argsort(scaled)[::-1]
    idx, scaled = idx[order], scaled[order]
    probs = np.exp(scaled - scaled[0])
    probs /= probs.sum()
    if settings.top_p < 1.0:
        keep = int(np.searchsorted(np.cumsum(probs), settings.top_p) + 1)
        idx, probs = idx[:keep], probs[:keep] / probs[:keep].sum()
    return int(idx[rng.choice(len(idx), p=probs)])


def token_logprob(logits: np.ndarray, token: int, lse: float | None = None) -> float:
    """The model's own (untempered) log-probability of `token`: what ranking uses."""
    return float(logits[token]) - (logsumexp(logits) if lse is None else lse)
