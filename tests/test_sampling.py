import numpy as np

from app.core.settings import DecodingSettings
from app.generation.sampling import logsumexp, ranked_token, sample_token, token_logprob

RNG = np.random.default_rng


def logits(n=1000, seed=0):
    return np.random.default_rng(seed).normal(size=n).astype(np.float32)


def test_temperature_zero_is_greedy():
    lg = logits()
    d = DecodingSettings(temperature=0.0)
    assert {sample_token(lg, d, RNG(i)) for i in range(20)} == {int(lg.argmax())}


def test_top_k_one_and_tiny_top_p_reduce_to_greedy():
    lg = logits()
    for d in (DecodingSettings(top_k=1, top_p=1.0), DecodingSettings(top_k=0, top_p=0.01)):
        assert {sample_token(lg, d, RNG(i)) for i in range(20)} == {int(lg.argmax())}


def test_tempered_top_k_samples_only_inside_the_top_k():
    lg = logits()
    top5 = set(np.argsort(lg)[-5:].tolist())
    d = DecodingSettings(temperature=5.0, top_k=5, top_p=1.0)
    drawn = {sample_token(lg, d, RNG(i)) for i in range(200)}
    assert drawn <= top5 and len(drawn) > 1


def test_top_p_keeps_the_nucleus():
    lg = np.full(100, -20.0, dtype=np.float32)
    lg[[3, 7]] = [5.0, 4.9]  # two tokens hold almost all the mass
    d = DecodingSettings(temperature=1.0, top_k=0, top_p=0.9)
    assert {sample_token(lg, d, RNG(i)) for i in range(100)} == {3, 7}


def test_seeded_sampling_is_reproducible():
    lg = logits()
    d = DecodingSettings(temperature=1.5, top_k=50)
    assert [sample_token(lg, d, RNG(7)) for _ in range(5)] == [
        sample_token(lg, d, RNG(7)) for _ in range(5)
    ]


def test_ranked_token_and_logprob():
    lg = np.array([0.0, 3.0, 1.0, 2.0], dtype=np.float32)
    assert [ranked_token(lg, r) for r in range(4)] == [1, 3, 2, 0]
    probs = np.exp(lg) / np.exp(lg).sum()
    assert abs(token_logprob(lg, 1) - np.log(probs[1])) < 1e-5
    assert abs(logsumexp(lg) - np.log(np.exp(lg).sum())) < 1e-5
