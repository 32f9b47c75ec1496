"""Sentence -> keywords on forms that trip a plain lemmatiser (training.sentence_to_keywords)."""

from __future__ import annotations

import pytest

from app.core.keywords import Lang, Tense, prepare_keywords
from training.sentence_to_keywords import sentence_to_keywords

SPANISH = [
    # subject implied by the verb, object clitics after the verb
    ("Quiero agua.", "yo querer agua"),
    ("¿Quieres agua?", "tú querer agua ?"),
    ("Te quiero mucho.", "yo querer tú mucho"),
    ("¿Me puedes ayudar?", "tú poder ayudar yo ?"),
    ("Quiero que vengas.", "yo querer tú venir"),
    # gustar-type verbs: the dative is who feels
    ("No me gusta la leche.", "yo no gustar leche"),
    ("Me duele la cabeza.", "yo doler cabeza"),
    ("A mí me gusta el chocolate.", "yo gustar chocolate"),
    ("A Pablo le gusta el fútbol.", "pablo gustar fútbol"),
    ("Se me olvidó.", "yo pasado olvidar"),
    # reflexives vanish
    ("Me llamo Pablo.", "yo llamar pablo"),
    # a name that opens the sentence is a name, not a verb ("pablar", "lucir")
    ("Pablo come pan.", "pablo comer pan"),
    ("Lucía canta.", "lucía cantar"),
    ("Tengo que irme.", "yo tener ir"),
    ("Siéntate aquí.", "sentar aquí"),
    ("Vámonos.", "nosotros ir"),
    # enclitics
    ("Ayúdame, por favor.", "ayudar yo por favor"),
    ("Dime la verdad.", "decir yo verdad"),
    ("Quiero verte.", "yo querer ver tú"),
    ("Dámelo.", "dar yo"),
    ("Cómete todo.", "comer todo"),
    # tense: periphrases, irregular forms, time words
    ("Voy a comer pizza.", "yo futuro comer pizza"),
    ("Mañana voy a comer pizza.", "mañana yo comer pizza"),
    ("He comido demasiado.", "yo pasado comer demasiado"),
    ("¡He ganado!", "yo pasado ganar"),
    ("Estoy comiendo.", "yo comer"),
    ("Estamos comiendo.", "nosotros comer"),
    ("Fui al cine con mi madre.", "yo pasado ir cine con yo madre"),
    ("Fui feliz.", "yo pasado ser feliz"),
    ("Ayer fui al parque.", "ayer yo ir parque"),
    ("Él daba clases.", "él pasado dar clase"),
    ("Nunca lo he leído.", "nunca yo pasado leer"),
    ("¿Oíste eso?", "tú pasado oír eso ?"),
    ("Creo que va a llover.", "yo creer futuro llover"),
    ("Mañana iremos a la playa.", "mañana nosotros ir playa"),
    ("Esta mañana comí huevos.", "este mañana yo pasado comer huevo"),
    ("Tom no fue a la escuela.", "tom pasado no ir escuela"),
    ("Conocimos un escritor.", "nosotros pasado conocer escritor"),
    # negation before the verb, question marker last
    ("¿Por qué no viniste?", "por qué tú pasado no venir ?"),
    ("No entiendo.", "yo no entender"),
    ("No toques eso.", "tú no tocar eso"),
    ("No, gracias.", "no gracias"),
    ("¿Dónde está el baño?", "dónde estar baño ?"),
    ("Estás cansado, ¿verdad?", "tú estar cansado ?"),
    # adjectives masculine singular, nouns singular, feminine nouns kept
    ("Ella está muy cansada.", "ella estar muy cansado"),
    ("Mi hermana está enferma.", "yo hermana estar enfermo"),
    ("Mis amigas son simpáticas.", "yo amiga ser simpático"),
    ("Ella quería ser profesora.", "ella pasado querer ser profesora"),
    ("No dejé la puerta abierta.", "yo pasado no dejar puerta abierto"),
    ("Las niñas juegan en el parque.", "niña jugar parque"),
    ("¿Cómo van las cosas en el trabajo?", "cómo ir cosa trabajo ?"),
    ("Hay un gato en la casa.", "haber gato casa"),
    ("Vengo de España.", "yo venir españa"),
    ("Lo intento.", "yo intentar"),
    ("Lo siento.", "yo sentir"),
]

ENGLISH = [
    ("I want to drink water.", "I want drink water"),
    ("Do you want to play?", "you want play ?"),
    ("I don't like milk.", "I not like milk"),
    ("She ate pizza.", "she past eat pizza"),
    ("Yesterday we went to the park.", "yesterday we go park"),
    ("I didn't go to school yesterday.", "I not go school yesterday"),
    ("I will go to the doctor.", "I future go doctor"),
    ("I won't do it.", "I future not do it"),
    ("I'm going to eat pizza.", "I future eat pizza"),
    ("I'm going to school.", "I go school"),
    ("I was going to call you.", "I past call you"),
    ("I've eaten too much.", "I past eat too much"),
    ("I've never seen that.", "I never past see that"),
    ("Have you eaten?", "you past eat ?"),
    ("Have you been studying?", "you past study ?"),
    ("We used to live here.", "we past live here"),
    ("We're playing football.", "we play football"),
    ("She is writing a letter.", "she write letter"),
    ("It's raining.", "it rain"),
    ("I'm tired.", "I be tired"),
    ("I'm not tired.", "I not be tired"),
    ("I can't swim.", "I not can swim"),
    ("I could not sleep.", "I past not can sleep"),
    ("Could you help me?", "you can help I ?"),
    ("Can I watch TV?", "I can watch tv ?"),
    ("Why didn't you come?", "why you past not come ?"),
    ("What did you do yesterday?", "what you do yesterday ?"),
    ("Who did it?", "who past do it ?"),
    ("Did Tom go home?", "tom past go home ?"),
    ("Is Grandpa coming today?", "grandpa come today ?"),
    ("Where is Mom?", "where be mom ?"),
    ("Hello, are you okay?", "hello you be okay ?"),
    ("You're tired, aren't you?", "you be tired ?"),
    ("How much does it cost?", "how much it cost ?"),
    ("Tom's here.", "tom be here"),
    ("Tom's car is red.", "tom car be red"),
    ("My sister is sick.", "I sister be sick"),
    ("Help me, please.", "help I please"),
    ("Dad, help me get dressed.", "dad help I get dressed"),
    ("Don't touch it.", "not touch it"),
    ("Turn on the TV.", "turn on tv"),
    ("I left my book at home.", "I past leave I book home"),
    ("Turn left.", "turn left"),
    ("The baby cried all night.", "baby past cry all night"),
    ("He stopped working.", "he past stop work"),
    ("I lost my keys.", "I past lose I key"),
    ("They got married last year.", "they past get married last year"),
    ("I'd like a coffee.", "I like coffee"),
    ("Let's go home.", "let we go home"),
    ("There's a cat in the house.", "there be cat house"),
    ("I think he's right.", "I think he be right"),
    ("The children are older.", "child be older"),
    ("Grace sings.", "grace sing"),
]


@pytest.mark.parametrize(("sentence", "expected"), SPANISH)
def test_spanish(sentence: str, expected: str) -> None:
    assert sentence_to_keywords(sentence, "es").text == expected


@pytest.mark.parametrize(("sentence", "expected"), ENGLISH)
def test_english(sentence: str, expected: str) -> None:
    assert sentence_to_keywords(sentence, "en").text == expected


@pytest.mark.parametrize(
    ("sentence", "lang"), [(s, "es") for s, _ in SPANISH] + [(s, "en") for s, _ in ENGLISH]
)
def test_output_is_already_normalised(sentence: str, lang: str) -> None:
    """What the corpus feeds the model is exactly what the app would build from the taps."""
    keywords = sentence_to_keywords(sentence, lang).keywords
    assert prepare_keywords(keywords, lang).keywords == keywords


@pytest.mark.parametrize(
    ("sentence", "hint", "expected"),
    [
        ("Come mucho.", "he", "él comer mucho"),
        ("Come mucho.", "she", "ella comer mucho"),
        ("Come mucho.", None, "comer mucho"),  # imperative or unknown: no pronoun invented
        ("¿Puede ayudarme?", "you", "usted poder ayudar yo ?"),
        ("Estaba cansado.", "I", "yo pasado estar cansado"),
        ("Hace frío.", "it", "hacer frío"),
        ("Me gusta su gato.", "I", "yo gustar él gato"),  # the dative decides, not the hint
    ],
)
def test_subject_hint_decides_spanish_third_person(
    sentence: str, hint: str | None, expected: str
) -> None:
    assert sentence_to_keywords(sentence, "es", subject_hint=hint).text == expected


def test_tense_hint_settles_ambiguous_first_plural() -> None:
    assert sentence_to_keywords("Hablamos con él.", "es").text == "nosotros hablar con él"
    past = sentence_to_keywords("Hablamos con él.", "es", tense_hint=Tense.PAST)
    assert past.text == "nosotros pasado hablar con él"


def test_english_conversion_reports_subject_for_the_hint() -> None:
    assert sentence_to_keywords("She is eating.", "en").subject == "she"
    assert sentence_to_keywords("Did you eat?", "en").subject == "you"
    assert sentence_to_keywords("Close the door.", "en").subject is None
    assert sentence_to_keywords("Tom is here.", "en").subject is None


def test_conversion_flags() -> None:
    conv = sentence_to_keywords("¿No fuiste a la escuela?", "es")
    assert conv.lang is Lang.ES
    assert conv.question and conv.negated
    assert conv.tense is Tense.PAST
    assert conv.content_words == ("ir", "escuela")
    assert sentence_to_keywords("Tomorrow I go.", "en").tense is Tense.FUTURE


def test_marker_once_and_after_subject() -> None:
    # One marker for the sentence, right before the first past verb group.
    assert sentence_to_keywords("I knew he was sick.", "en").text == "I past know he be sick"
    assert sentence_to_keywords("Ella pasó y no me vio.", "es").keywords.count("pasado") == 1
