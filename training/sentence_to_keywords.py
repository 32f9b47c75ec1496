"""A sentence -> the keywords an AAC user would tap to ask for it (DESIGN.md, "The keyword
convention"). This is how the corpus makes its inputs from Tatoeba's targets.

    >>> sentence_to_keywords("¿Quieres agua?", "es").keywords
    ('tú', 'querer', 'agua', '?')
    >>> sentence_to_keywords("I didn't go to school yesterday.", "en").keywords
    ('I', 'not', 'go', 'school', 'yesterday')

The rules (details in `keywords_assemble`, `keywords_es`, `keywords_en`):
- content lemmas in order: verbs infinitive, nouns singular, adjectives masculine singular;
  no articles, auxiliaries or most prepositions (kept: con/sin, with/without and a few
  place words); names lowercase;
- pronouns in subject form (me/mí/mi -> yo, me/my -> I); Spanish gets the subject pronoun its
  verb implies ("Quiero agua" -> "yo querer agua"); a 3rd person verb gets one only from a
  `subject_hint` (the corpus passes the English side's subject);
- one tense marker (`pasado`/`futuro`, `past`/`future`) right before the first past or future
  verb group, i.e. after the subject, unless a time word already says it; `no`/`not` right
  before its verb; `?` last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.keywords import SUBJECT_PRONOUNS, KeywordInput, Lang, Tense, parse_lang
from training import keywords_en, keywords_es
from training.keywords_assemble import assemble

# The English subject that names a Spanish 3rd person ("he eats" -> "él comer").
_HINT_ES = {
    ("he", "3s"): "él",
    ("she", "3s"): "ella",
    ("you", "3s"): "usted",
    ("you", "3p"): "ustedes",
    ("they", "3p"): "ellos",
    ("I", "1s3s"): "yo",
    ("he", "1s3s"): "él",
    ("she", "1s3s"): "ella",
    ("you", "1s3s"): "usted",
}


# Tag questions are not what a user taps: "You're tired, aren't you?" -> "You're tired?".
_TAGS = {
    Lang.EN: re.compile(
        r",\s*(?:is|isn't|are|aren't|was|wasn't|were|weren't|do|don't|does|doesn't|did|"
        r"didn't|have|haven't|has|hasn't|can|can't|will|won't|would|wouldn't|should|"
        r"shouldn't|could|couldn't|am)\s+(?:I|you|he|she|it|we|they|there)\s*\?\s*$",
        re.IGNORECASE,
    ),
    Lang.ES: re.compile(
        r",\s*¿\s*(?:no|verdad|cierto|sí|no es así|no es cierto|no es verdad|eh|vale)\s*\?\s*$",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class Conversion:
    keywords: tuple[str, ...]
    lang: Lang
    tense: Tense  # the tense the verbs (or time words) carry
    negated: bool
    question: bool
    subject: str | None  # the first clause's subject pronoun (explicit or implied)

    @property
    def text(self) -> str:
        return " ".join(self.keywords)

    @property
    def content_words(self) -> tuple[str, ...]:
        """Keywords that say what the message is about: not markers, not pronouns."""
        pronouns = SUBJECT_PRONOUNS[self.lang]
        return tuple(
            w for w in KeywordInput(self.keywords, self.lang).content_words if w not in pronouns
        )


def sentence_to_keywords(
    sentence: str,
    lang: str | Lang,
    *,
    subject_hint: str | None = None,
    tense_hint: Tense | None = None,
) -> Conversion:
    """Convert one sentence. The hints come from the same sentence in English (the corpus has
    both sides): `subject_hint` is its subject pronoun (I/you/he/she/it/we/they, or None) and
    decides Spanish 3rd persons; `tense_hint` settles Spanish forms that are present and
    preterite alike ("hablamos"). Without hints such forms get no pronoun and stay present."""
    language = parse_lang(lang)
    sentence = _TAGS[language].sub("?", sentence.strip())
    if language is Lang.ES:
        analysis = keywords_es.analyse(sentence)
        first = next((item for item in analysis.items if item.finite), None)
        first_person = first.person if first else None
        if first is not None and first.maybe_past and tense_hint is Tense.PAST:
            first.tense = Tense.PAST
        third = _HINT_ES.get((subject_hint or "", first_person or ""))
        items, question, time_tenses = analysis.items, analysis.question, analysis.time_tenses
    else:
        analysis_en = keywords_en.analyse(sentence)
        items, question, time_tenses = (
            analysis_en.items,
            analysis_en.question,
            analysis_en.time_tenses,
        )
        third = None
    result = assemble(
        items, language, question=question, time_tenses=time_tenses, third_person_subject=third
    )
    return Conversion(
        tuple(result.keywords), language, result.tense, result.negated, question, result.subject
    )
