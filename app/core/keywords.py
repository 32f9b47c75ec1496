"""The keyword convention: the contract between boards and the model (see DESIGN.md).

Keywords are pictogram labels in tap order, lowercase lemmas. Markers (past, future, negation,
question) are keywords of their own. This module is the one place that turns what a user tapped
into the text a model sees; `training/` imports it so training and runtime cannot drift.

Users tap markers first, last or in between; the message must not depend on where. So
`prepare_keywords` moves every marker to the one place the training converter writes it
(`training/keywords_assemble.py`):

    [question word] [subject] [tense marker] [negation] verb ... [?]

i.e. the tense marker and then the negation right before the first verb, and `?` last. Content
words keep the order they were tapped in.
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


def keyword_text(items: Iterable[str], lang: Lang) -> str:
    """What one cell or strip item adds (its labels or keywords) as one normalised keyword
    text: the prediction row's words and the history's keywords use this form."""
    return " ".join(w for item in items for w in split_keyword(item, lang))


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


# --- where markers go ------------------------------------------------------------------------
# Keywords are lemmas, so a Spanish verb is an infinitive: -ar/-er/-ir (-ír: oír, reír), stressed
# on its last syllable, so never with a written accent before the ending. These look like one.
_NOT_INFINITIVES_ES = frozenset(
    "mujer lugar hogar mar bar collar taller alquiler ayer militar familiar popular particular "
    "regular similar par solar escolar celular titular altar pilar radar jaguar calamar "
    "paladar billar hangar manjar ejemplar bienestar malestar primer tercer cualquier alfiler "
    "tenedor ordenador menester amanecer atardecer javier edgar gaspar baltasar esther ester "
    "omar oliver peter walter".split()
)
_INFINITIVE_ES = re.compile(r"^[a-zñü]*(?:ar|er|ir)$|^[a-zñü]*ír$")

# English lemmas give no sign of being verbs: the common ones an AAC board and everyday
# messages use (modals and be/have/do included, since the converter keeps them as keywords).
VERBS_EN = frozenset(
    """
    be have do can could should must may might would will shall need want like love hate
    go come get give take make put let see look watch hear listen feel think know understand
    say tell ask answer talk speak call shout cry laugh smile sing dance play eat drink cook
    bake sleep wake rest sit stand walk run jump swim climb ride drive fly fall move stop
    start begin finish end open close turn push pull carry bring send buy pay sell cost spend
    find lose keep hold catch throw kick hit break fix build cut draw paint write read learn
    teach study work help try use wait stay leave arrive return visit meet live die kill
    hurt ache bleed breathe cough sneeze vomit wash clean brush comb dress wear change
    shower bathe pee poop hug kiss touch hold share show hide win forget remember believe
    hope wish prefer choose decide mean seem become grow happen lie lay sit set rain snow
    miss enjoy agree argue fight worry mind care check count order pick fill empty pour
    plant water feed smell taste sound bite chew swallow lick hurry rush
    join follow lead pass borrow lend save spend borrow marry travel move dream guess solve
    explain describe repeat spell print type text email phone search lock unlock knock
    ring beat bet blow burn cheat complain cover cross deliver drop enter exercise fail
    fold hang hunt improve invite jog kneel knit lift light mix nod offer own pack park
    perform plan pray prepare pretend promise protect punch race reach relax rent repair
    rescue ride rob roll rub scream sell shake shine shoot shop sign sink skate ski slide
    sneak spill spin spread squeeze steal stick sting stir suck surprise swing tear thank
    thank tidy tie toss trust twist vote wave whisper wipe wonder worry wrap yell zip
    accept add admire admit allow annoy apologize appear arrange attack attend avoid bother
    borrow brake calm celebrate chase collect compare complete continue copy cost crash
    dare deserve destroy develop disagree disappear discover dislike divide doubt earn
    escape exist expect fetch fit float flow forgive freeze frighten gather greet handle
    hate heal heat identify ignore imagine include inform injure insist introduce iron
    jump keep kick kneel lend lie load look mark matter measure melt mend murder name
    note notice obey obtain occur paste pause peel pinch point pop possess
    pour practice practise press prevent produce pronounce prove pump punish question
    realize realise receive recognize record reduce refuse regret reject rely remain
    remind remove replace reply report request require retire rinse risk rock ruin rule
    sail satisfy scare scold scratch seal shave shiver sigh skip slap slip smash smoke
    sniff snore soak sort spark spoil spray sprinkle squeal stain stamp stare steer step
    strap stretch struggle succeed suffer suggest suit supply support suppose surround
    suspect switch tap tease tempt test tickle tip tour trace trade train trap trip
    trouble tumble unite unpack untie vanish visit wander warm warn waste weigh whip
    whistle wink wish wobble wreck yawn complain feel fill grab hurt stay turn
    """.split()
)

# Words before a message that are neither its subject nor its verb.
INTERJECTIONS: dict[Lang, frozenset[str]] = {
    Lang.ES: frozenset("oh ah ay hola oye eh vaya bueno vale favor por".split()),
    Lang.EN: frozenset("oh ah hey hello hi please okay ok well".split()),
}

QUESTION_WORDS: dict[Lang, frozenset[str]] = {
    Lang.ES: frozenset(
        "qué quién quiénes dónde adónde cuándo cómo cuánto cuánta cuántos cuántas cuál "
        "cuáles que quien donde cuando como cuanto cual".split()
    ),
    Lang.EN: frozenset("what where when who whom whose why how which".split()),
}


# Verbs that take another verb in the same clause ("querer dormir", "can go"): a marker before
# the second verb belongs to the chain. After any other verb ("creer", "think") a marker right
# before a later verb belongs to that verb's own clause and stays ("yo creer futuro llover").
CHAIN_VERBS: dict[Lang, frozenset[str]] = {
    Lang.ES: frozenset(
        "querer poder necesitar deber soler saber ir tener gustar encantar preferir intentar "
        "empezar comenzar terminar acabar dejar volver tratar esperar odiar".split()
    ),
    Lang.EN: frozenset(
        "want need can could should must may might would will like love hate prefer try "
        "start begin stop finish keep go have help let make be do".split()
    ),
}


def is_verb(word: str, lang: Lang) -> bool:
    """Whether a keyword is a verb lemma (by form in Spanish, by list in English)."""
    if lang is Lang.ES:
        return bool(_INFINITIVE_ES.match(word)) and word not in _NOT_INFINITIVES_ES
    return word in VERBS_EN


def _verb_slot(words: list[str], lang: Lang) -> int:
    """Where the marker group goes: right before the first verb; without a verb, after the
    leading subject, question and time words (the converter's "no" before a word)."""
    pronouns, question_words = SUBJECT_PRONOUNS[lang], QUESTION_WORDS[lang]
    negation = MARKERS[lang].negation
    for i, word in enumerate(words):
        if is_verb(word, lang):
            return i
    lead = pronouns | question_words | TIME_WORDS[lang].keys() | INTERJECTIONS[lang] | {negation}
    start = 0  # past the words that come before a subject
    while start < len(words) and words[start] in lead - pronouns:
        start += 1
    if lang is Lang.EN and len(words) - start >= 2:
        # An unlisted verb: the word after the subject ("she skateboard", "ben gasp"); a
        # question word can be the subject itself ("who hire you").
        led_by_question = any(w in question_words for w in words[:start])
        return start if led_by_question and words[start] not in pronouns else start + 1
    for i in range(start, len(words)):
        if words[i] not in lead:
            return i
    return len(words)


MARKERS_SET: dict[Lang, frozenset[str]] = {
    lang: frozenset({m.past, m.future, m.negation, m.question}) for lang, m in MARKERS.items()
}


def _anchored(words: list[str], i: int, lang: Lang) -> bool:
    """Whether the marker at `i` stays: it is right before a verb of a later clause (another
    verb, not a chain verb, comes before it), where the converter writes a clause's marker."""
    m = MARKERS[lang]
    markers = {m.past, m.future, m.negation, m.question}
    nxt = next((w for w in words[i + 1 :] if w not in markers), None)
    if nxt is None or not is_verb(nxt, lang):
        return False
    before = [w for w in words[:i] if is_verb(w, lang)]
    return bool(before) and before[-1] not in CHAIN_VERBS[lang]


def place_markers(words: list[str], lang: Lang) -> list[str]:
    """The keywords with every marker where the training converter writes it, whatever order
    they were tapped in: "yo ir parque pasado", "pasado yo ir parque" and "yo pasado ir
    parque" all become "yo pasado ir parque"; "?" goes last. A tense marker that a time word
    already says ("ayer ... pasado") is dropped, as the converter never writes it. A marker
    right before the verb of a later clause stays ("yo creer futuro llover"), and so do two
    negations (two clauses: "yo no querer que tú no ir")."""
    m = MARKERS[lang]
    tense_markers = (m.past, m.future)
    time_tenses = {TIME_WORDS[lang][w] for w in words if w in TIME_WORDS[lang]}
    # A double tap ("no no", "? ?") is one tap.
    words = [
        w for i, w in enumerate(words) if not (w in MARKERS_SET[lang] and words[i - 1 : i] == [w])
    ]
    question = m.question in words
    single_negation = words.count(m.negation) == 1
    tenses: list[str] = []
    kept: list[str] = []  # content words and the markers that stay where they are
    for i, word in enumerate(words):
        if word == m.question:
            continue
        if word in tense_markers:
            tense = Tense.PAST if word == m.past else Tense.FUTURE
            if tense in time_tenses or word in tenses or word in kept:
                continue
            if _anchored(words, i, lang):
                kept.append(word)
            else:
                tenses.append(word)
        elif word == m.negation and single_negation and not _anchored(words, i, lang):
            continue  # placed below, with the tense marker
        else:
            kept.append(word)
    negation = [m.negation] if single_negation and m.negation not in kept else []
    if not kept and not tenses and not negation:
        return [m.question] if question else []
    slot = _verb_slot([w for w in kept if w not in tense_markers], lang)
    # _verb_slot counted without the kept tense markers: map back to an index in `kept`.
    index, seen = 0, 0
    while index < len(kept) and seen < slot:
        seen += kept[index] not in tense_markers
        index += 1
    while index > 0 and kept[index - 1] == m.negation and not negation:
        index -= 1  # a tense marker goes before a negation that stays
    out = [*kept[:index], *tenses, *negation, *kept[index:]]
    return [*out, m.question] if question else out


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
    words = place_markers(words, language)
    if not words:  # only a tense marker that a time word already said: keep what was tapped
        raise KeywordError("No pictograms selected: tap at least one pictogram.")
    return KeywordInput(tuple(words), language, tuple(notices))
