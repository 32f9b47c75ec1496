"""English sentence -> keyword items (see `keywords_assemble` for the ordering rule).

simplemma gives lemmas; this module adds what it cannot know: contractions (didn't, won't, 'll,
's, 'd), auxiliaries that vanish and hand on their tense (did, will, was + -ing, have + participle,
going to + verb), question inversion ("Did you eat?" -> "you past eat ?"), and irregular verbs
(simplemma reads "thought" and "felt" as nouns and "gone" as "gan").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import simplemma

from app.core.keywords import TIME_WORDS, Lang, Tense
from training.keywords_assemble import Item, Kind, TokenWalker
from training.names import KNOWN_NAMES

P, F, PR = Tense.PAST, Tense.FUTURE, Tense.PRESENT

# base past participle (one line each; "-" = same as the past).
_IRREGULAR_VERBS = """
arise arose arisen|awake awoke awoken|be was been|bear bore born|beat beat beaten
become became become|begin began begun|bend bent -|bet bet -|bite bit bitten|bleed bled -
blow blew blown|break broke broken|breed bred -|bring brought -|build built -|burn burnt -
buy bought -|catch caught -|choose chose chosen|come came come|cost cost -|cut cut -
deal dealt -|dig dug -|do did done|draw drew drawn|dream dreamt -|drink drank drunk
drive drove driven|eat ate eaten|fall fell fallen|feed fed -|feel felt -|fight fought -
find found -|flee fled -|fly flew flown|forbid forbade forbidden|forget forgot forgotten
forgive forgave forgiven|freeze froze frozen|get got gotten|give gave given|go went gone
grow grew grown|hang hung -|have had -|hear heard -|hide hid hidden|hit hit -|hold held -
hurt hurt -|keep kept -|kneel knelt -|know knew known|lay laid -|lead led -|learn learnt -
leave left -|lend lent -|let let -|lie lay lain|light lit -|lose lost -|make made -
mean meant -|meet met -|mistake mistook mistaken|pay paid -|prove proved proven|put put -
quit quit -|read read -|ride rode ridden|ring rang rung|rise rose risen|run ran run
say said -|see saw seen|seek sought -|sell sold -|send sent -|set set -|shake shook shaken
shine shone -|shoot shot -|show showed shown|shrink shrank shrunk|shut shut -|sing sang sung
sink sank sunk|sit sat -|sleep slept -|slide slid -|speak spoke spoken|spend spent -
spill spilt -|spin spun -|spread spread -|stand stood -|steal stole stolen|stick stuck -
sting stung -|strike struck -|swear swore sworn|sweep swept -|swim swam swum|swing swung -
take took taken|teach taught -|tear tore torn|tell told -|think thought -|throw threw thrown
understand understood -|upset upset -|wake woke woken|wear wore worn|weep wept -|win won -
wind wound -|withdraw withdrew withdrawn|write wrote written|overcome overcame overcome
forsee foresaw foreseen|undo undid undone|misunderstand misunderstood -|overhear overheard -
"""


def _irregular() -> tuple[dict[str, str], dict[str, str]]:
    past: dict[str, str] = {}
    participle: dict[str, str] = {}
    for entry in _IRREGULAR_VERBS.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        base, past_form, part = entry.split()
        part = past_form if part == "-" else part
        past[past_form] = base
        participle[part] = base
    past["were"] = "be"
    return past, participle


IRREGULAR_PAST, IRREGULAR_PARTICIPLE = _irregular()
# A past that looks like its present ("cost", "put", "hurt") says nothing: leave it present.
for _form, _base in list(IRREGULAR_PAST.items()):
    if _form == _base:
        del IRREGULAR_PAST[_form]
IRREGULAR_PAST.pop("lay")  # the past of "lie" and the base of "lay": leave it alone

BE = {"am": PR, "is": PR, "are": PR, "was": P, "were": P, "be": None, "been": None, "being": None}
HAVE = {"have": PR, "has": PR, "had": P, "having": None}
DO = {"do": PR, "does": PR, "did": P}
MODALS = {"can": "can", "could": "can", "should": "should", "must": "must", "may": "may"}
MODALS |= {"might": "might"}
FUTURE_AUX = frozenset({"will", "shall"})
INVERTING = frozenset(set(BE) | set(HAVE) | set(DO) | set(MODALS) | FUTURE_AUX | {"would"})
COPULAS = frozenset("be feel look seem get become stay remain keep sound smell taste".split())

SUBJECTS = frozenset("I you he she it we they".split())
OBJECT_PRONOUNS = {"me": "I", "him": "he", "her": "she", "us": "we", "them": "they"}
POSSESSIVES = {
    "my": "I",
    "mine": "I",
    "your": "you",
    "yours": "you",
    "his": "he",
    "hers": "she",
    "its": "it",
    "our": "we",
    "ours": "we",
    "their": "they",
    "theirs": "they",
}
REFLEXIVES = frozenset(
    "myself yourself himself herself itself ourselves yourselves themselves oneself".split()
)
ARTICLES = frozenset("a an the some any".split())
DETERMINERS = (
    ARTICLES
    | frozenset(POSSESSIVES)
    | frozenset(
        "this that these those every each another other no many much few several all".split()
    )
)
DEMONSTRATIVES = {"this": "this", "these": "this", "that": "that", "those": "that"}
# Particles that belong to their verb: "turn on", "put on", "try on".
PHRASAL = {"on": frozenset("turn switch put try hold carry go come log".split())}
DROPPED = ARTICLES | frozenset(
    "to of at in on for from by into onto about as than just really actually ever even "
    "quite rather such so across along around through during since till upon within "
    "via per".split()
)
BOUNDARY_DROPPED = frozenset({"and", "nor"})
BOUNDARY_KEPT = frozenset("but because when if while or unless although though".split())
QUESTION_WORDS = {
    "what": "what",
    "where": "where",
    "when": "when",
    "who": "who",
    "whom": "who",
    "whose": "who",
    "why": "why",
    "how": "how",
    "which": "which",
}
_WH_MODIFIERS = frozenset("much many long old often far else time kind".split())
# -ing words that are adjectives or nouns, and -ed/-en words simplemma would turn into verbs.
ING_WORDS = frozenset(
    "interesting boring amazing exciting surprising tiring annoying confusing disgusting "
    "embarrassing frightening terrifying charming relaxing missing morning evening building "
    "meeting wedding painting feeling beginning ending clothing ceiling nothing something "
    "anything everything thing king ring spring string wing sing bring swing sting cling "
    "during ping darling pudding stocking shopping".split()
)
NOUN_OVERRIDES = {
    "clothes": "clothes",
    "glasses": "glasses",
    "pants": "pants",
    "jeans": "jeans",
    "scissors": "scissors",
    "news": "news",
    "people": "people",
    "better": "better",
    "best": "best",
    "worse": "worse",
    "worst": "worst",
    "us": "we",
    "lying": "lie",
    "dying": "die",
    "tying": "tie",
    "being": "be",
    "singing": "sing",
    "bringing": "bring",
    "ringing": "ring",
    "hanging": "hang",
    "thanked": "thank",
    "thanking": "thank",
}
# -ed/-ing adjectives and nouns that are not verb forms here.
KEEP_AS_IS = frozenset(
    "willing naked talented wicked sacred beloved crooked ashamed accustomed according "
    "outstanding handwriting interested excited bored tired worried scared married".split()
)
# Words after which "Tom's" means "Tom is" (otherwise it is a possessive).
_IS_NEXT = frozenset(
    "not here there a an the very so too always never still just really in at on from with "
    "my your his her our their going been gone busy tired sick late right wrong happy sad "
    "hungry angry ready sure ok okay fine dead alive asleep awake afraid married single young "
    "old rich poor smart crazy drunk lucky nice good bad back home out up sorry upset nervous "
    "scared famous cute strong tall short fat thin lazy shy kind mean funny serious quiet "
    "different innocent guilty responsible alone big small able free safe new hot cold "
    "worried bored excited done finished".split()
)
_PRONOUN_IS = frozenset("he she it that what where who how there here this when why".split())
_SPECIAL = {
    "can't": ["can", "not"],
    "cannot": ["can", "not"],
    "won't": ["will", "not"],
    "shan't": ["shall", "not"],
    "ain't": ["is", "not"],
    "let's": ["let", "us"],
    "gonna": ["going", "to"],
    "wanna": ["want", "to"],
}
_DEGREE = frozenset("very so too really more most less quite pretty".split())

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*'?|\d+|[,;:?!.]")


@dataclass
class _Tok:
    low: str
    orig: str
    punct: bool = False
    aux: bool = False  # a do-form moved by question inversion: always an auxiliary


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    if word in NOUN_OVERRIDES:
        return NOUN_OVERRIDES[word]
    if word in ING_WORDS or word in KEEP_AS_IS:
        return word
    if word in IRREGULAR_PAST:
        return IRREGULAR_PAST[word]
    if word in IRREGULAR_PARTICIPLE:
        return IRREGULAR_PARTICIPLE[word]
    found = simplemma.lemmatize(word, lang="en").lower()
    if len(word) > 4 and word.endswith("ing"):
        return _base_form(word[:-3], found) or found
    if len(word) > 3 and word.endswith("ed") and not _is_verb_base(word):  # not "feed", "need"
        return _base_form(word[:-2], found, past=True) or found
    if word.endswith(("er", "est")) and len(found) < len(word) and word[: len(found)] == found:
        return word  # comparatives keep their meaning: "older", "later", "stranger"
    if word.endswith(("ier", "iest")) and found.endswith("y"):
        return word  # "happier", "easiest"
    return found


_VOWELS = "aeiou"
# Stem endings after which the base keeps an "e" (served, danced, changed, handled, bathed).
_E_LIKELY = ("v", "c", "g", "th", "dl", "bl", "tl", "kl", "gl", "pl", "fl", "zl", "rs", "ns")
_E_LIKELY += ("ls", "st", "rg", "dg", "nc", "rc", "ys", "uir")


@lru_cache(maxsize=50_000)
def _is_base(candidate: str) -> bool:
    """A dictionary word that is its own lemma ("fix", "open"; not "fixe", "opene")."""
    return (
        len(candidate) >= 2
        and simplemma.is_known(candidate, lang="en")
        and simplemma.lemmatize(candidate, lang="en") == candidate
    )


def _is_verb_base(candidate: str) -> bool:
    """A base form whose 3rd person simplemma folds back onto it ("plays" -> "play")."""
    if not _is_base(candidate):
        return False
    if candidate.endswith("y") and candidate[-2:-1] not in _VOWELS:
        third = candidate[:-1] + "ies"
    elif candidate.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = candidate + "es"
    else:
        third = candidate + "s"
    return simplemma.lemmatize(third, lang="en") in (candidate, candidate + "e")


def _base_form(stem: str, guess: str, *, past: bool = False) -> str | None:
    """The verb behind an -ing/-ed stem by English spelling rules, checked against simplemma's
    dictionary. simplemma's own `guess` settles what spelling cannot ("opening" -> open,
    "hoping" -> hope) but alone it gives "playe" for "playing" and "thinke" for "thinking"."""
    candidates: list[str] = []
    if past and stem.endswith("i"):
        candidates.append(stem[:-1] + "y")  # cried -> cry
    doubled = len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS
    cvc = (
        len(stem) >= 3
        and stem[-1] not in _VOWELS + "wxy"
        and stem[-2] in _VOWELS
        and stem[-3] not in _VOWELS
    ) or (len(stem) == 2 and stem[0] in _VOWELS)
    if doubled and stem[-1] not in "lsfz":
        candidates += [stem[:-1], stem]
    elif cvc:
        candidates += [stem + "e", stem]
    else:
        candidates += [stem, stem + "e"]
    if doubled and stem[-1] in "lsfz":
        candidates.append(stem[:-1])
    # simplemma adds a wrong "e" after some clusters ("thanke", "fixe", "playe").
    suspicious = guess == stem + "e" and not cvc and not stem.endswith(_E_LIKELY)
    if guess in candidates and not suspicious:
        return guess
    if suspicious:
        candidates.remove(guess)
    # A verb whose 3rd person folds back is the best evidence; a known word is the fallback.
    for check in (_is_verb_base, _is_base):
        for candidate in candidates:
            if check(candidate):
                return candidate
    return None


def is_participle(word: str) -> bool:
    if word in IRREGULAR_PARTICIPLE or word == "been":
        return True
    return word.endswith("ed") and lemma(word) != word


def _is_name(tok: _Tok, index: int) -> bool:
    return index > 0 and tok.orig[:1].isupper() and tok.orig != "I"


def tokenize(sentence: str) -> list[_Tok]:
    """Words and clause punctuation, contractions expanded ("didn't" -> did not)."""
    raw = [t.replace("’", "'") for t in _TOKEN_RE.findall(sentence)]
    toks: list[_Tok] = []
    for k, text in enumerate(raw):
        low = text.lower().rstrip("'")
        nxt = raw[k + 1].lower() if k + 1 < len(raw) else ""
        if not text[0].isalnum():
            toks.append(_Tok(low, text, punct=True))
        elif low in _SPECIAL:
            parts = _SPECIAL[low]
            toks.append(_Tok(parts[0], text[: len(parts[0])]))
            toks.extend(_Tok(p, p) for p in parts[1:])
        elif low.endswith("n't"):
            stem = low[:-3]
            toks += [_Tok(stem, text[: len(stem)]), _Tok("not", "not")]
        elif "'" in low and low != "o'clock":
            stem, suffix = low.rsplit("'", 1)
            head = _Tok(stem, text[: len(stem)])
            expanded = _expand(stem, suffix, nxt)
            toks.append(head)
            if expanded:
                toks.append(_Tok(expanded, expanded))
        else:
            toks.append(_Tok(low, text.rstrip("'")))
    return toks


def _expand(stem: str, suffix: str, nxt: str) -> str | None:
    if suffix == "m":
        return "am"
    if suffix == "re":
        return "are"
    if suffix == "ve":
        return "have"
    if suffix == "ll":
        return "will"
    if suffix == "d":
        return "had" if is_participle(nxt) or nxt == "better" else "would"
    if suffix == "s":
        if stem in _PRONOUN_IS:
            return "has" if nxt in ("been", "got") else "is"
        if nxt in _IS_NEXT or nxt.endswith("ing"):
            return "is"
    return None  # a possessive ("Tom's car"): the name stays, the 's goes


def is_question(sentence: str) -> bool:
    return sentence.strip().endswith("?")


def invert_question(toks: list[_Tok]) -> list[_Tok]:
    """ "did you eat" -> "you did eat", "are you tired" -> "you are tired": a pronoun subject
    goes first, as a user taps it. "do" moves after any subject ("did Tom go" -> "Tom did go")
    as it vanishes anyway; "be" and modals stay before a noun ("where is Mom" keeps its order,
    like Spanish "dónde está mamá"). Only the clause that ends the question is inverted
    ("Hello, are you okay?")."""
    commas = [k for k, t in enumerate(toks) if t.punct and t.low == ","]
    if commas:
        head, tail = toks[: commas[-1] + 1], toks[commas[-1] + 1 :]
        return head + invert_question(tail)
    words = [t for t in toks if not t.punct]
    if not words:
        return toks
    k = 0
    while k < len(words) and (
        words[k].low in QUESTION_WORDS or (k > 0 and words[k].low in _WH_MODIFIERS)
    ):
        k += 1
    if k >= len(words) or words[k].low not in INVERTING or k > 2:
        return toks
    j = k + 1
    if j < len(words) and words[j].low == "not":
        j += 1
    if j >= len(words):
        return toks
    subj = words[j]
    is_do = words[k].low in DO
    if (
        subj.low in SUBJECTS
        or subj.low in ("i", "there")
        or (
            is_do and (subj.low in ("this", "that") or _is_name(subj, j) or subj.orig[:1].isupper())
        )
    ):
        end = j + 1
    elif is_do and subj.low in DETERMINERS and j + 1 < len(words):
        end = j + 2
    else:
        return toks
    moved = words[k:j]
    if moved[0].low in DO:
        if end >= len(words):
            return toks  # "Who did it?": "did" is the verb itself
        moved[0].aux = True
    # Commas inside a short inverted question are rare; the words' order is what matters.
    return words[:k] + words[j:end] + moved + words[end:]


@dataclass
class EnglishAnalysis:
    items: list[Item]
    question: bool
    time_tenses: list[Tense] = field(default_factory=list)


class _Builder(TokenWalker):
    def __init__(self, toks: list[_Tok], *, question: bool) -> None:
        super().__init__(toks)
        self.question = question
        self.prev_aux: str | None = None  # lemma of the previous word if it was an auxiliary
        self.clause_has_verb = False

    def _skip_adverbs(self, i: int) -> int:
        skippable = {"not", "always", "still", "just", "really", "never", "already", "also"}
        skippable |= {"ever", "even", "probably", "often", "usually"}
        while self.word_at(i) in skippable:
            i += 1
        return i

    def add(self, item: Item, *, verb: str | None = None, aux: str | None = None) -> None:
        self.items.append(item)
        self.prev_verb = verb
        self.prev_aux = aux
        if item.kind is Kind.VERB:
            self.clause_has_verb = True
        if item.kind is Kind.BOUNDARY:
            self.clause_has_verb = False

    def step(self, i: int) -> int:
        tok = self.toks[i]
        w = tok.low
        prev = self.prev_word
        self.prev_word = w
        nxt = self.word_at(i + 1)
        if tok.punct:
            if w in ",;:":
                self.add(Item(Kind.BOUNDARY))
            return i + 1
        if w in TIME_WORDS[Lang.EN]:
            if not (w == "before" and nxt is not None):  # "before dinner": a preposition
                self.time_tenses.append(TIME_WORDS[Lang.EN][w])
            self.add(Item(Kind.WORD, w))
            return i + 1
        if w == "not":
            last = self.items[-1] if self.items else None
            if last is not None and last.kind is Kind.VERB and not last.aux:
                self.items.insert(len(self.items) - 1, Item(Kind.NEG))  # "am not" -> not be
            else:
                self.add(Item(Kind.NEG), aux=self.prev_aux)
            return i + 1
        if w in QUESTION_WORDS:
            self.add(Item(Kind.WORD, QUESTION_WORDS[w]))
            return i + 1
        if w == "that" and (nxt in SUBJECTS or nxt in ("the", "a", "my", "your", "there")):
            self.add(Item(Kind.BOUNDARY))  # "I think that he ...": a conjunction
            return i + 1
        if w in BOUNDARY_DROPPED:
            self.add(Item(Kind.BOUNDARY))
            return i + 1
        if w in BOUNDARY_KEPT:
            self.add(Item(Kind.BOUNDARY))
            self.add(Item(Kind.WORD, w))
            return i + 1
        if w == "i" or w in SUBJECTS:
            word = "I" if w == "i" else w
            self.add(Item(Kind.PRONOUN, word, subject=not self.clause_has_verb))
            return i + 1
        if w in OBJECT_PRONOUNS:
            self.add(Item(Kind.PRONOUN, OBJECT_PRONOUNS[w]))
            return i + 1
        if w in POSSESSIVES:
            self.add(Item(Kind.PRONOUN, POSSESSIVES[w]))
            return i + 1
        if w in REFLEXIVES:
            return i + 1
        if w in DEMONSTRATIVES:
            self.add(Item(Kind.WORD, DEMONSTRATIVES[w], subject=True))
            return i + 1
        if w == "used" and nxt == "to":
            self.add(Item(Kind.VERB, None, tense=P, finite=True, aux=True), aux="used")
            return i + 2
        if w == "going" and nxt == "to" and self._verb_follows(i + 2):
            self.add(Item(Kind.VERB, None, tense=F, finite=True, aux=True), aux="going")
            return i + 2
        if w in PHRASAL and self.prev_verb in PHRASAL[w]:
            self.add(Item(Kind.WORD, w))
            return i + 1
        if w in DROPPED:
            self.prev_verb = None
            return i + 1
        consumed = self._auxiliary_or_verb(i, prev)
        if consumed:
            return consumed
        return self._word(i, prev)

    def _verb_follows(self, i: int) -> bool:
        """Is the word at i a bare verb ("going to *eat*") rather than a place ("to school")?"""
        w = self.word_at(i)
        if w is None or w in DETERMINERS or w in _PLACES or w in OBJECT_PRONOUNS:
            return False
        return not self.toks[i].orig[:1].isupper()

    def _auxiliary_or_verb(self, i: int, prev: str | None) -> int | None:
        tok = self.toks[i]
        w = tok.low
        j = self._skip_adverbs(i + 1)
        nxt = self.word_at(j)
        after_to = (
            prev == "to"
            or self.prev_aux in ("used", "going")
            or self.prev_verb in (set(MODALS.values()) | {"let", "help", "make"})
        )
        if w in BE:
            progressive = nxt is not None and (
                (nxt.endswith("ing") and nxt not in ING_WORDS and lemma(nxt) != nxt)
                or (nxt == "going" and self.word_at(j + 1) == "to")
            )
            if self.question and not progressive:
                # "Is Grandpa coming?": the subject stands between "is" and the -ing verb.
                ahead = [self.word_at(k) for k in range(j + 1, j + 3)]
                progressive = any(
                    a is not None and a.endswith("ing") and a not in ING_WORDS and lemma(a) != a
                    for a in ahead
                )
            if progressive:
                self.add(Item(Kind.VERB, None, tense=BE[w], finite=True, aux=True), aux="be")
                return i + 1
            self.add(
                Item(Kind.VERB, "be", tense=BE[w], finite=BE[w] is not None and not after_to),
                verb="be",
            )
            return i + 1
        if w in HAVE:
            if nxt is not None and is_participle(nxt) and nxt != "got":
                self.add(Item(Kind.VERB, None, tense=P, finite=True, aux=True), aux="have")
                return i + 1
            self.add(Item(Kind.VERB, "have", tense=HAVE[w], finite=not after_to), verb="have")
            if self.word_at(i + 1) == "got":
                return i + 2  # "have got" = have
            return i + 1
        if w in DO and (tok.aux or self.word_at(i + 1) == "not"):
            self.add(Item(Kind.VERB, None, tense=DO[w], finite=True, aux=True), aux="do")
            return i + 1
        if w in FUTURE_AUX:
            self.add(Item(Kind.VERB, None, tense=F, finite=True, aux=True), aux="will")
            return i + 1
        if w == "would":
            self.add(Item(Kind.VERB, None, finite=True, aux=True), aux="would")
            return i + 1
        if w in MODALS:
            # "could" is a polite present in a question, a past ability otherwise.
            tense = P if w == "could" and not self.question else PR
            self.add(Item(Kind.VERB, MODALS[w], tense=tense, finite=True), verb=MODALS[w])
            return i + 1
        if w in DO:
            tense = DO[w]
            self.add(Item(Kind.VERB, "do", tense=tense, finite=True), verb="do")
            return i + 1
        after_det = prev in DETERMINERS
        if (tok.orig[:1].isupper() and i > 0) or after_det:
            return None
        if w in ING_WORDS:
            return None
        if self.prev_aux == "have" and is_participle(w):
            self.add(Item(Kind.VERB, lemma(w)), verb=lemma(w))
            return i + 1
        copular = self.prev_verb in COPULAS or prev in _DEGREE
        if w.endswith("ing") and lemma(w) != w and not copular:
            # A gerund or the verb of a progressive ("is eating" -> eat).
            finite = self.prev_aux == "be" and not self.clause_has_verb
            self.add(Item(Kind.VERB, lemma(w), finite=finite), verb=lemma(w))
            return i + 1
        past = w in IRREGULAR_PAST or (w.endswith("ed") and lemma(w) != w)
        if past and not copular and self.prev_verb is None:
            finite = not after_to
            base = IRREGULAR_PAST.get(w) or lemma(w)
            self.add(Item(Kind.VERB, base, tense=P, finite=finite), verb=base)
            return i + 1
        clause_start = i == 0 or (self.items and self.items[-1].kind is Kind.BOUNDARY)
        if clause_start and w not in _NOT_IMPERATIVE and _is_verb_base(w):
            # "Choose one.", "Sit down.": an imperative, whose subject is nobody in the hint.
            self.add(Item(Kind.VERB, w, tense=PR, finite=True), verb=w)
            return i + 1
        return None

    def _word(self, i: int, prev: str | None) -> int:
        tok = self.toks[i]
        w = tok.low
        if _is_name(tok, i) or (tok.orig[:1].isupper() and i == 0 and w in _KNOWN_NAMES):
            self.add(Item(Kind.WORD, w, subject=True))
            return i + 1
        copular = self.prev_verb in COPULAS or prev in _DEGREE
        if copular and (is_participle(w) or w in IRREGULAR_PAST):
            self.add(Item(Kind.WORD, w))  # "I'm tired", "it's broken": adjectives
            return i + 1
        if w in IRREGULAR_PAST and not self._looks_like_verb(i, prev):
            self.add(Item(Kind.WORD, w, subject=True))  # "turn left", "a saw"
            return i + 1
        word = lemma(w)
        if w in _INNER_ADVERBS:
            # "have never seen": the auxiliary still governs the participle after the adverb.
            prev_aux, prev_verb = self.prev_aux, self.prev_verb
            self.add(Item(Kind.WORD, word))
            self.prev_aux, self.prev_verb = prev_aux, prev_verb
            return i + 1
        is_verb = self._looks_like_verb(i, prev)
        if not is_verb and IRREGULAR_PARTICIPLE.get(w, w) != w and w not in IRREGULAR_PAST:
            self.add(Item(Kind.WORD, w))  # "gone", "broken": participles used as adjectives
            return i + 1
        item = Item(Kind.VERB if is_verb else Kind.WORD, word, subject=not is_verb)
        if is_verb:
            after_to = prev == "to" or self.prev_verb is not None or self.prev_aux is not None
            item.finite = not after_to or self.prev_aux in ("do", "will", "would")
            item.tense = PR if item.finite else None
            self.add(item, verb=word)
        else:
            self.add(item)
        return i + 1

    def _looks_like_verb(self, i: int, prev: str | None) -> bool:
        """A plain word is taken as a verb right after a subject, "to", a modal or an
        auxiliary: that is where the chain and tense rules need to know."""
        if prev in DETERMINERS or prev in _DEGREE:
            return False
        if self.prev_aux is not None or prev == "to":
            return True
        last = self.items[-1] if self.items else None
        if last is not None and last.kind is Kind.PRONOUN and last.subject:
            return True
        before = self.items[-2] if len(self.items) > 1 else None
        if (
            last is not None
            and last.kind is Kind.PRONOUN
            and before is not None
            and before.kind is Kind.VERB
            and before.word in _CAUSATIVES
        ):
            return True  # "help me *get*", "let me *go*"
        return self.prev_verb in set(MODALS.values()) | {"let", "help", "make"}


_PLACES = frozenset(
    "school bed work church class town jail prison college university hospital market court "
    "sea war dinner lunch breakfast bathroom toilet office park beach library store shop "
    "home".split()
)
_KNOWN_NAMES = KNOWN_NAMES[Lang.EN]
# Sentence openers that are verbs too but rarely imperatives there.
_NOT_IMPERATIVE = frozenset(
    "please thank thanks yes no hello hi well water time people love fish work dogs cats "
    "children everybody everyone nobody someone something nothing everything today tonight "
    "now here there maybe perhaps mom dad mother father".split()
)
_CAUSATIVES = frozenset("let help make watch see hear have".split())
_INNER_ADVERBS = frozenset("never always already still ever often usually also probably".split())


def analyse(sentence: str) -> EnglishAnalysis:
    question = is_question(sentence)
    toks = tokenize(sentence)
    if question:
        toks = invert_question(toks)
    builder = _Builder(toks, question=question)
    items = builder.build()
    return EnglishAnalysis(items, question, builder.time_tenses)
