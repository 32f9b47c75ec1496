"""Training-only variants of the prepared corpus, made when training starts (the corpus files on
disk stay as `prepare` wrote them, and dev/test are never augmented).

Tatoeba is written sentences; AAC users tap short lists. Each variant keeps the target of the
record it comes from, so it teaches the model to write that sentence from a shorter or
differently ordered list:

- short requests: "yo querer agua" -> also "agua" and "ir baño"/"baño" -> "Quiero (ir al baño)."
  (want/need sentences), "hambre" -> "Tengo hambre.", "cansado" -> "Estoy cansado.",
  "cabeza doler"/"doler cabeza" -> "Me duele la cabeza."; only present, affirmative statements;
- object first: a verb and one word, tapped the other way round ("agua querer");
- subject left out: "yo"/"I" dropped from more records than `prepare` drops it from;
- next keyword (issue 15): a prefix of a record's keywords -> the keyword that follows, the task
  the prediction row asks the model (`app.generation.prompts.next_prompt`).

A variant whose input is any dev or test record's input is dropped: nothing the scores are
measured on is trained on. Choices are made from a seeded generator, so runs repeat.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.keywords import (
    MARKERS,
    SUBJECT_PRONOUNS,
    KeywordError,
    Lang,
    is_verb,
    prepare_keywords,
)
from app.generation.prompts import finetuned_prompt, next_prompt

SUBJECT = {Lang.ES: "yo", Lang.EN: "I"}
WANT = {Lang.ES: ("querer", "necesitar"), Lang.EN: ("want", "need")}
WANT_OPENINGS = {Lang.ES: ("Quiero ", "Necesito "), Lang.EN: ("I want ", "I need ")}
GO = {Lang.ES: "ir", Lang.EN: "go"}
# Feelings and needs said with one word on AAC boards ("hambre" -> "Tengo hambre.").
STATES_ES = {
    "tener": ("Tengo", {"hambre", "sed", "frío", "calor", "sueño", "miedo", "prisa"}),
    "estar": ("Estoy", None),  # "Estoy cansado." but not "Estoy en el restaurante."
}
# Possessives and object pronouns: a want sentence about someone else ("Quiero que me devuelvas
# mi empleo") does not shorten to its object.
OTHERS = {
    Lang.ES: {"mi", "tu", "su", "me", "te", "le", "lo", "la", "nos", "os", "les", "que"},
    Lang.EN: {"my", "your", "his", "her", "their", "our", "me", "him", "them", "us", "that"},
}
MAX_SHORT = 3  # words an AAC user taps for a short request
PAIN = {Lang.ES: "doler", Lang.EN: "hurt"}


@dataclass(frozen=True)
class AugmentSettings:
    short_requests: bool = True
    short_repeat: int = 3  # they are few (about 1 in 150 records) and what users tap most
    object_first_rate: float = 0.5  # of the records with just a verb and one word
    drop_subject_rate: float = 0.15  # extra, on top of what `prepare` dropped
    next_rate: float = 0.3  # share of records that also give a next-keyword example
    seed: int = 1234


def _names(words: list[str], target: str) -> bool:
    """A keyword written with a capital in the sentence: a name ("Quiero que Carlos gane")."""
    return any(w != "I" and w[:1].upper() + w[1:] in target.split() for w in words)


def _plain(keywords: list[str], lang: Lang) -> bool:
    """No tense, negation or question marker, no time word: a present statement."""
    try:
        prepared = prepare_keywords(keywords, lang)
    except KeywordError:
        return False
    m = MARKERS[lang]
    return not ({m.past, m.future, m.negation, m.question} & set(keywords)) and (
        prepared.tense.value == "present"
    )


def short_requests(keywords: list[str], target: str, lang: Lang) -> list[list[str]]:
    """The shorter lists an AAC user taps for the same sentence (none for other sentences)."""
    if not _plain(keywords, lang):
        return []
    subject = SUBJECT[lang]
    if keywords[:1] != [subject]:
        return []  # only first-person sentences: that is what a lone "agua" means
    body = keywords[1:]
    out: list[list[str]] = []
    others = SUBJECT_PRONOUNS[lang] | OTHERS[lang]
    rest = body[1:]
    if (
        body[:1]
        and body[0] in WANT[lang]
        and target.startswith(WANT_OPENINGS[lang])
        and 1 <= len(rest) <= MAX_SHORT
        and not others & set(rest)
        and not _names(rest, target)
    ):
        out.append(rest)
        if rest[0] == GO[lang] and len(rest) >= 2:
            out.append(rest[1:])
    if lang is Lang.ES and len(body) == 2:
        rule = STATES_ES.get(body[0])
        word = body[1]
        if rule and target == f"{rule[0]} {word}." and (rule[1] is None or word in rule[1]):
            out.append([word])
    if (
        lang is Lang.EN
        and len(body) == 2
        and body[0] == "be"
        and target in (f"I'm {body[1]}.", f"I am {body[1]}.")
    ):
        out.append([body[1]])
    pain = PAIN[lang]
    if len(body) == 2 and pain in body:
        part = body[0] if body[1] == pain else body[1]
        if not is_verb(part, lang):
            out += [[part, pain], [pain, part]]
    return [v for v in out if v and v != keywords]


def object_first(keywords: list[str], target: str, lang: Lang) -> list[str] | None:
    """[subject] verb X -> [subject] X verb ("agua querer")."""
    subject = SUBJECT[lang]
    head = keywords[:1] if keywords[:1] == [subject] else []
    body = keywords[len(head) :]
    if len(body) != 2 or not is_verb(body[0], lang) or is_verb(body[1], lang):
        return None
    if body[1] in SUBJECT_PRONOUNS[lang] | OTHERS[lang] or body[0] in ("ser", "estar", "be"):
        return None
    if not _plain(keywords, lang) or _names(body, target):
        return None
    return [*head, body[1], body[0]]


def _sentence_record(source: dict, keywords: list[str], lang: Lang, kind: str) -> dict | None:
    try:
        prepared = prepare_keywords(keywords, lang)
    except KeywordError:
        return None
    return {
        "lang": lang.value,
        "keywords": list(prepared.keywords),
        "input": prepared.text,
        "prompt": finetuned_prompt(prepared),
        "target": source["target"],
        "task": "sentence",
        "augment": kind,
        "id": f"{source.get('id', '')}+{kind}",
    }


def next_record(source: dict, lang: Lang, cut: int) -> dict:
    """The keywords before `cut` -> the keyword at `cut`."""
    keywords = source["keywords"]
    return {
        "lang": lang.value,
        "keywords": keywords[:cut],
        "input": " ".join(keywords[:cut]),
        "prompt": next_prompt(lang, keywords[:cut]),
        "target": keywords[cut],
        "task": "next",
        "augment": "next",
        "id": f"{source.get('id', '')}+next{cut}",
    }


def next_examples(records: Iterable[dict], rate: float, seed: int) -> list[dict]:
    """One next-keyword example from a share of the records (dev uses rate 1.0)."""
    rng = random.Random(seed)
    out = []
    for record in records:
        keywords = record["keywords"]
        if len(keywords) >= 2 and rng.random() < rate:
            out.append(next_record(record, Lang(record["lang"]), rng.randrange(1, len(keywords))))
    return out


def augment(
    train: list[dict], held_out: Iterable[dict], settings: AugmentSettings | None = None
) -> tuple[list[dict], Counter]:
    """The variants of the training records (not the records themselves) and their counts.
    `held_out`: dev and test records, whose inputs no variant may have."""
    settings = settings or AugmentSettings()
    rng = random.Random(settings.seed)
    taken = {(r["lang"], r["input"]) for r in held_out}
    taken |= {(r["lang"], r["input"]) for r in train}
    out: list[dict] = []
    counts: Counter = Counter()

    def add(record: dict | None, copies: int = 1) -> None:
        if record is None:
            return
        key = (record["lang"], record["input"])
        if key in taken:
            counts["dropped_existing_input"] += 1
            return
        taken.add(key)
        out.extend([record] * copies)
        counts[record["augment"]] += 1

    for record in train:
        lang, keywords = Lang(record["lang"]), list(record["keywords"])
        if settings.short_requests:
            for variant in short_requests(keywords, record["target"], lang):
                add(_sentence_record(record, variant, lang, "short"), settings.short_repeat)
        flipped = object_first(keywords, record["target"], lang)
        if flipped and rng.random() < settings.object_first_rate:
            add(_sentence_record(record, flipped, lang, "object_first"))
        if (
            keywords[:1] == [SUBJECT[lang]]
            and len(keywords) >= 3
            and rng.random() < settings.drop_subject_rate
        ):
            add(_sentence_record(record, keywords[1:], lang, "no_subject"))
    for record in next_examples(train, settings.next_rate, settings.seed + 1):
        counts["next"] += 1
        out.append(record)
    return out, counts
