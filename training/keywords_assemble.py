"""Turn a language's analysed sentence (a stream of items) into the keywords a user would tap.

The language modules (`keywords_es`, `keywords_en`) know the words; this module knows the one
ordering rule both share, so Spanish and English training inputs look alike:

    [subject] [tense marker] [negation] verb [verb ...] [objects] ... [?]

- The tense marker (`pasado`/`futuro`, `past`/`future`) is written once per sentence, right
  before the first verb group whose tense is past or future, i.e. after the subject. It is left
  out when a time word in the sentence (`ayer`, `tomorrow`) already says the same tense: a user
  who tapped "ayer" does not also tap "pasado".
- Negation (`no`/`not`) goes right before the verb it negates (after the tense marker).
- Object clitics (Spanish "te quiero") follow the verb chain ("yo querer tú").
- The question marker `?` ends the keywords.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.keywords import MARKERS, Lang, Tense


class Kind(StrEnum):
    WORD = "word"  # a content keyword (noun, adjective, adverb, question word, name)
    PRONOUN = "pronoun"  # a pronoun already in subject form
    CLITIC = "clitic"  # a Spanish clitic before its verb (me, te, le, se, lo ...)
    VERB = "verb"
    NEG = "neg"
    BOUNDARY = "boundary"  # a clause break (comma, "que", "because" ...)


@dataclass
class Item:
    kind: Kind
    word: str | None = None  # the keyword; None for items that vanish (se, lo, articles)
    person: str | None = None  # "1s" "2s" "3s" "1p" "2p" "3p" or "1s3s" (ambiguous)
    tense: Tense | None = None  # for verbs: the tense the form carries (None: non-finite)
    finite: bool = False  # a conjugated verb (it implies a subject)
    aux: bool = False  # an auxiliary: it vanishes and hands its tense/person to the next verb
    experiencer: bool = False  # gustar-type verb: the dative clitic is the keyword subject
    subject: bool = False  # a word/pronoun that can be the clause's subject
    maybe_past: bool = False  # a form that is present or past alike (Spanish "hablamos")
    objects: list[Item] = field(default_factory=list)  # enclitics ("dame" -> dar + yo)


# Person of a finite verb -> the subject pronoun a user would tap (Spanish only; English
# always writes its subject).
PERSON_PRONOUN_ES = {"1s": "yo", "2s": "tú", "1p": "nosotros", "2p": "vosotros"}


class TokenWalker:
    """What the Spanish and English builders share: one pass over word tokens (each with `.low`
    and `.punct`), a little lookahead, and the items found so far. Subclasses define `step`."""

    def __init__(self, toks: list) -> None:
        self.toks = toks
        self.items: list[Item] = []
        self.time_tenses: list[Tense] = []
        self.prev_word: str | None = None
        self.prev_verb: str | None = None  # lemma of the previous word if it was a verb

    def word_at(self, i: int) -> str | None:
        if 0 <= i < len(self.toks) and not self.toks[i].punct:
            return self.toks[i].low
        return None

    def step(self, i: int) -> int:
        """Consume the token(s) at i; return the index of the next one."""
        raise NotImplementedError

    def build(self) -> list[Item]:
        i = 0
        while i < len(self.toks):
            i = self.step(i)
        return self.items


@dataclass
class Assembled:
    keywords: list[str]
    tense: Tense
    negated: bool
    subject: str | None  # the first clause's subject pronoun, explicit or inserted


def assemble(
    items: list[Item],
    lang: Lang,
    *,
    question: bool,
    time_tenses: list[Tense],
    third_person_subject: str | None = None,
) -> Assembled:
    """Order the items by the shared rule. `third_person_subject` names the pronoun for a first
    finite verb whose person alone cannot say it (3rd person, or imperfect 1st/3rd)."""
    markers = MARKERS[lang]
    out: list[str] = []
    state = _Clause()
    sentence_tense = Tense.PRESENT
    tense_written = False
    negated = False
    first_subject: str | None = None
    seen_finite = False
    pending_neg = False
    pending_clitics: list[Item] = []
    carry: Item | None = None  # the last auxiliary, whose tense/person the next verb takes
    in_chain = False
    chain_objects: list[str] = []
    chain_person: str | None = None  # the chain's subject person, for reflexive enclitics

    def emit(word: str | None) -> None:
        # A pronoun tapped twice in a row ("a mí me gusta") is one tap.
        if word and not (out and out[-1] == word):
            out.append(word)

    def flush_chain() -> None:
        nonlocal in_chain
        for word in chain_objects:
            emit(word)
        chain_objects.clear()
        in_chain = False

    def flush_neg() -> None:
        nonlocal pending_neg, negated
        if pending_neg:
            emit(markers.negation)
            negated = True
            pending_neg = False

    for item in items:
        if item.kind is Kind.BOUNDARY:
            flush_chain()
            for clitic in pending_clitics:
                emit(clitic.word)
            pending_clitics.clear()
            flush_neg()
            carry = None
            state = _Clause()
        elif item.kind is Kind.NEG:
            if in_chain:
                flush_chain()
            pending_neg = True
        elif item.kind is Kind.CLITIC:
            if in_chain:
                flush_chain()
            pending_clitics.append(item)
        elif item.kind is Kind.VERB and item.aux:
            if carry is None or carry.tense in (None, Tense.PRESENT):
                carry = item
        elif item.kind is Kind.VERB:
            tense = item.tense
            person = item.person
            finite = item.finite
            if carry is not None:
                if carry.tense in (Tense.PAST, Tense.FUTURE) or tense is None:
                    tense = carry.tense
                person = carry.person or person
                finite = finite or carry.finite
                carry = None
            if in_chain and not finite:
                # A verb inside a chain ("quiero *comer*", "want *eat*").
                emit(item.word)
                chain_objects.extend(
                    o.word
                    for o in item.objects
                    if o.word and not _same_person(o.person, chain_person)
                )
                continue
            flush_chain()
            subject = None
            if item.experiencer:
                dative = next((c for c in pending_clitics if c.person), None)
                if dative is not None:
                    pending_clitics.remove(dative)
                    if not state.has_subject:
                        subject = dative.word
            elif finite and person and lang is Lang.ES:
                subject = PERSON_PRONOUN_ES.get(person)
                if subject is None:
                    # 3rd person (or imperfect 1st/3rd): the form alone does not say who.
                    if not seen_finite and not state.has_subject:
                        subject = third_person_subject
                elif subject in state.pronouns or (person[1] == "p" and state.has_subject):
                    subject = None  # already tapped ("yo quiero", "Ana y yo fuimos")
            if subject:
                emit(subject)
                state.add_subject(subject)
            if finite and first_subject is None and not seen_finite:
                first_subject = subject or state.first_pronoun
            seen_finite = seen_finite or finite
            # An ambiguous person ("quería": 1st or 3rd) cannot make a clitic reflexive.
            subject_person = _person_of(state.first_pronoun or subject) or (
                person if person and len(person) == 2 else None
            )
            objects = [
                c.word
                for c in pending_clitics
                if c.word and not _same_person(c.person, subject_person)
            ]
            pending_clitics.clear()
            if tense in (Tense.PAST, Tense.FUTURE) and not tense_written:
                tense_written = True
                sentence_tense = tense
                if tense not in time_tenses:
                    emit(markers.past if tense is Tense.PAST else markers.future)
            flush_neg()
            emit(item.word)
            in_chain = True
            chain_person = subject_person
            chain_objects.extend(objects)
            chain_objects.extend(
                o.word
                for o in item.objects
                if o.word and not _same_person(o.person, subject_person)
            )
        else:  # a word or a pronoun
            if in_chain:
                flush_chain()
            if item.kind is Kind.WORD:
                flush_neg()
            if item.subject:
                state.add_subject(item.word if item.kind is Kind.PRONOUN else None)
            emit(item.word)
    flush_chain()
    for clitic in pending_clitics:
        emit(clitic.word)
    flush_neg()
    if question:
        out.append(markers.question)
    if not tense_written and time_tenses:
        sentence_tense = time_tenses[0]
    return Assembled(out, sentence_tense, negated, first_subject)


@dataclass
class _Clause:
    has_subject: bool = False
    pronouns: set[str] = field(default_factory=set)
    first_pronoun: str | None = None

    def add_subject(self, pronoun: str | None) -> None:
        self.has_subject = True
        if pronoun:
            self.pronouns.add(pronoun)
            self.first_pronoun = self.first_pronoun or pronoun


# Spanish subject pronouns -> grammatical person (keywords_es adds its own variants).
PRONOUN_PERSON = {
    "yo": "1s",
    "tú": "2s",
    "usted": "3s",
    "él": "3s",
    "ella": "3s",
    "nosotros": "1p",
    "nosotras": "1p",
    "vosotros": "2p",
    "vosotras": "2p",
    "ellos": "3p",
    "ellas": "3p",
    "ustedes": "3p",
}


def _person_of(pronoun: str | None) -> str | None:
    return PRONOUN_PERSON.get(pronoun or "")


def _persons(person: str | None) -> set[str]:
    if not person:
        return set()
    return {person[i : i + 2] for i in range(0, len(person), 2)}


def _same_person(clitic: str | None, subject: str | None) -> bool:
    """A 1st/2nd person clitic of the subject's own person is reflexive ("me llamo",
    "siéntate"): no keyword. 3rd person reflexives are "se", which never has one."""
    shared = _persons(clitic) & _persons(subject)
    return any(p[0] in "12" for p in shared)
