"""Training-only variants: short AAC requests, object first, subject left out, next keyword."""

from __future__ import annotations

from app.core.keywords import Lang
from app.generation.prompts import next_prompt
from training.augment import AugmentSettings, augment, next_record, object_first, short_requests


def record(lang: str, keywords: list[str], target: str, rid: str = "x") -> dict:
    return {"lang": lang, "keywords": keywords, "input": " ".join(keywords), "target": target,
            "id": rid}  # fmt: skip


def test_short_requests_are_what_aac_users_tap():
    es, en = Lang.ES, Lang.EN
    assert short_requests(["yo", "querer", "agua"], "Quiero agua.", es) == [["agua"]]
    assert short_requests(["yo", "querer", "ir", "baño"], "Quiero ir al baño.", es) == [
        ["ir", "baño"],
        ["baño"],
    ]
    assert short_requests(["yo", "tener", "hambre"], "Tengo hambre.", es) == [["hambre"]]
    assert short_requests(["yo", "estar", "cansado"], "Estoy cansado.", es) == [["cansado"]]
    assert short_requests(["yo", "doler", "cabeza"], "Me duele la cabeza.", es) == [
        ["cabeza", "doler"],
        ["doler", "cabeza"],
    ]
    assert short_requests(["I", "need", "water"], "I need some water.", en) == [["water"]]
    assert short_requests(["I", "be", "tired"], "I am tired.", en) == [["tired"]]


def test_no_short_request_that_would_change_the_meaning():
    es, en = Lang.ES, Lang.EN
    # markers, time words, other people, names, places: the short list would mean something else
    assert short_requests(["yo", "no", "querer", "agua"], "No quiero agua.", es) == []
    assert short_requests(["yo", "pasado", "querer", "agua"], "Quería agua.", es) == []
    assert short_requests(["yo", "querer", "agua", "?"], "¿Quiero agua?", es) == []
    assert short_requests(["ayer", "yo", "querer", "agua"], "Ayer quería agua.", es) == []
    assert short_requests(["yo", "querer", "tú", "venir"], "Quiero que vengas.", es) == []
    assert short_requests(["yo", "querer", "carlos", "ganar"], "Quiero que Carlos gane.", es) == []
    assert short_requests(["yo", "estar", "restaurante"], "Estoy en el restaurante.", es) == []
    assert short_requests(["tú", "querer", "agua"], "Quieres agua.", es) == []
    assert short_requests(["I", "want", "you", "go"], "I want you to go.", en) == []


def test_object_first():
    assert object_first(["yo", "querer", "agua"], "Quiero agua.", Lang.ES) == [
        "yo",
        "agua",
        "querer",
    ]
    assert object_first(["I", "read", "book"], "I read books.", Lang.EN) == ["I", "book", "read"]
    assert object_first(["yo", "ser", "médico"], "Soy médico.", Lang.ES) is None
    assert object_first(["yo", "querer", "ir", "casa"], "Quiero ir a casa.", Lang.ES) is None


def test_variants_never_take_a_held_out_input_and_next_examples_follow_the_prompt():
    train = [
        record("es", ["yo", "querer", "agua"], "Quiero agua.", "a"),
        record("es", ["yo", "querer", "ir", "baño"], "Quiero ir al baño.", "b"),
        record("en", ["I", "want", "go", "home"], "I want to go home.", "c"),
    ]
    held_out = [record("es", ["agua"], "Agua.")]
    variants, counts = augment(train, held_out, AugmentSettings(next_rate=1.0, short_repeat=2))
    inputs = [v["input"] for v in variants if v["task"] == "sentence"]
    assert "agua" not in inputs and counts["dropped_existing_input"] >= 1
    assert inputs.count("baño") == 2 and "home" in inputs  # short requests, repeated
    nexts = [v for v in variants if v["task"] == "next"]
    assert counts["next"] == len(nexts) == 3
    for v in nexts:
        source = next(r for r in train if r["id"] == v["id"].split("+")[0])
        cut = len(v["keywords"])
        assert 1 <= cut < len(source["keywords"])
        assert v["target"] == source["keywords"][cut]
        assert v["prompt"] == next_prompt(Lang(v["lang"]), source["keywords"][:cut])


def test_next_prompt_shares_the_sentence_prompt_prefix():
    r = next_record(record("es", ["yo", "querer", "agua"], "Quiero agua."), Lang.ES, 2)
    assert r["prompt"] == "[es] Keywords: yo querer\nNext:" and r["target"] == "agua"
