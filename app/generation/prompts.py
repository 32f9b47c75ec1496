"""The two prompt styles. Both embed `KeywordInput.text` (app.core.keywords) and nothing else the
user typed, so keywords stay data: normalisation has already removed newlines and colons.

- FEW_SHOT: for the base model (no chat template; plain completion). A fixed instruction and
  examples form a prefix that stays in the KV cache, so each request evaluates only its query.
- FINETUNED: the short fixed format `training/` trains on; the answer follows `Sentence:` and ends
  with a newline.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from app.core.keywords import LANG_NAMES, KeywordInput, Lang


class PromptStyle(StrEnum):
    FEW_SHOT = "few-shot"
    FINETUNED = "finetuned"


# Every example follows the keyword convention and shows one marker or an omitted subject.
FEW_SHOT_EXAMPLES: dict[Lang, list[tuple[str, str]]] = {
    Lang.ES: [
        ("yo querer beber agua", "Quiero beber agua."),
        ("querer comer manzana", "Quiero comer una manzana."),
        ("tú querer jugar ?", "¿Quieres jugar?"),
        ("yo no gustar leche", "No me gusta la leche."),
        ("ayer nosotros ir parque", "Ayer fuimos al parque."),
        ("ella pasado comer pizza", "Ella comió pizza."),
        ("yo futuro ir médico", "Iré al médico."),
        ("dónde baño ?", "¿Dónde está el baño?"),
        ("mamá ayudar yo", "Mamá, ayúdame."),
        ("yo estar cansado", "Estoy cansado."),
    ],
    Lang.EN: [
        ("I want drink water", "I want to drink water."),
        ("want eat apple", "I want to eat an apple."),
        ("you want play ?", "Do you want to play?"),
        ("I not like milk", "I don't like milk."),
        ("yesterday we go park", "Yesterday we went to the park."),
        ("she past eat pizza", "She ate pizza."),
        ("I future go doctor", "I will go to the doctor."),
        ("where bathroom ?", "Where is the bathroom?"),
        ("mom help I", "Mom, help me."),
        ("I be tired", "I am tired."),
    ],
}

KEYWORDS_LABEL = "Keywords"
SENTENCE_LABEL = "Sentence"
NEXT_LABEL = "Next"


def query_block(keywords: KeywordInput) -> str:
    """The part of a prompt that depends on the request; the answer follows it."""
    return f"{KEYWORDS_LABEL}: {keywords.text}\n{SENTENCE_LABEL}:"


def few_shot_prefix(lang: Lang) -> str:
    name = LANG_NAMES[lang]
    lines = [
        f"Turn pictogram keywords into one short, natural, grammatical {name} sentence. "
        "Add the missing articles and prepositions, conjugate the verbs, and follow the markers "
        "for past, future, negation and question.",
        "",
    ]
    for kw, sentence in FEW_SHOT_EXAMPLES[lang]:
        lines += [f"{KEYWORDS_LABEL}: {kw}", f"{SENTENCE_LABEL}: {sentence}", ""]
    return "\n".join(lines) + "\n"


def finetuned_prompt(keywords: KeywordInput) -> str:
    """The fine-tuned format: a language tag, then the query. `training/` imports this."""
    return f"[{keywords.lang.value}] {query_block(keywords)}"


def finetuned_target(sentence: str) -> str:
    """What the fine-tuned model learns to write after `finetuned_prompt`."""
    return f" {sentence.strip()}\n"


def build_prompt(keywords: KeywordInput, style: PromptStyle) -> str:
    if style is PromptStyle.FINETUNED:
        return finetuned_prompt(keywords)
    return few_shot_prefix(keywords.lang) + query_block(keywords)


def next_prompt(lang: Lang, keywords: Sequence[str]) -> str:
    """The fine-tuned next-keyword task: the keywords tapped so far, in tap order (already split
    and lower-cased by `app.core.keywords.split_keyword`); the answer is one keyword. Same
    language tag and keyword line as `finetuned_prompt`, so the two tasks share a prefix."""
    return f"[{lang.value}] {KEYWORDS_LABEL}: {' '.join(keywords)}\n{NEXT_LABEL}:"
