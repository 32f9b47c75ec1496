import json
from pathlib import Path

import pytest

from app.core.keywords import MARKERS, Lang, Tense, prepare_keywords
from app.generation.text import (
    check_candidate,
    clean_sentence,
    dedupe_key,
    mentions_keywords,
    missing_keywords,
    raw_keywords_sentence,
    sentence_complete,
    sentence_tenses,
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


# --- check_candidate: every shown candidate says what the keywords say ------------------------
def _problems(sentence: str, keywords: str, lang: str) -> list[str]:
    return check_candidate(sentence, prepare_keywords(keywords, lang))


@pytest.mark.parametrize(
    ("sentence", "keywords", "lang"),
    [
        ("No quiero dormir.", "yo querer dormir no", "es"),
        ("Nunca quiero dormir.", "no yo querer dormir", "es"),
        ("I don't want to sleep.", "I want sleep not", "en"),
        ("I never want to sleep.", "not I want sleep", "en"),
        ("¿Quieres jugar?", "tú querer jugar ?", "es"),
        ("Do you want to play?", "you want play ?", "en"),
        ("Fui al parque.", "yo ir parque pasado", "es"),
        ("Iba al parque.", "yo ir parque pasado", "es"),
        ("He ido al parque.", "pasado yo ir parque", "es"),
        ("Me caí.", "yo pasado caer", "es"),
        ("Jugamos al fútbol.", "nosotros pasado jugar fútbol", "es"),
        ("Quería agua.", "yo pasado querer agua", "es"),
        ("Iré al médico.", "yo ir médico futuro", "es"),
        ("Voy a ir al médico.", "futuro yo ir médico", "es"),
        ("Papá vendrá tarde.", "papá venir tarde futuro", "es"),
        ("Mañana voy al parque.", "mañana yo ir parque", "es"),  # a time word may keep it
        ("I went to the park.", "I go park past", "en"),
        ("I played football.", "past I play football", "en"),
        ("They haven't come.", "they past not come", "en"),
        ("I will go to the doctor.", "I go doctor future", "en"),
        ("I'm going to eat pizza.", "future I eat pizza", "en"),
        ("Me duele la cabeza.", "cabeza doler", "es"),
        ("No.", "no", "es"),
        ("No toques eso.", "no tocar eso", "es"),
        ("Es grande, ¿no?", "ser grande ?", "es"),  # a tag question negates nothing
        ("You like pizza, don't you?", "you like pizza ?", "en"),
    ],
)
def test_candidates_that_keep_the_message_pass(sentence, keywords, lang):
    assert _problems(sentence, keywords, lang) == []


@pytest.mark.parametrize(
    ("sentence", "keywords", "lang", "problem"),
    [
        ("Quiero dormir, no.", "yo querer dormir no", "es", "negation"),  # the example
        ("Quisiera dormir, pero no.", "yo querer dormir no", "es", "negation"),
        ("Necesito la leche.", "no yo necesitar leche", "es", "negation"),
        ("I want to sleep, not.", "I want sleep not", "en", "negation"),
        ("No quiero agua.", "yo querer agua", "es", "unasked negation"),
        ("I don't want water.", "I want water", "en", "unasked negation"),
        ("¿Quieres agua?", "yo querer agua", "es", "unasked question"),
        ("Do you want water?", "I want water", "en", "unasked question"),
        ("Voy al parque el pasado.", "yo ir parque pasado", "es", "tense: past"),
        ("Voy al parque.", "yo ir parque pasado", "es", "tense: past"),
        ("Iré al parque.", "yo ir parque pasado", "es", "tense: past"),
        ("Fui al médico.", "yo ir médico futuro", "es", "tense: future"),
        ("I go to the park.", "I go park past", "en", "tense: past"),
        ("I am tired.", "I be tired past", "en", "tense: past"),
        ("I went to the doctor.", "I go doctor future", "en", "tense: future"),
        ("Ayer voy al parque.", "ayer yo ir parque", "es", "tense: past"),
        ("Quiero agua.", "yo querer beber agua", "es", "missing: beber"),
        ("El agua.", "yo querer agua", "es", "missing: querer"),
        ("Los baños.", "agua", "es", "missing: agua"),
    ],
)
def test_candidates_that_contradict_the_message_fail(sentence, keywords, lang, problem):
    assert problem in _problems(sentence, keywords, lang)


def test_negation_iff_a_negative_keyword_even_without_the_marker():
    assert _problems("No quiero nada.", "yo no querer nada", "es") == []
    assert "unasked negation" not in _problems("I want nothing.", "I want nothing", "en")


def test_tense_cues_by_language():
    assert sentence_tenses("Comí pizza.", Lang.ES) == {Tense.PAST}
    assert sentence_tenses("Comeré pizza.", Lang.ES) == {Tense.FUTURE}
    assert sentence_tenses("Como pizza.", Lang.ES) == set()
    assert sentence_tenses("Querría agua.", Lang.ES) == set()  # a conditional is not past
    assert sentence_tenses("Hoy es un buen día.", Lang.ES) == set()  # -ía nouns
    assert sentence_tenses("Tomo un café.", Lang.ES) == set()  # -é nouns
    assert sentence_tenses("I ate pizza.", Lang.EN) == {Tense.PAST}
    assert sentence_tenses("I didn't eat.", Lang.EN) == {Tense.PAST}
    assert sentence_tenses("I'll eat.", Lang.EN) == {Tense.FUTURE}
    assert sentence_tenses("I am scared.", Lang.EN) == set()
    assert sentence_tenses("I need water.", Lang.EN) == set()


def test_keyword_matches_follow_inflection():
    k = prepare_keywords("yo querer dormir", "es")
    assert missing_keywords("Quiero dormir.", k) == []
    assert missing_keywords("Duermo.", k) == ["querer"]
    k = prepare_keywords("I go school past", "en")
    assert missing_keywords("I went to school.", k) == []


def _gold(lang: str) -> list[dict]:
    path = Path(__file__).resolve().parents[1] / "training" / "gold" / f"{lang}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_gold_references_pass_the_checks(lang):
    """Right sentences are not thrown away: at least 93 % of the hand-written gold references
    pass (the rest are paraphrases: "Me encuentro mal" for "yo sentir mal")."""
    refs = [
        (ref, prepare_keywords(it["keywords"], lang))
        for it in _gold(lang)
        for ref in it["references"]
    ]
    failing = [(ref, k.text) for ref, k in refs if check_candidate(ref, k)]
    assert len(failing) <= 0.07 * len(refs), failing


@pytest.mark.parametrize("lang", ["es", "en"])
def test_gold_references_fail_when_a_marker_is_flipped(lang):
    """Every gold reference of a negated or tense-marked item is rejected for the same keywords
    with the negation taken away or the tense swapped."""
    m = MARKERS[Lang(lang)]
    swap = {m.past: m.future, m.future: m.past}
    checked = 0
    for it in _gold(lang):
        kw = it["keywords"]
        if m.negation in kw:
            flipped = [w for w in kw if w != m.negation]
        elif any(w in swap for w in kw):
            flipped = [swap.get(w, w) for w in kw]
        else:
            continue
        k = prepare_keywords(flipped, lang)
        for ref in it["references"]:
            checked += 1
            assert check_candidate(ref, k), (ref, k.text)
    assert checked >= 20
