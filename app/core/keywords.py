"""The keyword convention: the contract between boards and the model (see DESIGN.md).

Keywords are pictogram labels in tap order, lowercase lemmas. Markers (past, future, negation,
question) are keywords of their own. This module is the one place that turns what a user tapped
into the text a model sees; `training/` imports it so training and runtime cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Lang(StrEnum):
    ES = "es"
    EN = "en"


LANG_NAMES = {Lang.ES: "Spanish", Lang.EN: "English"}


class Tense(StrEnum):
    PRESENT = "present"
    PAST = "past"
    FUTURE = "future"


@dataclass(frozen=True)
class Markers:
    past: str
    future: str
    negation: str
    question: str = "?"


MARKERS: dict[Lang, Markers] = {
    Lang.ES: Markers(past="pasado", future="futuro", negation="no"),
    Lang.EN: Markers(past="past", future="future", negation="not"),
}

# Time words set the tense as a marker does.
TIME_WORDS: dict[Lang, dict[str, Tense]] = {
    Lang.ES: {
        "ayer": Tense.PAST,
        "anoche": Tense.PAST,
        "antes": Tense.PAST,
        "mañana": Tense.FUTURE,
        "luego": Tense.FUTURE,
        "después": Tense.FUTURE,
    },
    Lang.EN: {
        "yesterday": Tense.PAST,
        "before": Tense.PAST,
        "ago": Tense.PAST,
        "tomorrow": Tense.FUTURE,
        "later": Tense.FUTURE,
        "soon": Tense.FUTURE,
    },
}

SUBJECT_PRONOUNS: dict[Lang, frozenset[str]] = {
    Lang.ES: frozenset(
        {
            "yo",
            "tú",
            "él",
            "ella",
            "nosotros",
            "nosotras",
            "vosotros",
            "ellos",
            "ellas",
            "usted",
            "ustedes",
        }
    ),
    Lang.EN: frozenset({"I", "you", "he", "she", "it", "we", "they"}),
}

# A sentence strip longer than this is not one message; the rest is dropped with a notice.
MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 40

# Anything but letters, digits, apostrophes and hyphens separates words; `?` is kept as a marker.
_WORD_RE = re.compile(r"\?|[^\W_](?:[\w'’-]*[^\W_])?", re.UNICODE)


class KeywordError(ValueError):
    """The keywords cannot be turned into a request (nothing selected, unknown language)."""


def parse_lang(value: str) -> Lang:
    try:
        return Lang(str(value).strip().lower())
    except ValueError:
        supported = ", ".join(lang.value for lang in Lang)
        raise KeywordError(f"Unsupported language {value!r}; choose one of: {supported}.") from None


def split_keyword(raw: str, lang: Lang) -> list[str]:
    """One tapped label -> its words, normalised. Quotes, newlines, colons and other punctuation
    vanish, so a keyword is always data and never prompt structure."""
    text = unicodedata.normalize("NFC", str(raw)).replace("¿", " ?").lower()
    words = [w.replace("’", "'")[:MAX_KEYWORD_CHARS] for w in _WORD_RE.findall(text)]
    if lang is Lang.EN:
        words = ["I" if w == "i" else w for w in words]
    return words


@dataclass(frozen=True)
class KeywordInput:
    """Normalised keywords for one request, with what the markers say about the sentence."""

    keywords: tuple[str, ...]
    lang: Lang
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def markers(self) -> Markers:
        return MARKERS[self.lang]

    @property
    def text(self) -> str:
        """The keyword text a model sees (both prompt styles embed exactly this)."""
        return " ".join(self.keywords)

    @property
    def is_question(self) -> bool:
        return self.markers.question in self.keywords

    @property
    def is_negated(self) -> bool:
        return self.markers.negation in self.keywords

    @property
    def tense(self) -> Tense:
        m = self.markers
        for word in self.keywords:
            if word == m.past:
                return Tense.PAST
            if word == m.future:
                return Tense.FUTURE
        for word in self.keywords:
            if word in TIME_WORDS[self.lang]:
                return TIME_WORDS[self.lang][word]
        return Tense.PRESENT

    @property
    def has_subject(self) -> bool:
        return any(w in SUBJECT_PRONOUNS[self.lang] for w in self.keywords)

    @property
    def content_words(self) -> tuple[str, ...]:
        """Keywords that carry meaning (markers and `?` excluded): what an output should cover."""
        m = self.markers
        skip = {m.past, m.future, m.negation, m.question}
        return tuple(w for w in self.keywords if w not in skip)


def prepare_keywords(raw: str | Iterable[str], lang: str | Lang) -> KeywordInput:
    """Normalise what the user tapped. Raises KeywordError when nothing usable is left."""
    language = parse_lang(lang)
    items = [raw] if isinstance(raw, str) else list(raw)
    words: list[str] = []
    for item in items:
        words.extend(split_keyword(item, language))
    notices: list[str] = []
    if len(words) > MAX_KEYWORDS:
        notices.append(
            f"Only the first {MAX_KEYWORDS} of {len(words)} pictograms were used; "
            "say long messages in parts."
        )
        words = words[:MAX_KEYWORDS]
    if not [w for w in words if w != "?"]:
        raise KeywordError("No pictograms selected: tap at least one pictogram.")
    return KeywordInput(tuple(words), language, tuple(notices))
