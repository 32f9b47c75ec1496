import pytest

from app.core.keywords import prepare_keywords
from app.generation.text import (
    clean_sentence,
    dedupe_key,
    mentions_keywords,
    raw_keywords_sentence,
    sentence_complete,
)

ES = prepare_keywords("yo querer agua", "es")
ES_Q = prepare_keywords("tú querer jugar ?", "es")
EN = prepare_keywords("I want water", "en")
EN_Q = prepare_keywords("you want play ?", "en")


@pytest.mark.parametrize(
    ("raw", "keywords", "expected"),
    [
        (" quiero agua.", ES, "Quiero agua."),
        (" quiero agua", ES, "Quiero agua."),
        (" Quiero agua. Y también pan.", ES, "Quiero agua."),
        (" Quiero agua\nKeywords: otra", ES, "Quiero agua."),
        (" quieres jugar?", ES_Q, "¿Quieres jugar?"),
        (" ¿quieres jugar?", ES_Q, "¿Quieres jugar?"),
        (" Quieres jugar.", ES_Q, "¿Quieres jugar?"),
        (" do you want to play", EN_Q, "Do you want to play?"),
        (" i want water!", EN, "I want water!"),
        (" ¡quiero agua!", ES, "¡Quiero agua!"),
        ('  "I   want  water."', EN, "I want water."),
    ],
)
def test_clean_sentence(raw, keywords, expected):
    assert clean_sentence(raw, keywords) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n", " ...", " Keywords: yo", "Sentence: x", " 123."])
def test_unusable_output_is_rejected(raw):
    assert clean_sentence(raw, ES) is None


def test_sentence_complete_stops_at_end_punctuation_or_newline():
    assert not sentence_complete(" Quiero agua")
    assert sentence_complete(" Quiero agua.")
    assert sentence_complete(" ¿Quieres?")
    assert sentence_complete(" Quiero\n")


def test_dedupe_key_ignores_case_and_punctuation():
    assert dedupe_key("¿Quieres agua?") == dedupe_key("quieres agua.")
    assert dedupe_key("Quiero  agua!") == "quiero agua"
    assert dedupe_key("Quiero agua.") != dedupe_key("Quiero pan.")


def test_mentions_keywords_accepts_inflections_and_rejects_unrelated_answers():
    assert mentions_keywords("No me gusta el pescado.", prepare_keywords("yo gustar pescado", "es"))
    assert mentions_keywords("I am tired.", prepare_keywords("I be tired", "en"))
    assert not mentions_keywords("Mom, help me.", prepare_keywords("I be tired", "en"))
    assert mentions_keywords("Sí.", prepare_keywords("yo ?", "es"))  # nothing to check


def test_raw_keywords_fallback_is_speakable():
    assert raw_keywords_sentence(ES) == "Yo querer agua."
    assert raw_keywords_sentence(EN_Q) == "You want play?"
