"""Turning raw model output into one clean sentence, and the key that decides duplicates."""

from __future__ import annotations

import re
import unicodedata

from app.core.keywords import SUBJECT_PRONOUNS, KeywordInput, Lang

_SENTENCE_END = re.compile(r"[.!?…]")
_SPACES = re.compile(r"\s+")
# Labels a base model may echo from the few-shot prompt instead of answering.
_ECHO = re.compile(r"^(keywords|sentence)\s*:", re.IGNORECASE)


def sentence_complete(text: str) -> bool:
    """True once the generated text holds a whole first sentence (decoding may stop there)."""
    first_line = text.lstrip().split("\n", 1)[0]
    return bool(_SENTENCE_END.search(first_line)) or "\n" in text.lstrip()


def clean_sentence(raw: str, keywords: KeywordInput) -> str | None:
    """First line, first sentence, capitalised and punctuated; None when nothing usable is left.

    Questions end in `?` and, in Spanish, open with `¿`.
    """
    text = raw.strip().split("\n", 1)[0]
    text = _SPACES.sub(" ", text).strip().strip("\"'`«»“”")
    if not text or _ECHO.match(text):
        return None
    match = _SENTENCE_END.search(text)
    end = match.group(0) if match else ""
    body = text[: match.start()] if match else text
    body = body.strip().rstrip(",;:-").strip()
    if not any(ch.isalpha() for ch in body):
        return None
    question = end == "?" or keywords.is_question
    body = body.lstrip("¿¡").strip()
    body = body[0].upper() + body[1:]
    if question:
        opening = "¿" if keywords.lang is Lang.ES else ""
        return f"{opening}{body}?"
    if end in ("!", "…"):
        if keywords.lang is Lang.ES and end == "!":
            return f"¡{body}!"
        return f"{body}{end}"
    return f"{body}."


def dedupe_key(text: str) -> str:
    """Case, accents-as-typed and punctuation do not make two candidates different."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def raw_keywords_sentence(keywords: KeywordInput) -> str:
    """What a classic communicator speaks: the content keywords as they are (the fallback)."""
    words = list(keywords.content_words) or list(keywords.keywords)
    text = " ".join(words)
    return text[:1].upper() + text[1:] + ("?" if keywords.is_question else ".")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def mentions_keywords(sentence: str, keywords: KeywordInput) -> bool:
    """Whether the sentence mentions any content keyword (pronouns aside), by a 3-letter prefix so
    that inflections count ("gustar" ~ "gusta", "tired" ~ "tired"). Crude on purpose: it only
    catches answers that ignore the input, such as a copied few-shot example."""
    words = [_fold(w) for w in keywords.content_words if w not in SUBJECT_PRONOUNS[keywords.lang]]
    if not words:
        return True
    tokens = {_fold(t) for t in dedupe_key(sentence).split()}
    return any(
        any(t.startswith(w[:3]) or (w.startswith(t) and len(t) >= 3) for t in tokens) for w in words
    )
