"""The hand-written gold set (training/gold/*.jsonl): format, size, keyword convention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.keywords import MARKERS, TIME_WORDS, Lang, prepare_keywords

GOLD = Path(__file__).resolve().parents[1] / "training" / "gold"


def load(lang: str) -> list[dict]:
    lines = (GOLD / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_format_and_size(lang: str) -> None:
    items = load(lang)
    assert len(items) >= 100
    for item in items:
        assert set(item) == {"keywords", "references"}
        assert isinstance(item["keywords"], list) and item["keywords"]
        assert all(isinstance(k, str) and k for k in item["keywords"])
        assert 1 <= len(item["references"]) <= 3
        assert len(set(item["references"])) == len(item["references"])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_keywords_are_already_normalised(lang: str) -> None:
    """Normalising (what the app does to taps) must not change a gold item's keywords."""
    for item in load(lang):
        assert list(prepare_keywords(item["keywords"], lang).keywords) == item["keywords"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_keyword_inputs_are_unique(lang: str) -> None:
    inputs = [" ".join(item["keywords"]) for item in load(lang)]
    assert len(set(inputs)) == len(inputs)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_markers_follow_the_convention(lang: str) -> None:
    markers = MARKERS[Lang(lang)]
    for item in load(lang):
        kw = item["keywords"]
        if markers.question in kw:
            assert kw.index(markers.question) == len(kw) - 1, kw  # "?" is last
            assert all(ref.endswith("?") for ref in item["references"]), item
        tense_markers = [k for k in kw if k in (markers.past, markers.future)]
        assert len(tense_markers) <= 1, kw
        # A time word already sets the tense: no marker for the same tense beside it.
        times = {TIME_WORDS[Lang(lang)][k].value for k in kw if k in TIME_WORDS[Lang(lang)]}
        assert not (times & {"past" if k == markers.past else "future" for k in tense_markers})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_references_are_sentences(lang: str) -> None:
    for item in load(lang):
        for ref in item["references"]:
            assert (ref == ref.strip() and ref[0].isupper()) or ref[0] in "¿¡", ref
            assert ref[-1] in ".?!", ref
            if lang == "es" and ref.endswith("?"):
                assert "¿" in ref, ref


def test_covers_the_aac_themes() -> None:
    es = {k for item in load("es") for k in item["keywords"]}
    en = {k for item in load("en") for k in item["keywords"]}
    assert {"agua", "baño", "doler", "médico", "colegio", "mamá", "gracias"} <= es
    assert {"pasado", "futuro", "no", "?"} <= es
    assert {"water", "bathroom", "hurt", "doctor", "school", "mom", "thank"} <= en
    assert {"past", "future", "not", "?"} <= en
