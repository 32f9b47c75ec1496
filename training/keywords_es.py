"""Spanish sentence -> keyword items (see `keywords_assemble` for the ordering rule).

simplemma gives lemmas; it has no parts of speech and no person or tense, and it is wrong for
some forms the corpus is full of (fui -> ser even in "fui a casa", visto -> vestir, ayúdame ->
ayuda), so this module adds what a conjugation table knows: irregular forms, regular endings by
verb class, enclitic pronouns, and the periphrases that carry tense (he comido = past,
voy a comer = future, estoy comiendo = present).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import simplemma

from app.core.keywords import TIME_WORDS, Lang, Tense
from training.keywords_assemble import PRONOUN_PERSON, Item, Kind, TokenWalker
from training.names import KNOWN_NAMES

_NAMES = KNOWN_NAMES[Lang.ES]

PERSONS = ("1s", "2s", "3s", "1p", "2p", "3p")
P, F = Tense.PAST, Tense.FUTURE
PR = Tense.PRESENT


def _table(rows: dict[str, dict[Tense, str]]) -> dict[str, list[tuple[str, str, Tense]]]:
    forms: dict[str, list[tuple[str, str, Tense]]] = {}
    for lemma, by_tense in rows.items():
        for tense, line in by_tense.items():
            for person, form in zip(PERSONS, line.split(), strict=True):
                if form != "-":
                    forms.setdefault(form, []).append((lemma, person, tense))
    return forms


# Irregular finite forms that endings cannot explain (or that simplemma gets wrong).
IRREGULAR = _table(
    {
        "ser": {
            PR: "soy eres es somos sois son",
            P: "fui fuiste fue fuimos fuisteis fueron",
        },
        "ir": {
            PR: "voy vas va vamos vais van",
            P: "fui fuiste fue fuimos fuisteis fueron",
        },
        "estar": {
            PR: "estoy estás está estamos estáis están",
            P: "estuve estuviste estuvo estuvimos estuvisteis estuvieron",
        },
        "haber": {
            PR: "he has ha hemos habéis han",
            P: "hube hubiste hubo hubimos hubisteis hubieron",
        },
        "dar": {PR: "doy das da damos dais dan", P: "di diste dio dimos disteis dieron"},
        "ver": {PR: "veo ves ve vemos veis ven", P: "vi viste vio vimos visteis vieron"},
        "saber": {PR: "sé - - - - -", P: "supe supiste supo supimos supisteis supieron"},
        "tener": {P: "tuve tuviste tuvo tuvimos tuvisteis tuvieron"},
        "hacer": {P: "hice hiciste hizo hicimos hicisteis hicieron"},
        "poder": {P: "pude pudiste pudo pudimos pudisteis pudieron"},
        "querer": {P: "quise quisiste quiso quisimos quisisteis quisieron"},
        "decir": {P: "dije dijiste dijo dijimos dijisteis dijeron"},
        "venir": {
            PR: "vengo vienes viene venimos venís vienen",  # simplemma: vengo -> vengar
            P: "vine viniste vino vinimos vinisteis vinieron",
        },
        "poner": {P: "puse pusiste puso pusimos pusisteis pusieron"},
        "traer": {P: "traje trajiste trajo trajimos trajisteis trajeron"},
        "andar": {P: "anduve anduviste anduvo anduvimos anduvisteis anduvieron"},
        "conducir": {P: "conduje condujiste condujo condujimos condujisteis condujeron"},
        "caber": {P: "cupe cupiste cupo cupimos cupisteis cupieron"},
        # simplemma reads these as salar/salgar, vivar.
        "salir": {PR: "salgo sales sale salimos salís salen"},
        "vivir": {PR: "vivo vives vive vivimos vivís viven"},
        "oír": {PR: "oigo oyes oye oímos oís oyen", P: "oí oíste oyó oímos oísteis oyeron"},
    }
)
# Present subjunctives with a written accent that the endings tables do not cover.
IRREGULAR.update(
    {
        f: [(lemma, person, PR)]
        for lemma, line in {
            "estar": "esté estés esté estemos estéis estén",
            "dar": "dé des dé demos deis den",
        }.items()
        for person, f in zip(PERSONS, line.split(), strict=True)
        if f not in ("des", "den")
    }
)
IRREGULAR["esté"] = [("estar", "1s3s", PR)]
# Compounds keep their base verb's irregular preterite (detuvo, propuso, convino, deshizo).
for _base, _prefixes in {
    "tener": "de man ob con sos re abs",
    "poner": "pro com dis ex su im o pos re",
    "venir": "con pre inter pro sobre",
    "hacer": "des re satis",
    "traer": "a dis con sus ex re",
    "decir": "pre contra",
}.items():
    for _form, _entries in list(IRREGULAR.items()):
        for _lemma, _person, _tense in _entries:
            if _lemma == _base and _tense is P:
                for _prefix in _prefixes.split():
                    IRREGULAR.setdefault(_prefix + _form, [(_prefix + _base, _person, P)])
# Argentine/Uruguayan voseo, frequent in Tatoeba; simplemma knows only some of it.
IRREGULAR.update(
    {
        f: [(lemma, "2s", PR)]
        for f, lemma in {
            "sos": "ser",
            "podés": "poder",
            "tenés": "tener",
            "querés": "querer",
            "sabés": "saber",
            "hacés": "hacer",
            "vivís": "vivir",
            "decís": "decir",
            "venís": "venir",
        }.items()
    }
)

# Imperfects of ser and ir (ending in -a, no class ending to tell them).
IRREGULAR.update(
    {
        f: [(lemma, person, P)]
        for lemma, line in {
            "ser": "era eras era éramos erais eran",
            "ir": "iba ibas iba íbamos ibais iban",
        }.items()
        for person, f in zip(PERSONS, line.split(), strict=True)
    }
)
for _f, _p in (("era", "1s3s"), ("iba", "1s3s")):
    IRREGULAR[_f] = [(IRREGULAR[_f][0][0], _p, P)]
# Present subjunctives built on an irregular 1st person stem (vengas -> venir, not vengar).
for _stem, _lemma in {
    "veng": "venir",
    "teng": "tener",
    "hag": "hacer",
    "dig": "decir",
    "pong": "poner",
    "salg": "salir",
    "traig": "traer",
    "oig": "oír",
    "sep": "saber",
    "conozc": "conocer",
    "hay": "haber",
    "quep": "caber",
}.items():
    for _end, _p in (("a", "1s3s"), ("as", "2s"), ("amos", "1p"), ("áis", "2p"), ("an", "3p")):
        IRREGULAR.setdefault(_stem + _end, [(_lemma, _p, PR)])

FUTURE_STEMS = {
    "tendr": "tener",
    "podr": "poder",
    "querr": "querer",
    "sabr": "saber",
    "habr": "haber",
    "har": "hacer",
    "dir": "decir",
    "pondr": "poner",
    "saldr": "salir",
    "vendr": "venir",
    "valdr": "valer",
    "cabr": "caber",
}
FUTURE_ENDINGS = {"é": "1s", "ás": "2s", "á": "3s", "emos": "1p", "éis": "2p", "án": "3p"}
COND_ENDINGS = {"ía": "1s3s", "ías": "2s", "íamos": "1p", "íais": "2p", "ían": "3p"}

# (ending, person, tense) by verb class, longest first. Imperfect subjunctive and conditional
# carry no marker (no pictogram for them); "amos"/"imos" are read as present.
_AR = [
    ("ábamos", "1p", P),
    ("abais", "2p", P),
    ("asteis", "2p", P),
    ("áramos", "1p", PR),
    ("aban", "3p", P),
    ("abas", "2s", P),
    ("aron", "3p", P),
    ("aste", "2s", P),
    ("aran", "3p", PR),
    ("aras", "2s", PR),
    ("aba", "1s3s", P),
    ("ara", "1s3s", PR),
    ("amos", "1p", PR),
    ("emos", "1p", PR),
    ("áis", "2p", PR),
    ("éis", "2p", PR),
    ("an", "3p", PR),
    ("en", "3p", PR),
    ("ás", "2s", PR),
    ("as", "2s", PR),
    ("es", "2s", PR),
    ("é", "1s", P),
    ("ó", "3s", P),
    ("o", "1s", PR),
    ("a", "3s", PR),
    ("e", "1s3s", PR),
]
_ER_IR = [
    ("iéramos", "1p", PR),
    ("isteis", "2p", P),
    ("íamos", "1p", P),
    ("ieron", "3p", P),
    ("yeron", "3p", P),
    ("ieran", "3p", PR),
    ("ieras", "2s", PR),
    ("íais", "2p", P),
    ("iste", "2s", P),
    ("íste", "2s", P),
    ("iera", "1s3s", PR),
    ("ían", "3p", P),
    ("ías", "2s", P),
    ("amos", "1p", PR),
    ("emos", "1p", PR),
    ("imos", "1p", PR),
    ("áis", "2p", PR),
    ("éis", "2p", PR),
    ("ía", "1s3s", P),
    ("ió", "3s", P),
    ("yó", "3s", P),
    ("ís", "2p", PR),
    ("és", "2s", PR),
    ("an", "3p", PR),
    ("en", "3p", PR),
    ("as", "2s", PR),
    ("es", "2s", PR),
    ("í", "1s", P),
    ("o", "1s", PR),
    ("e", "3s", PR),
    ("a", "1s3s", PR),
]

IRREGULAR_PARTICIPLES = {
    "hecho": "hacer",
    "dicho": "decir",
    "visto": "ver",
    "puesto": "poner",
    "vuelto": "volver",
    "escrito": "escribir",
    "roto": "romper",
    "muerto": "morir",
    "abierto": "abrir",
    "cubierto": "cubrir",
    "descubierto": "descubrir",
    "resuelto": "resolver",
    "devuelto": "devolver",
    "frito": "freír",
    "impreso": "imprimir",
    "satisfecho": "satisfacer",
    "deshecho": "deshacer",
    "propuesto": "proponer",
}
IRREGULAR_PARTICIPLES |= {
    stem + end: inf
    for part, inf in list(IRREGULAR_PARTICIPLES.items())
    for stem in [part[:-1]]
    for end in ("a", "os", "as")
}
# Tú imperatives that endings cannot explain; used for enclitic words ("dime", "vete").
IRREGULAR_IMPERATIVES = {
    "di": "decir",
    "haz": "hacer",
    "ve": "ir",
    "ven": "venir",
    "pon": "poner",
    "sal": "salir",
    "ten": "tener",
    "sé": "ser",
    "da": "dar",
    "dé": "dar",
}
# Verbs whose dative is the one who feels: "me gusta" -> "yo gustar", "¿te duele?" -> "tú doler".
EXPERIENCER_VERBS = frozenset(
    "gustar encantar doler importar interesar molestar apetecer faltar fascinar aburrir "
    "preocupar asustar sorprender pasar ocurrir parecer quedar costar olvidar".split()
)
COPULAS = frozenset("ser estar parecer sentir quedar volver poner".split())
# Words ending like an infinitive that are not verbs.
NOT_VERBS = frozenset(
    "mujer lugar hogar mar bar collar taller alquiler líder ayer dólar azúcar militar familiar "
    "popular particular regular similar par suéter póker cáncer carácter solar escolar "
    "celular titular altar jugador tenedor ordenador menor mayor mejor peor dolor color amor "
    "calor señor interior exterior anterior posterior superior inferior".split()
)

ARTICLES = frozenset("el la los las un una unos unas lo".split())
DETERMINERS = ARTICLES | frozenset(
    "al del mi mis tu tus su sus nuestro nuestra nuestros nuestras vuestro vuestra este esta "
    "estos estas ese esa esos esas aquel aquella aquellos aquellas otro otra otros otras cada "
    "algún alguna algunos algunas ningún ninguna mucho mucha muchos muchas poco poca pocos "
    "pocas todo toda todos todas varios varias demasiado demasiada cualquier mismo misma".split()
)
PREPOSITIONS = frozenset(
    "a de en por para desde hasta hacia entre sobre según contra durante tras ante bajo al del "
    "mediante acerca".split()
)
# Prepositions a user taps because they change the meaning.
KEPT_PREPOSITIONS = frozenset("con sin hasta".split())
DROPPED = (
    ARTICLES | (PREPOSITIONS - KEPT_PREPOSITIONS) | frozenset("tan acaso pues u ni e y".split())
)
# Conjunctions: each starts a clause; some carry meaning and stay.
BOUNDARY_DROPPED = frozenset("que y e ni u".split())
BOUNDARY_KEPT = frozenset("pero porque cuando si aunque mientras o donde como".split())
QUESTION_WORDS = {
    "qué": "qué",
    "quién": "quién",
    "quiénes": "quién",
    "cuál": "cuál",
    "cuáles": "cuál",
    "cuánto": "cuánto",
    "cuánta": "cuánto",
    "cuántos": "cuánto",
    "cuántas": "cuánto",
    "dónde": "dónde",
    "adónde": "dónde",
    "cuándo": "cuándo",
    "cómo": "cómo",
}
# Words that are never the clause's subject (3rd person verbs take a pronoun after them).
NON_SUBJECT_WORDS = frozenset(
    "ya también tampoco siempre nunca jamás aquí allí allá ahí acá ahora hoy muy mucho poco "
    "más menos bien mal todavía aún casi solo sólo quizás quizá tal vez entonces así "
    "realmente pronto tarde temprano mañana ayer anoche antes después luego otra".split()
)

# Pronouns in any form -> subject form. (subject?, person) says how they act in a clause.
SUBJECT_PRONOUNS = {**PRONOUN_PERSON, "vos": "2s"}
STRESSED_PRONOUNS = {"mí": "yo", "ti": "tú"}
POSSESSIVES = {
    **dict.fromkeys("mi mis mío mía míos mías".split(), "yo"),
    **dict.fromkeys("tu tus tuyo tuya tuyos tuyas".split(), "tú"),
    **dict.fromkeys("su sus suyo suya suyos suyas".split(), "él"),
    **dict.fromkeys("nuestro nuestra nuestros nuestras".split(), "nosotros"),
    **dict.fromkeys("vuestro vuestra vuestros vuestras".split(), "vosotros"),
}
# Clitic -> (keyword or None, person). lo/la/los/las (things) and se vanish.
CLITICS: dict[str, tuple[str | None, str | None]] = {
    "me": ("yo", "1s"),
    "te": ("tú", "2s"),
    "nos": ("nosotros", "1p"),
    "os": ("vosotros", "2p"),
    "le": ("él", "3s"),
    "les": ("ellos", "3p"),
    "se": (None, None),
    "lo": (None, None),
    "la": (None, None),
    "los": (None, None),
    "las": (None, None),
}
_CLITIC_ALT = "(?:me|te|se|nos|os|le|les|lo|la|los|las)"
# Two clitics first ("dá-me-lo"), then one ("cóme-te", whose "me" belongs to the verb).
ENCLITIC_RES = (
    re.compile(rf"^(.+?)({_CLITIC_ALT}{_CLITIC_ALT})$"),
    re.compile(rf"^(.+?)({_CLITIC_ALT})$"),
)
COMPOUND = {"conmigo": ("con", "yo"), "contigo": ("con", "tú"), "consigo": ("con", None)}
# Gendered nouns simplemma folds into the masculine (amiga -> amigar, perra -> perro).
FEMININE_NOUNS = frozenset(
    "niña chica hermana hija abuela tía prima amiga novia esposa señora maestra enfermera "
    "vecina compañera jefa nieta sobrina muchacha alumna reina doctora profesora abogada "
    "cocinera camarera secretaria dueña gata perra suegra cuñada hermanita hijita señorita "
    "chiquita princesa".split()
)
# Lemmas simplemma gets wrong for a keyword ("muy" -> mucho, "gracias" -> gracia).
LEMMA_OVERRIDES = {
    "muy": "muy",
    "gracias": "gracias",
    "eso": "eso",
    "esto": "esto",
    "aquello": "aquello",
    "nada": "nada",
    "todo": "todo",
    "vale": "vale",
    "hola": "hola",
    "adiós": "adiós",
    "mamá": "mamá",
    "papá": "papá",
    "menos": "menos",
    "más": "más",
    "buen": "bueno",
    "buenos": "bueno",
    "buena": "bueno",
    "buenas": "bueno",
    # Nouns and adjectives simplemma turns into verbs (flores -> florar, segura -> segurar).
    "flores": "flor",
    "segura": "seguro",
    "seguras": "seguro",
    "seguros": "seguro",
    "entera": "entero",
    "linda": "lindo",
    "lindas": "lindo",
    "lindos": "lindo",
    "afuera": "afuera",
    "adentro": "adentro",
    "fuera": "fuera",
    "deberes": "deberes",
    "tomás": "tomás",
    "cerca": "cerca",
    "encima": "encima",
    "casa": "casa",
    "cama": "cama",
    "comida": "comida",
    "bebida": "bebida",
    "salida": "salida",
    "llegada": "llegada",
    "vida": "vida",
    "cuenta": "cuenta",
    "vuelta": "vuelta",
    "pregunta": "pregunta",
    "ayuda": "ayuda",
    "respuesta": "respuesta",
}
# Words that end like a verb plus an enclitic but are not ("vela" is not ve + la).
NOT_ENCLITIC = frozenset("vela velas sala salas tele dios".split())
DEMONSTRATIVES = {
    **dict.fromkeys("este esta estos estas".split(), "este"),
    **dict.fromkeys("ese esa esos esas".split(), "ese"),
    **dict.fromkeys("aquel aquella aquellos aquellas".split(), "aquel"),
}

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+|[,;:¿?¡!.]")


@dataclass(frozen=True)
class VerbForm:
    lemma: str
    form: str  # "finite" "infinitive" "gerund" "participle" "imperative"
    person: str | None = None
    tense: Tense | None = None
    maybe_past: bool = False  # "hablamos": present or preterite


def deaccent(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
    ).replace("n\u0303", "ñ")


def _strip_accents_keep_enye(word: str) -> str:
    out = []
    for ch in word:
        if ch in "ñÑüÜ":
            out.append(ch)
        else:
            out.append(deaccent(ch))
    return "".join(out)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    if word in LEMMA_OVERRIDES:
        return LEMMA_OVERRIDES[word]
    found = simplemma.lemmatize(word, lang="es").lower()
    if found.endswith("se") and len(found) > 4 and _verb_class(found[:-2]):
        return found[:-2]  # "comerse" -> "comer": reflexive infinitives are the same keyword
    return found


# 1st plural forms that are present and preterite alike ("hablamos", "vivimos"); the corpus
# can settle them with the English side's tense.
AMBIGUOUS_1P = {"ar": "amos", "ir": "imos"}


def _verb_class(infinitive: str) -> str | None:
    tail = _strip_accents_keep_enye(infinitive[-2:])
    return tail if tail in ("ar", "er", "ir") else None


def is_infinitive(word: str) -> bool:
    if word in NOT_VERBS or len(word) < 2:
        return False
    if word in ("ir", "ser", "ver", "dar", "oír", "reír"):
        return True
    return (
        len(word) > 3
        and _verb_class(word) is not None
        and lemma(word) == word
        and simplemma.is_known(word, lang="es")
    )


@lru_cache(maxsize=200_000)
def analyse_verb(word: str) -> VerbForm | None:
    """What a conjugation table says about `word` out of context (None: not a verb form)."""
    if word in NOT_VERBS:
        return None
    if word in IRREGULAR:
        lem, person, tense = IRREGULAR[word][0]
        return VerbForm(lem, "finite", person, tense)
    if word in IRREGULAR_PARTICIPLES:
        return VerbForm(IRREGULAR_PARTICIPLES[word], "participle")
    for part, inf in IRREGULAR_PARTICIPLES.items():
        # dispuesto -> disponer, devuelta -> devolver
        if word.endswith(part) and len(word) > len(part) + 1:
            compound = word[: -len(part)] + inf
            if is_infinitive(compound):
                return VerbForm(compound, "participle")
    if word == "hay":
        return VerbForm("haber", "finite", None, PR)
    if is_infinitive(word):
        return VerbForm(word, "infinitive")
    if re.search(r"[aei]d$", word) and word != "sed" and is_infinitive(word[:-1] + "r"):
        return VerbForm(word[:-1] + "r", "imperative", "2p")  # "recoged", "venid"
    for stem, lem in FUTURE_STEMS.items():
        for ending, person in FUTURE_ENDINGS.items():
            if word == stem + ending:
                return VerbForm(lem, "finite", person, F)
        for ending, person in COND_ENDINGS.items():
            if word == stem + ending:
                return VerbForm(lem, "finite", person, PR)
    participle = _participle_infinitive(word)
    if participle:
        return VerbForm(participle, "participle")
    lem = lemma(word)
    if lem == word or _verb_class(lem) is None or lem in NOT_VERBS:
        return None
    cls = _verb_class(lem)
    plain_inf = _strip_accents_keep_enye(lem)
    for ending, person in FUTURE_ENDINGS.items():
        if word in (lem + ending, plain_inf + ending):
            return VerbForm(lem, "finite", person, F)
    for ending, person in COND_ENDINGS.items():
        if word in (lem + ending, plain_inf + ending):
            return VerbForm(lem, "finite", person, PR)
    if _is_gerund(word, lem):
        return VerbForm(lem, "gerund")
    if re.search(r"[aií]d[oa]s?$", word):
        return VerbForm(lem, "participle")
    for ending, person, tense in _AR if cls == "ar" else _ER_IR:
        if word.endswith(ending) and len(word) > len(ending):
            if cls == "er" and ending == "imos":
                tense = P  # comimos (present: comemos)
            if ending == "iste" and word == lem[:-2] + "e":
                person, tense = "3s", PR  # existe, insiste: present, not preterite
            return VerbForm(lem, "finite", person, tense, AMBIGUOUS_1P.get(cls or "") == ending)
    return None


def _is_gerund(word: str, lem: str) -> bool:
    """comiendo, durmiendo, leyendo, yendo; not entiendo or mando (1st person presents)."""
    match = re.fullmatch(r"(.*?)(ando|iendo|yendo)", word)
    if not match:
        return False
    stem, suffix = match.groups()
    base = lem[:-2]
    if suffix == "yendo":
        return True
    if suffix == "ando":
        return stem == base
    return stem == base or base in _unchanged_stems(stem)


def _participle_infinitive(word: str) -> str | None:
    """ganado -> ganar, leído -> leer: simplemma reads some participles as nouns (cattle)."""
    match = re.fullmatch(r"(.+?)(ad|id|íd)[oa]s?", word)
    if not match:
        return None
    stem, kind = match.groups()
    endings = ("ar",) if kind == "ad" else ("er", "ir") if kind == "id" else ("er", "ír")
    for ending in endings:
        if is_infinitive(stem + ending):
            return stem + ending
    return None


def guess_finite(word: str) -> VerbForm | None:
    """A regular finite form of a known infinitive, whatever simplemma says the word is
    ("intento" is a noun to simplemma; after "lo" it is "I try"). Used where the context
    says a verb must follow (after a clitic)."""
    for cls, table in (("ar", _AR), ("er", _ER_IR), ("ir", _ER_IR)):
        for ending, person, tense in table:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                stem = word[: -len(ending)]
                # Stem-changing verbs: encuentro -> encontrar, pienso -> pensar, pido -> pedir.
                for variant in _unchanged_stems(stem):
                    if is_infinitive(variant + cls):
                        return VerbForm(variant + cls, "finite", person, tense)
    return None


def _unchanged_stems(stem: str) -> list[str]:
    variants = [stem]
    for changed, plain in (("ue", "o"), ("ie", "e"), ("i", "e"), ("ue", "u"), ("u", "o")):
        k = stem.rfind(changed)
        if k >= 0:
            variants.append(stem[:k] + plain + stem[k + len(changed) :])
    # Spelling before -e: toques -> tocar, llegues -> llegar, empieces -> empezar.
    for changed, plain in (("qu", "c"), ("gu", "g"), ("c", "z")):
        for variant in list(variants):
            if variant.endswith(changed):
                variants.append(variant[: -len(changed)] + plain)
    return variants


def _imperative_base(base: str) -> str | None:
    """The infinitive behind an imperative or gerund that carried enclitics ("ayúda" of
    "ayúdame"), or None. The written accent the clitics force is required, so that nouns
    ending in -te/-le ("parte", "calle") are not split."""
    if base in IRREGULAR_IMPERATIVES:
        return IRREGULAR_IMPERATIVES[base]  # "dime", "vete", "hazlo"
    plain = _strip_accents_keep_enye(base)
    if plain == base:
        return None
    if plain in IRREGULAR_IMPERATIVES:
        return IRREGULAR_IMPERATIVES[plain]
    form = analyse_verb(plain)
    if form and form.form in ("gerund", "finite"):
        return form.lemma
    for candidate in (plain + "r", plain[:-1] + "ar", plain[:-1] + "er", plain[:-1] + "ir"):
        if is_infinitive(candidate):
            return candidate
    return None


def split_enclitics(word: str) -> tuple[VerbForm, list[str]] | None:
    """ "dámelo" -> (dar, imperative), ["me", "lo"]; "verte" -> (ver, infinitive), ["te"]."""
    if word == "vámonos":
        return VerbForm("ir", "finite", "1p", PR), []
    if len(word) < 4 or word in NOT_ENCLITIC:
        return None
    for pattern in ENCLITIC_RES:
        match = pattern.match(word)
        if match:
            base, clitics_text = match.groups()
            clitics = re.findall(r"les|los|las|nos|me|te|se|os|le|lo|la", clitics_text)
            found = _split_base(base)
            if found is not None:
                return found, clitics
    return None


def _split_base(base: str) -> VerbForm | None:
    """The verb form left once the enclitics are off, or None."""
    if is_infinitive(base) or base == "ir":
        return VerbForm(base, "infinitive")
    plain = _strip_accents_keep_enye(base)
    if re.search(r"(ando|iendo|yendo)$", plain) and plain != base:
        lem = lemma(plain)
        if _verb_class(lem):
            return VerbForm(lem, "gerund")
    infinitive = _imperative_base(base)
    if infinitive:
        # Usted imperatives (-e for -ar verbs, -a otherwise) address a 3rd person form.
        person = "2s"
        if plain.endswith("en") or plain.endswith("an"):
            person = "3p"
        elif (plain.endswith("e") and infinitive.endswith("ar")) or (
            plain.endswith("a") and not infinitive.endswith("ar")
        ):
            person = "3s"
        return VerbForm(infinitive, "imperative", person)
    return None


def masculine_singular(word: str) -> str:
    """Adjective or participle -> masculine singular ("cansadas" -> "cansado")."""
    lem = lemma(word)
    if _verb_class(lem) is None and lem not in NOT_VERBS:
        return lem
    for suffix, repl in (("as", "o"), ("os", "o"), ("a", "o"), ("es", "e")):
        if word.endswith(suffix) and len(word) > 3:
            return word[: -len(suffix)] + repl
    return word


def noun_lemma(word: str) -> str:
    if word in FEMININE_NOUNS:
        return word
    if word.endswith("s") and word[:-1] in FEMININE_NOUNS:
        return word[:-1]
    lem = lemma(word)
    if _verb_class(lem) is not None and lem != word and lem not in NOT_VERBS:
        # simplemma read a noun or adjective as a verb form ("enferma" -> enfermar).
        if re.search(r"(o|a|os|as)$", word):
            return masculine_singular(word)
        if word.endswith("es") and word[:-2] == lem:
            return lem  # "deberes" -> "deber"
        return word[:-1] if word.endswith("s") else word
    return lem


@dataclass
class _Tok:
    low: str
    orig: str
    punct: bool


def tokenize(sentence: str) -> list[_Tok]:
    text = unicodedata.normalize("NFC", sentence)
    return [
        _Tok(t.lower(), t, not (t[0].isalnum())) for t in _TOKEN_RE.findall(text.replace("’", "'"))
    ]


def is_question(sentence: str) -> bool:
    text = sentence.strip()
    return text.endswith("?") or text.startswith("¿") or "?" in text[-3:]


class _Builder(TokenWalker):
    """One pass over the tokens with a little lookahead; see the module docstring."""

    def __init__(self, sentence: str) -> None:
        super().__init__([t for t in tokenize(sentence) if not t.punct or t.low in ",;:"])

    def verb_at(self, i: int) -> VerbForm | None:
        w = self.word_at(i)
        if w is None:
            return None
        split = split_enclitics(w)
        found = split[0] if split else analyse_verb(w)
        if found is None and self.word_at(i - 1) in _PURE_CLITICS:
            found = guess_finite(w)
        return found

    def next_verb_index(self, i: int) -> int:
        """Index of the first word after i that is not a clitic or "no"."""
        j = i + 1
        while self.word_at(j) in CLITICS or self.word_at(j) == "no":
            j += 1
        return j

    def add(self, item: Item, *, verb_lemma: str | None = None) -> None:
        self.items.append(item)
        self.prev_verb = verb_lemma

    def step(self, i: int) -> int:
        tok = self.toks[i]
        w = tok.low
        nxt = self.word_at(i + 1)
        prev = self.prev_word
        self.prev_word = w
        if tok.punct:
            self.add(Item(Kind.BOUNDARY))
            return i + 1
        if w == "por" and nxt in ("qué", "favor"):
            self.add(Item(Kind.WORD, "por"))
            self.add(Item(Kind.WORD, nxt))
            self.prev_word = nxt
            return i + 2
        if w in QUESTION_WORDS:
            self.add(Item(Kind.WORD, QUESTION_WORDS[w]))
            return i + 1
        if w in TIME_WORDS[Lang.ES]:
            # "esta mañana" is a morning, "antes de" a preposition: no tense from them.
            morning = w == "mañana" and prev in ("la", "esta", "cada", "toda", "una", "por")
            if not morning and nxt not in ("de", "que"):
                self.time_tenses.append(TIME_WORDS[Lang.ES][w])
            self.add(Item(Kind.WORD, w))
            return i + 1
        if w == "no":
            self.add(Item(Kind.NEG))
            return i + 1
        if w == "que" and (self.prev_verb in ("tener", "haber") or prev in ("más", "menos")):
            return i + 1
        if w in BOUNDARY_DROPPED:
            self.add(Item(Kind.BOUNDARY))
            return i + 1
        if w in BOUNDARY_KEPT:
            self.add(Item(Kind.BOUNDARY))
            self.add(Item(Kind.WORD, w))
            return i + 1
        if w in COMPOUND:
            prep, pron = COMPOUND[w]
            self.add(Item(Kind.WORD, prep))
            if pron:
                self.add(Item(Kind.PRONOUN, pron))
            return i + 1
        if w in SUBJECT_PRONOUNS:
            # After a preposition ("para él", "con vos") a pronoun is not the subject.
            after_prep = prev in PREPOSITIONS or prev in KEPT_PREPOSITIONS
            word = "tú" if w == "vos" else w
            self.add(Item(Kind.PRONOUN, word, SUBJECT_PRONOUNS[w], subject=not after_prep))
            return i + 1
        if w in STRESSED_PRONOUNS:
            if STRESSED_PRONOUNS[w]:
                self.add(Item(Kind.PRONOUN, STRESSED_PRONOUNS[w]))
            return i + 1
        if w in POSSESSIVES:
            self.add(Item(Kind.PRONOUN, POSSESSIVES[w]))
            return i + 1
        if w in CLITICS and self._is_clitic(i):
            word, person = CLITICS[w]
            self.add(Item(Kind.CLITIC, word, person))
            return i + 1
        if w in DROPPED or w in PREPOSITIONS:
            self.prev_verb = None
            return i + 1
        if w in DEMONSTRATIVES:
            self.add(Item(Kind.WORD, DEMONSTRATIVES[w], subject=True))
            return i + 1
        if w in FEMININE_NOUNS or (w.endswith("s") and w[:-1] in FEMININE_NOUNS):
            self.add(Item(Kind.WORD, noun_lemma(w), subject=True))
            return i + 1
        opening_name = i == 0 and tok.orig[0].isupper() and w in _NAMES
        if (not tok.orig[0].isupper() or i == 0) and not opening_name:
            consumed = self._verb(i, prev)
            if consumed:
                return consumed
        return self._word(i, prev)

    def _is_clitic(self, i: int) -> bool:
        w = self.word_at(i)
        if w not in ("lo", "la", "los", "las"):
            return True
        nxt = self.word_at(i + 1) or ""
        # An article agrees with its noun: "las cosas", "la casa" (not the clitic "la").
        if (w, nxt[-1:]) == ("la", "a") or (w, nxt[-2:]) in (("las", "as"), ("los", "os")):
            return False
        j = self.next_verb_index(i)
        form = self.verb_at(j)
        return form is not None and form.form in ("finite", "imperative")

    def _verb(self, i: int, prev: str | None) -> int | None:
        w = self.toks[i].low
        # "lo siento": "lo" was a clitic, not an article, so "siento" is a verb.
        last = self.items[-1] if self.items else None
        after_det = prev in DETERMINERS and not (last and last.kind is Kind.CLITIC)
        enclitics: list[str] = []
        split = split_enclitics(w)
        if split is not None:
            form, enclitics = split
        else:
            form = analyse_verb(w)
            if form is None and (
                prev in _PURE_CLITICS
                or prev in ("no", "yo", "tú", "nosotros")
                or (i == 0 and w not in LEMMA_OVERRIDES)
            ):
                # Where only a verb can stand, read "llama", "espera", "encuentro" as verbs.
                form = guess_finite(w)
            if form is None:
                return None
        if after_det and form.form != "infinitive" and (w not in IRREGULAR or prev in ARTICLES):
            return None  # "mi trabajo", "el vino": a noun (but "ese es": a verb)
        if form.form == "participle" and self.prev_verb != "haber":
            return None  # an adjective ("cansada" -> "cansado"), handled as a word
        if form.form == "finite" and (self.prev_verb in COPULAS or prev in _DEGREE):
            return None  # "está enferma": not the verb enfermar
        objects = [Item(Kind.CLITIC, *CLITICS[c]) for c in enclitics]
        if form.form in ("finite", "imperative"):
            lem = form.lemma
            # fui/fue: ir before "a", ser otherwise.
            if w in IRREGULAR and len(IRREGULAR[w]) > 1:
                lem = "ir" if self.word_at(i + 1) in ("a", "al") else "ser"
            if i == 0 and w == "ven":
                lem = "venir"
            aux = self._auxiliary(lem, form, i)
            if aux is not None:
                tense, skip = aux
                self.add(
                    Item(Kind.VERB, None, form.person, tense, finite=True, aux=True),
                    verb_lemma=lem,
                )
                return i + 1 + skip
            person = form.person
            if lem == "haber":
                person = None  # "hay", "había": nobody does it
            self.add(
                Item(
                    Kind.VERB,
                    lem,
                    person,
                    form.tense,
                    finite=form.form == "finite",
                    experiencer=lem in EXPERIENCER_VERBS,
                    objects=objects,
                    maybe_past=form.maybe_past,
                ),
                verb_lemma=lem,
            )
            return i + 1
        nxt = self.verb_at(self.next_verb_index(i))
        if form.lemma == "estar" and nxt and nxt.form == "gerund":
            self.add(Item(Kind.VERB, None, aux=True), verb_lemma="estar")  # "he estado comiendo"
            return i + 1
        self.add(Item(Kind.VERB, form.lemma, objects=objects), verb_lemma=form.lemma)
        return i + 1

    def _auxiliary(self, lem: str, form: VerbForm, i: int) -> tuple[Tense | None, int] | None:
        """(tense handed on, words to skip) when the verb at i is an auxiliary here."""
        nxt = self.verb_at(self.next_verb_index(i))
        if lem == "haber" and nxt and nxt.form == "participle":
            return (P if form.tense in (PR, P) else form.tense), 0
        if lem == "estar" and nxt and nxt.form == "gerund":
            return form.tense, 0
        if lem == "soler" and nxt and nxt.form == "infinitive":
            return form.tense, 0  # "solía trabajar" = used to work
        if lem == "ir" and self.word_at(i + 1) == "a":
            after = self.verb_at(self.next_verb_index(i + 1))
            if after and after.form == "infinitive":
                return (F if form.tense is PR else form.tense), 1
        return None

    def _word(self, i: int, prev: str | None) -> int:
        tok = self.toks[i]
        w = tok.low
        if tok.orig[0].isupper() and (i > 0 or w in _NAMES):
            self.add(Item(Kind.WORD, w, subject=True))  # a name: no lemma
            return i + 1
        if self.prev_verb in COPULAS or prev in _DEGREE:
            word = masculine_singular(w)
        else:
            word = noun_lemma(w)
        if w in FEMININE_NOUNS or (w.endswith("s") and w[:-1] in FEMININE_NOUNS):
            word = noun_lemma(w)  # "es profesora": a woman, not an adjective
        if word == "pasado":
            self.time_tenses.append(P)  # "el verano pasado" already says past
        self.add(Item(Kind.WORD, word, subject=word not in NON_SUBJECT_WORDS))
        return i + 1


# Clitics that are never articles: the word after them is a verb.
_PURE_CLITICS = frozenset("me te se nos os le les lo".split())
_DEGREE = frozenset("muy tan más menos bastante demasiado algo poco".split())


@dataclass
class SpanishAnalysis:
    items: list[Item]
    question: bool
    time_tenses: list[Tense]


def analyse(sentence: str) -> SpanishAnalysis:
    builder = _Builder(sentence)
    items = builder.build()
    return SpanishAnalysis(items, is_question(sentence), builder.time_tenses)
