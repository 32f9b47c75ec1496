"""Turning raw model output into one clean sentence, and the key that decides duplicates."""

from __future__ import annotations

import re
import unicodedata

from app.core.keywords import SUBJECT_PRONOUNS, TIME_WORDS, KeywordInput, Lang, Tense

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


# --- does a candidate say what the keywords say? ------------------------------------------------
# Small word lists, not a lemmatiser: simplemma is only in the [train] extra, and these cues are
# few and closed. Each is measured against the training converter's analysis in
# tests/test_text.py (gold references must pass; flipped markers must fail).

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

_NEGATION = {
    Lang.ES: frozenset("no nunca nada nadie ni jamás ningún ninguno ninguna tampoco".split()),
    Lang.EN: frozenset("not never no nobody nothing none nowhere neither nor cannot".split()),
}

# Spanish past: preterite, imperfect, perfect (he + participle); future: -ré..., "voy a" + inf.
_ES_PAST_FORMS = frozenset(
    """fui fuiste fue fuimos fuisteis fueron era eras éramos erais eran iba ibas íbamos ibais
    iban estuve estuviste estuvo estuvimos estuvieron tuve tuviste tuvo tuvimos tuvieron hice
    hiciste hizo hicimos hicieron pude pudiste pudo pudimos pudieron quise quisiste quiso
    quisimos quisieron dije dijiste dijo dijimos dijeron vine viniste vino vinimos vinieron
    puse pusiste puso pusimos pusieron traje trajiste trajo trajimos trajeron supe supiste supo
    supimos supieron di diste dio dimos dieron vi viste vio vimos vieron hubo anduve anduvo
    conduje condujo oí oyó cupe cupo""".split()
)
_ES_PERFECT_AUX = frozenset(
    "he has ha hemos habéis han había habías habíamos habíais habían".split()
)
_ES_PARTICIPLE = re.compile(r"(?:ado|ada|ados|adas|ido|ida|idos|idas|ído|ída|ídos|ídas)$")
_ES_IRREGULAR_PARTICIPLES = frozenset(
    """hecho dicho visto puesto vuelto escrito roto muerto abierto cubierto descubierto
    resuelto devuelto frito impreso satisfecho deshecho propuesto""".split()
)
_ES_PAST_ENDINGS = re.compile(
    r"(?:aste|asteis|aron|iste|isteis|ieron|yeron|ió|yó|aba|abas|ábamos|abais|aban|ía|ías|"
    r"íamos|íais|ían)$"
)
# -ía words that are nouns or possessives, and conditionals (-aría, -ería ...), are not past;
# "quería" and its kind are imperfects that look like conditionals.
_ES_NOT_PAST = frozenset(
    """día días tía tías vía guía mía mías fría frías sandía policía alegría energía compañía
    garantía fantasía melodía mayoría categoría todavía cortesía poesía maría sofía lucía
    geografía biología economía tecnología filosofía lotería batería galería valentía
    cobardía ortografía fotografía traba haba baba""".split()
)
_ES_IMPERFECT_LIKE_CONDITIONAL = frozenset(
    "quería querías queríamos querían prefería preferías preferían sugería hería".split()
)
_ES_CONDITIONAL = re.compile(r"(?:[aei]r|dr|br|rr)(?:ía|ías|íamos|íais|ían)$")
# Preterite 1st/3rd person singular -é / -í / -ó: common words that end so but are not verbs.
_ES_NOT_PRETERITE = frozenset(
    """qué café bebé té sé dé josé puré esté olé aquí allí ahí así sí mí esquí rubí maní ají
    jabalí colibrí maniquí bisturí también según después adiós menú papá mamá sofá allá acá
    quizá perú""".split()
)
_ES_FUTURE = re.compile(
    r"(?:ar|er|ir|ír|tendr|podr|querr|sabr|habr|har|dir|pondr|saldr|vendr|valdr|cabr)"
    r"(?:é|ás|á|emos|éis|án)$"
)
_ES_GO = frozenset("voy vas va vamos vais van".split())
_ES_INFINITIVE = re.compile(
    r"(?:ar|er|ir|ír)(?:me|te|se|lo|la|le|nos|os|los|las|les)?(?:lo|la|le|los|las|les)?$"
)

_EN_PAST_AUX = frozenset("did was were had could".split())
_EN_PERFECT_AUX = frozenset("have has 've 's haven't hasn't".split())
# base past participle ("-": same as the past), for tense cues and for keyword matches.
_EN_IRREGULAR = """go went gone|eat ate eaten|see saw seen|come came come|get got gotten|make made -
take took taken|give gave given|find found -|tell told -|say said -|think thought -
know knew known|feel felt -|leave left -|bring brought -|buy bought -|fall fell fallen
break broke broken|sleep slept -|drink drank drunk|run ran run|sit sat -|stand stood -
lose lost -|win won -|write wrote written|speak spoke spoken|forget forgot forgotten
begin began begun|hear heard -|meet met -|pay paid -|sell sold -|send sent -|spend spent -
build built -|catch caught -|teach taught -|drive drove driven|ride rode ridden|swim swam swum
sing sang sung|fly flew flown|grow grew grown|throw threw thrown|wear wore worn|wake woke woken
hide hid hidden|bite bit bitten|become became become|choose chose chosen|keep kept -
hold held -|mean meant -|understand understood -|lead led -|feed fed -|fight fought -
shake shook shaken|steal stole stolen|hang hung -|dig dug -|draw drew drawn|freeze froze frozen
forgive forgave forgiven|do did done|be was been|have had -|dream dreamt -|learn learnt -
burn burnt -|spell spelt -|smell smelt -|spill spilt -|lie lay lain|lay laid -|read read -
wear wore worn|light lit -|ring rang rung|blow blew blown|tear tore torn|swear swore sworn"""
_EN_FORMS: dict[str, set[str]] = {}
for _entry in _EN_IRREGULAR.replace("\n", "|").split("|"):
    _base, _past, _part = _entry.split()
    _EN_FORMS.setdefault(_base, set()).update({_past, _past if _part == "-" else _part})
_EN_IRREGULAR_PAST = frozenset(f for forms in _EN_FORMS.values() for f in forms) - {
    "read",  # the same as the present
    "come",
    "become",
    "run",
    "lay",
}
# After have/has these are participles although they look like the present.
_EN_PARTICIPLES_LIKE_BASE = frozenset(
    "come become run put cut hit hurt set let shut cost read".split()
)
_EN_ADVERBS = frozenset("n't not already just never ever always finally also still really".split())
_EN_NOT_PAST = frozenset(
    """need bed red feed seed speed bleed breed succeed exceed indeed shed sled wed weed tired
    bored scared excited interested worried used supposed allowed married closed""".split()
)
# After these an -ed word is an adjective or a passive in the present ("I am tired").
_EN_PRESENT_COPULAS = frozenset(
    "am is are 'm 're be being feel feels get gets look looks seem seems become will".split()
)
_EN_FUTURE = frozenset("will 'll won't shall gonna".split())


def _words(text: str) -> list[str]:
    """Lowercase words; English contractions split off ("didn't" -> "did", "n't")."""
    out: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower().replace("’", "'")):
        if word.endswith("n't") and len(word) > 3:
            stem = word[:-3]
            out += [{"wo": "will", "ca": "can", "sha": "shall"}.get(stem, stem), "n't"]
        elif "'" in word:
            stem, _, tail = word.partition("'")
            out += [stem, "'" + tail]
        else:
            out.append(word)
    return out


# A tag question asks for agreement; its "no"/"n't" negates nothing ("Es grande, ¿no?").
_TAG = {
    Lang.ES: re.compile(r",\s*¿?\s*(?:no|verdad|cierto)\s*\?\s*$", re.IGNORECASE),
    Lang.EN: re.compile(r",\s*\w+n['’]t\s+\w+\s*\?\s*$", re.IGNORECASE),
}


def is_negated(text: str, lang: Lang) -> bool:
    """A negative word that negates something: not one left dangling at the end ("Quiero
    dormir, no.", "I want to sleep, not."), unless it is the whole sentence ("No.")."""
    words = _words(_TAG[lang].sub("?", text))
    negative = [w in _NEGATION[lang] or w == "n't" for w in words]
    if len(words) > 1 and negative[-1]:
        negative[-1] = False
    return any(negative)


def sentence_tenses(text: str, lang: Lang) -> set[Tense]:
    """The past and future the sentence's verbs carry, by simple cues (present is the rest):
    Spanish preterite, imperfect, perfect, "iba a", future and "voy a" + infinitive; English
    -ed, irregular pasts, did/was/were/had, have + participle, will/'ll/going to."""
    words = _words(text)
    cue = _es_tense if lang is Lang.ES else _en_tense
    return {t for i in range(len(words)) if (t := cue(words, i)) is not None}


def _es_tense(words: list[str], i: int) -> Tense | None:
    w = words[i]
    nxt, after = [*words[i + 1 : i + 3], "", ""][:2]
    if _ES_FUTURE.search(w) and len(w) >= 3:
        return Tense.FUTURE
    if w in _ES_GO and nxt == "a" and _ES_INFINITIVE.search(after):
        return Tense.FUTURE
    if w in _ES_PAST_FORMS or w in _ES_IMPERFECT_LIKE_CONDITIONAL:
        return Tense.PAST
    if w in _ES_PERFECT_AUX and (_ES_PARTICIPLE.search(nxt) or nxt in _ES_IRREGULAR_PARTICIPLES):
        return Tense.PAST
    if w.startswith("acab") and nxt == "de":  # "acabo de comer": just now
        return Tense.PAST
    if w in _ES_NOT_PAST or w in _ES_NOT_PRETERITE or len(w) < 3:
        return None
    if _ES_PAST_ENDINGS.search(w) and not _ES_CONDITIONAL.search(w):
        return Tense.PAST
    if w[-1] in "éíó":
        return Tense.PAST  # hablé, comí, llegó (the future -ré was caught above)
    if len(w) > 5 and w.endswith(("amos", "imos")):
        return Tense.PAST  # "ganamos": present and preterite alike, so it can say past
    return None


def _en_tense(words: list[str], i: int) -> Tense | None:
    w = words[i]
    prev = words[i - 1] if i else ""
    nxt, after = [*words[i + 1 : i + 3], "", ""][:2]
    if w in _EN_FUTURE or (w == "going" and nxt == "to" and after not in ("the", "a")):
        return Tense.FUTURE
    if w in _EN_PAST_AUX or w in _EN_IRREGULAR_PAST:
        return Tense.PAST
    if w in _EN_PERFECT_AUX:
        part = next((x for x in words[i + 1 :] if x not in _EN_ADVERBS), "")
        if part.endswith("ed") or part in _EN_IRREGULAR_PAST or part in _EN_PARTICIPLES_LIKE_BASE:
            return Tense.PAST
    if w.endswith("ed") and len(w) > 3 and w not in _EN_NOT_PAST:
        return None if prev in _EN_PRESENT_COPULAS else Tense.PAST
    return None


def is_question(text: str, lang: Lang) -> bool:
    text = text.strip()
    return text.endswith("?") and (lang is Lang.EN or "¿" in text)


# Verb forms a prefix cannot link to their lemma ("fui" ~ "ir", "went" ~ "go").
_IRREGULAR_STEMS = {
    Lang.ES: {
        "ir": "voy vas va vamos vais van fu iba iban ibas íbamos id vay ir yendo ve",
        "ser": "soy eres es somos sois son fu era eras éramos eran sea se sid sien sé",
        "tener": "teng tien tuv tendr ten",
        "venir": "veng vien vin vendr ven",
        "decir": "dig dic dij dir di dich",
        "hacer": "hag hic hiz har haz hech",
        "poder": "pued pud podr",
        "querer": "quier quis querr",
        "saber": "sé sep sup sabr",
        "poner": "pong pus pondr puest pon",
        "salir": "salg saldr sal",
        "traer": "traig traj",
        "oír": "oig oy oí oír",
        "caer": "caig cay caí",
        "ver": "veo ve vi vio vist",
        "dar": "doy di dio da",
        "estar": "estoy está estuv",
        "haber": "he ha hay hab hub",
        "gustar": "gust encant",
        "oler": "huel",
    },
    Lang.EN: {
        "be": "am is are was were been being 'm 're 's",
        "have": "has had 've 'd having",
        "do": "does did done doing",
        "can": "could cannot",
        "will": "would 'll",
        "may": "might",
        "go": "went gone goes going",
        "want": "would like 'd",
    },
}
# Verbs whose meaning another form of the sentence carries ("I be tired" -> "I'm tired").
_LIGHT = {Lang.ES: frozenset({"ser", "estar", "haber"}), Lang.EN: frozenset({"be", "have", "do"})}
_VOWEL_CHANGES = (("e", "ie"), ("e", "i"), ("o", "ue"), ("o", "u"), ("u", "ue"), ("i", "ie"))


def _stems(keyword: str, lang: Lang) -> set[str]:
    """Prefixes that a form of `keyword` starts with (folded)."""
    word = _fold(keyword)
    stems = {word[:3] if len(word) > 3 else word}
    stems |= {_fold(s) for s in _IRREGULAR_STEMS[lang].get(keyword, "").split()}
    if lang is Lang.EN:
        stems |= _EN_FORMS.get(keyword, set())
        return stems
    if len(word) == 3 and word[-1] in "aeo":
        stems.add(word[:2])  # ese -> esas, eso
    if word.endswith("z"):
        stems.add(word[:-1] + "c")  # vez -> veces, empezar -> empecé
    if len(word) > 3 and word.endswith(("ar", "er", "ir")):
        root = word[:-2]
        # Spelling changes before e/o: tocar -> toques, llegar -> llegué, coger -> cojo.
        for old, new in (("c", "qu"), ("c", "zc"), ("g", "gu"), ("g", "j"), ("gu", "g")):
            if root.endswith(old):
                stems.add(root[: -len(old)] + new)
        # Stem vowels: querer -> quiero, dormir -> duermo, pedir -> pido, seguir -> sigo.
        for i, ch in enumerate(root):
            for old, new in _VOWEL_CHANGES:
                if ch == old:
                    stems.add((root[:i] + new + root[i + 1 :])[: i + len(new) + 1])
    return stems


def missing_keywords(sentence: str, keywords: KeywordInput) -> list[str]:
    """The content keywords the sentence does not mention (pronouns and light verbs aside), by
    prefix as `mentions_keywords` does, with stem changes and irregular forms."""
    lang = keywords.lang
    skip = SUBJECT_PRONOUNS[lang] | _LIGHT[lang] | _NEGATION[lang]
    tokens = [_fold(t) for t in _words(sentence)]
    missing = []
    for keyword in keywords.content_words:
        if keyword in skip:
            continue
        stems = _stems(keyword, lang)
        folded = _fold(keyword)
        if not any(
            t.startswith(s)
            or (len(t) >= 3 and folded.startswith(t))
            or (len(folded) > 3 and folded in t)
            for t in tokens
            for s in stems
        ):
            missing.append(keyword)
    return missing


def check_candidate(text: str, keywords: KeywordInput) -> list[str]:
    """What in a candidate sentence contradicts the keywords (empty: nothing). A shown
    candidate must be negated iff the keywords are, a question iff they end in `?`, in the
    tense a marker or time word asks for, and mention every content keyword."""
    lang = keywords.lang
    problems: list[str] = []
    wants_negation = keywords.is_negated or any(
        w in _NEGATION[lang] for w in keywords.content_words
    )
    if is_negated(text, lang) != wants_negation:
        problems.append("negation" if wants_negation else "unasked negation")
    if is_question(text, lang) != keywords.is_question:
        problems.append("question" if keywords.is_question else "unasked question")
    tense = keywords.tense
    if tense is not Tense.PRESENT and tense not in sentence_tenses(text, lang):
        m = keywords.markers
        marked = m.past in keywords.keywords or m.future in keywords.keywords
        # A time word alone may keep the present for the future ("Mañana voy al parque").
        time_words = [w for w in keywords.keywords if w in TIME_WORDS[lang]]
        said = tense is Tense.FUTURE and not marked and not missing_time(text, time_words)
        if not said:
            problems.append(f"tense: {tense.value}")
    problems += [f"missing: {w}" for w in missing_keywords(text, keywords)]
    return problems


def missing_time(text: str, time_words: list[str]) -> list[str]:
    folded = {_fold(t) for t in _words(text)}
    return [w for w in time_words if _fold(w) not in folded]
