"""Pin an ARASAAC pictogram id on every cell of the shipped default boards (es, en).

A developer tool, run by hand when the default boards change:

    python -m training.pin_default_ids            # show each choice and what is left unpinned
    python -m training.pin_default_ids --write    # store the ids in app/boards/defaults/*.json

The ids are facts read from ARASAAC's data in `../shared/data/arasaac/` (never copied into the
repository): ARASAAC's own Global-Core communicator gives label -> id in Spanish and English, and
the English catalogue gives id -> keywords for the rest. The two languages' boards hold the same
concepts under different cell ids, so `PAIRS` says which Spanish cell is which English cell; a
pair gets one id, so the same concept shows the same picture in both languages.

Choice per concept, first that applies: a hand pick in `HAND_PICKS`; an id the communicator uses
for both labels; the communicator's English id; its Spanish id; the English catalogue's
pictograms whose keywords hold the word exactly (the word as the first keyword first, then
those tagged "core vocabulary", then the lowest id: ARASAAC's older, plainer drawings).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from app.boards.model import BoardSet
from app.boards.storage import dumps, read_board_set
from app.core.files import atomic_write_text

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = REPO_ROOT / "app" / "boards" / "defaults"
ARASAAC_DATA = REPO_ROOT.parent / "shared" / "data" / "arasaac"

# Per board: "spanish-cell-id english-cell-id" for the same concept; "-" where one language has
# no such cell. Every cell of both boards appears exactly once (checked).
PAIRS: dict[str, str] = {
    "home": """
        yo i; tu you; el he; ella she; nosotros we; ellos they; usted -; - it; querer want;
        ir go; comer eat; beber drink; gustar like; tener have; ser be; estar -; hacer do;
        poder can; necesitar need; ver see; jugar play; dormir sleep; ayudar help; dar give;
        venir come; parar stop; decir say; sentir feel; - get; mas more; bien good; mal bad;
        grande big; pequeno little; otro other; mucho -; todo all; aqui here; ahora now;
        - again; si yes; - no; no not; hola hello; adios goodbye; gracias thank-you;
        por-favor please; que what; quien who; donde where; cuando when; como how;
        por-que why; pasado past; futuro future; question question; comida food;
        bebida drinks; sentimientos feelings; cuerpo-y-salud body-and-health; lugares places;
        personas people; acciones actions; actividades activities; tiempo time;
        ropa clothes; cosas things; palabras words""",
    "food": """
        inicio home-board; pan bread; fruta fruit; manzana apple; platano banana;
        naranja orange; fresa strawberry; uva grape; pera pear; galleta cookie; yogur yogurt;
        queso cheese; huevo egg; arroz rice; pasta pasta; sopa soup; pizza pizza;
        bocadillo sandwich; patata potato; ensalada salad; carne meat; pollo chicken;
        pescado fish; tomate tomato; verdura vegetable; chocolate chocolate; helado ice-cream;
        caramelo candy; tarta cake; cereal cereal; desayuno breakfast; comida lunch;
        cena dinner; merienda snack; hambre hungry; plato plate; cuchara spoon; tenedor fork;
        cuchillo knife; rico yummy;
        mantequilla butter; mermelada jam; sal salt; azucar sugar; jamon ham; salchicha sausage;
        hamburguesa hamburger; tortilla omelette; patata-frita chips; zanahoria carrot;
        lechuga lettuce; melon melon; sandia watermelon; pina pineapple; melocoton peach;
        cereza cherry; limon lemon; tostada toast; palomitas popcorn; delicioso delicious""",
    "drinks": """
        inicio home-board; agua water; leche milk; zumo juice; batido milkshake; cafe coffee;
        te tea; refresco soda; cacao hot-chocolate; vaso glass; botella bottle; pajita straw;
        sed thirsty; hielo ice; caliente hot; frio cold; beber drink""",
    "feelings": """
        inicio home-board; contento happy; triste sad; enfadado angry; cansado tired;
        asustado scared; nervioso nervous; tranquilo calm; aburrido bored;
        sorprendido surprised; preocupado worried; divertido fun; avergonzado embarrassed;
        frustrado frustrated; orgulloso proud; celoso jealous; miedo fear;
        emocionado excited; solo lonely;
        sueno sleepy; calor hot; frio cold; bien fine; llorar cry; reir laugh; gritar shout;
        confundido confused; timido shy; valiente brave; enamorado in-love; amor love;
        sonreir smile""",
    "body": """
        inicio home-board; cabeza head; ojo eye; oreja ear; nariz nose; boca mouth;
        diente tooth; garganta throat; cuello neck; brazo arm; mano hand; dedo finger;
        barriga tummy; espalda back; pierna leg; rodilla knee; pie foot; piel skin;
        dolor pain; fiebre fever; tos cough; medicina medicine; herida cut; sangre blood;
        tirita bandage; panal diaper; pis pee; caca poop; mocos snot; medico doctor;
        doler hurt; vomitar vomit; picar itch; enfermo sick; mareado dizzy;
        pelo hair; cara face; labio lip; lengua tongue; hombro shoulder; codo elbow; una nail;
        tobillo ankle; pecho chest; respirar breathe; estornudar sneeze; silla-de-ruedas wheelchair;
        gafas glasses; audifono hearing-aid; pastilla pill; termometro thermometer;
        ambulancia ambulance""",
    "places": """
        inicio home-board; casa home; colegio school; parque park; bano bathroom;
        cocina kitchen; habitacion bedroom; salon living-room; jardin garden; calle street;
        tienda shop; supermercado supermarket; hospital hospital; piscina pool; playa beach;
        restaurante restaurant; biblioteca library; cine cinema; campo countryside;
        parque-infantil playground;
        montana mountain; coche car; autobus bus; tren train; fuera outside; dentro inside;
        pueblo village; ciudad city; estacion station; aeropuerto airport; hotel hotel;
        teatro theatre; museo museum; iglesia church; farmacia pharmacy; panaderia bakery;
        peluqueria hairdresser-s; centro-comercial shopping-centre; trabajo work; rio river;
        mar sea; bosque forest""",
    "people": """
        inicio home-board; mama mom; papa dad; hermano brother; hermana sister;
        abuelo grandpa; abuela grandma; tio uncle; tia aunt; primo cousin; prima -;
        amigo friend; amiga -; profesor teacher; profesora -; medico doctor; enfermera nurse;
        terapeuta therapist; nino boy; nina girl; bebe baby; familia family; hombre man;
        mujer woman; gente people;
        vecino neighbour; policia police-officer; bombero firefighter; conductor driver;
        cuidador carer; novio boyfriend; novia girlfriend; marido husband; esposa wife; hijo son;
        hija daughter""",
    "actions": """
        inicio home-board; abrir open; cerrar close; poner put; quitar take-off; coger take;
        traer bring; llevar carry; buscar look-for; encontrar find; mirar look; - watch;
        escuchar listen; hablar talk; leer read; escribir write; dibujar draw; pintar paint;
        cantar sing; bailar dance; correr run; andar walk; saltar jump; sentar sit;
        levantar stand; lavar wash; vestir dress; duchar shower; peinar comb; cepillar brush;
        esperar wait; terminar finish; empezar start; subir climb; bajar go-down; salir leave;
        entrar go-in; comprar buy; cocinar cook; limpiar clean; romper break; arreglar fix;
        llamar call; besar kiss; abrazar hug; tocar touch; saber know; pensar think;
        trabajar work; estudiar study; compartir share; ensenar show; empujar push; - pull;
        lanzar throw; atrapar catch;
        caer fall; vivir live; descansar rest; entender understand; cambiar change; apagar turn-off;
        encender turn-on; oir hear; costar cost; perder lose; pasar happen; extranar miss;
        amar love; aprender learn; olvidar forget; recordar remember; preguntar ask;
        contestar answer; enviar send; conducir drive; volar fly; esconder hide; ganar win;
        elegir choose; probar try; usar use; mover move; guardar keep; secar dry""",
    "activities": """
        inicio home-board; musica music; television television; tableta tablet;
        ordenador computer; pelicula movie; libro book; cuento story; pelota ball; muneca doll;
        puzle puzzle; juguete toy; bicicleta bike; columpio swing; tobogan slide;
        futbol football; videojuego video-game; dibujo drawing; fiesta party;
        cumpleanos birthday; excursion trip; paseo walk; picnic picnic; plastilina playdough;
        nadar swim; pasear -; montar ride;
        animales animals; juego game; carta card; baloncesto basketball; deporte sport;
        cancion song; foto photo; globo balloon; peluche teddy-bear; dado dice""",
    "time": """
        inicio home-board; hoy today; ayer yesterday; manana tomorrow; anoche last-night;
        antes before; despues after; luego later; pronto soon; tarde late; temprano early;
        siempre always; nunca never; todavia -; dia day; noche night; - morning;
        - afternoon; - evening; semana week; mes month; ano year; hora hour; reloj clock;
        lunes monday; martes tuesday; miercoles wednesday; jueves thursday; viernes friday;
        sabado saturday; domingo sunday; fin-de-semana weekend; vacaciones vacation;
        tiempo time; minuto minute; momento moment; mediodia midday; verano summer; invierno winter;
        primavera spring; otono autumn; navidad christmas; calendario calendar""",
    "clothes": """
        inicio home-board; ropa clothes; camiseta t-shirt; camisa shirt; pantalon trousers;
        falda skirt; vestido dress; jersey sweater; chaqueta jacket; abrigo coat;
        sudadera sweatshirt; chandal tracksuit; pijama pyjamas; calcetin sock; zapato shoe;
        zapatilla trainer; bota boot; sandalia sandal; banador swimsuit; gorra cap; sombrero hat;
        guante glove; bufanda scarf; cinturon belt; braga knickers; calzoncillo underpants;
        sujetador bra; chubasquero raincoat; paraguas umbrella; gafas-de-sol sunglasses;
        bolso handbag; anillo ring; pendiente earring; collar necklace; boton button;
        cremallera zip; bolsillo pocket""",
    "things": """
        inicio home-board; colegio school; cama bed; silla chair; mesa table; sofa sofa;
        armario wardrobe; puerta door; ventana window; luz light; lampara lamp; llave key;
        telefono phone; movil mobile-phone; tele tv; mando remote-control; radio radio;
        auriculares headphones; cargador charger; volumen volume; almohada pillow; manta blanket;
        sabana sheet; toalla towel; jabon soap; champu shampoo; cepillo-de-dientes toothbrush;
        pasta-de-dientes toothpaste; peine comb; papel-higienico toilet-paper; vater toilet;
        banera bathtub; ducha shower; espejo mirror; bolsa bag; dinero money; cartera wallet;
        caja box; regalo present; basura rubbish; escalera stairs; ascensor lift; nevera fridge;
        microondas microwave; lavadora washing-machine; calefaccion heating; ventilador fan;
        enchufe plug""",
    "school": """
        inicio home-board; deberes homework; lapiz pencil; boligrafo pen; goma rubber;
        sacapuntas sharpener; cuaderno notebook; mochila backpack; estuche pencil-case;
        tijeras scissors; pegamento glue; papel paper; cera crayon; regla ruler; pizarra board;
        pupitre desk; clase class; recreo playtime; examen exam; matematicas maths; gimnasia gym;
        comedor dining-hall; agenda diary""",
    "words": """
        inicio home-board; colores colours; numeros numbers; expresiones expressions; bueno good;
        malo bad; nuevo new; viejo old; limpio clean; sucio dirty; mojado wet; seco dry;
        abierto open; cerrado closed; lleno full; vacio empty; rapido fast; despacio slowly;
        alto tall; bajo short; largo long; duro hard; blando soft; templado warm; bonito pretty;
        feo ugly; facil easy; dificil difficult; roto broken; igual same; diferente different;
        muy very; mucho a-lot; poco a-bit; demasiado too-much; menos less; mejor better; bien well;
        solo alone; juntos together; nada nothing; alguien someone; nadie nobody; esto this;
        eso that; cerca near; lejos far; arriba up; abajo down; primero first; ultimo last;
        tambien also; cuanto how-much; con with; sin without; para for""",
    "colours": """
        inicio home-board; rojo red; azul blue; verde green; amarillo yellow; naranja orange;
        rosa pink; morado purple; negro black; blanco white; gris grey; marron brown; dorado gold;
        plateado silver""",
    "numbers": """
        inicio home-board; numero number; cero zero; uno one; dos two; tres three; cuatro four;
        cinco five; seis six; siete seven; ocho eight; nueve nine; diez ten; once eleven;
        doce twelve; trece thirteen; catorce fourteen; quince fifteen; veinte twenty;
        treinta thirty; cincuenta fifty; cien hundred; mil thousand""",
    "expressions": """
        inicio home-board; buenos-dias good-morning; buenas-tardes good-afternoon;
        buenas-noches good-night; hasta-luego see-you-later; perdon sorry; vale okay;
        de-nada you-re-welcome; ayuda help; cuidado careful; genial great;
        felicidades congratulations; bienvenido welcome; no-se i-don-t-know; abrazo hug;
        nombre name""",
    "animals": """
        inicio home-board; perro dog; gato cat; pajaro bird; pez fish; caballo horse; vaca cow;
        cerdo pig; oveja sheep; gallina hen; pato duck; conejo rabbit; raton mouse;
        tortuga tortoise; serpiente snake; mono monkey; leon lion; tigre tiger; elefante elephant;
        jirafa giraffe; oso bear; mariposa butterfly; abeja bee; hormiga ant; arana spider;
        delfin dolphin; ballena whale; cocodrilo crocodile; burro donkey; cabra goat; zoo zoo;
        granja farm; mascota pet""",
}

# Hand picks from the English catalogue, by pair key ("board/es-id/en-id"), with the keywords
# that justified the pick (0: nothing fits, the cell stays without an id). Used where no exact
# match exists or the rule picks poorly.
HAND_PICKS: dict[str, tuple[int, str]] = {
    # Going home: the "home button" picture, not the house (that is the noun "casa"/"home").
    **{f"{b}/inicio/home-board": (38222, "home button") for b in PAIRS if b != "home"},
    # Spanish "no" is the negation marker, as English "not" (ARASAAC's "no" for both); the
    # English answer "no" gets another of ARASAAC's "no" pictures.
    "home/no/not": (5526, "no"),
    "home/-/no": (5525, "no, refuse, deny"),
    "home/poder/can": (11750, "be able to, can"),  # the rule finds "can" the tin
    "home/cuerpo-y-salud/body-and-health": (6473, "body"),  # the communicator's "CUERPO"
    "home/actividades/activities": (11653, "free time, leisure time"),
    "food/uva/grape": (0, "none: only 'grape juice' and 'vine'"),
    "food/comida/lunch": (4611, "lunch, dinner"),  # the rule finds "food"
    "food/merienda/snack": (37841, "afternoon snack, teatime"),
    "food/rico/yummy": (32340, "nice, tasty, delicious"),
    "feelings/divertido/fun": (24733, "fun, funny"),
    "feelings/frustrado/frustrated": (0, "none: no keyword holds 'frustrat'"),
    "feelings/miedo/fear": (10261, "fear"),
    "feelings/sueno/sleepy": (8513, "yawn"),  # no "sleepy"; the yawn says it
    "feelings/calor/hot": (6952, "be hot"),  # feeling hot, not a hot thing
    "feelings/frio/cold": (35583, "be cold, feel cold"),
    "feelings/bien/fine": (5397, "well, ok, fine"),  # the rule finds "fine" the penalty
    "body/mocos/snot": (25249, "mucus"),
    "body/herida/cut": (5484, "injury, cut, hurt"),  # the rule finds the verb "cut"
    # The communicator's "CAMPO" is a sports court.
    "places/campo/countryside": (2683, "countryside, field"),
    "people/prima/-": (30341, "cousin"),  # a second "cousin"; gender not in the English data
    "people/amiga/-": (25786, "friend"),  # a second "friend"; likewise
    "people/profesora/-": (2457, "teacher"),  # a second "teacher"; likewise
    "people/terapeuta/therapist": (2454, "speech therapist"),
    "actions/quitar/take-off": (11751, "remove, take off"),
    "actions/buscar/look-for": (6947, "search, look for"),
    "actions/-/watch": (8718, "watch (verb)"),  # the communicator's "WATCH" is a wristwatch
    "actions/empezar/start": (5431, "begin, start"),  # the rule finds a computer's "start"
    "actions/bajar/go-down": (6053, "descend, go down"),
    "actions/entrar/go-in": (2742, "enter, come in"),
    "actions/llamar/call": (36305, "phone, call"),  # the rule finds "shout"
    "actions/-/pull": (0, "none: only 'pull out', 'pull hair'..."),
    "activities/paseo/walk": (8649, "stroll, go for a walk"),
    "activities/pasear/-": (29951, "stroll, go for a walk"),
    "time/hoy/today": (7131, "today"),  # the communicator shows "now" for today
    "time/ayer/yesterday": (6926, "yesterday"),  # ... and "before" for yesterday
    "time/manana/tomorrow": (7152, "tomorrow"),  # ... and "after" for tomorrow
    "time/anoche/last-night": (39714, "last night"),
    "time/pronto/soon": (0, "none: no keyword holds 'soon'"),
    "time/tarde/late": (37780, "late"),  # the communicator's "TARDE" is the afternoon
    "time/temprano/early": (0, "none: only 'get up early'..."),
    "time/todavia/-": (0, "none: no 'still' or 'yet'"),
    "time/-/evening": (0, "none: only 'good evening'"),
    "time/semana/week": (7244, "week"),  # the communicator's "SEMANA" is Holy Week
    "time/reloj/clock": (23408, "digital watch, digital clock"),  # not the wristwatch
    "home/usted/-": (0, "none: English keywords have no formal 'you'"),
    # The larger vocabulary (folders added for clothes, things, school, words, colours, numbers,
    # expressions, animals): where the rule finds no exact keyword or the wrong sense.
    "food/patata-frita/chips": (2505, "crisps, chips, french fries"),  # not casino chips
    "body/labio/lip": (2953, "lips"),
    "actions/pasar/happen": (0, "none: no keyword holds 'happen'"),
    "clothes/abrigo/coat": (2242, "coat, overcoat"),  # the communicator's "COAT" is a lab coat
    "clothes/zapatilla/trainer": (8332, "trainer, sneaker"),  # the rule finds a sports coach
    "things/telefono/phone": (2791, "telephone, phone"),  # the rule finds the verb "call"
    "things/volumen/volume": (38216, "volume up button"),
    "things/regalo/present": (3149, "gift, present"),  # the rule finds "present" (now)
    "things/basura/rubbish": (8499, "rubbish, trash, litter"),  # not "take out the trash"
    "school/cera/crayon": (4951, "crayons, wax colors"),
    "school/pupitre/desk": (11302, "school table, school desk"),
    "school/matematicas/maths": (32554, "maths class, mathematics"),  # es: a language lesson
    "words/bueno/good": (4581, "good (adjective)"),  # "bien" on this board has "well, ok"
    "words/cerca/near": (30383, "close, near, nearby"),  # the communicator shows "here"
    "words/lejos/far": (30385, "far, distant"),  # ... and "there"
    "words/abajo/down": (5355, "below, beneath"),
    "words/tambien/also": (11591, "me too, too, in addition"),
    "numbers/cien/hundred": (29256, "100, one hundred"),
    "numbers/mil/thousand": (29258, "one thousand, 1000"),
    "expressions/de-nada/you-re-welcome": (0, "none: no 'you're welcome'"),
    "expressions/cuidado/careful": (25618, "care, be careful"),
}


@dataclass(frozen=True)
class Pair:
    board: str
    es: str | None
    en: str | None

    @property
    def key(self) -> str:
        return f"{self.board}/{self.es or '-'}/{self.en or '-'}"


def parse_pairs() -> list[Pair]:
    pairs = []
    for board, text in PAIRS.items():
        for item in text.replace("\n", " ").split(";"):
            es, en = item.split()
            pairs.append(Pair(board, None if es == "-" else es, None if en == "-" else en))
    return pairs


@dataclass
class ArasaacData:
    communicator: dict[str, dict[str, list[int]]]  # lang -> lowercase label -> ids, by use
    catalogue: dict[int, dict]  # id -> {"keywords": [...], "tags": [...]}
    by_keyword: dict[str, list[tuple[int, bool, int]]]  # keyword -> (index, not core, id)

    @classmethod
    def load(cls, folder: Path = ARASAAC_DATA) -> ArasaacData:
        communicator: dict[str, dict[str, list[int]]] = {}
        for lang in ("es", "en"):
            counts: dict[str, Counter[int]] = defaultdict(Counter)
            path = folder / f"global-core-communicator.{lang}.tsv"
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="\t"):
                    counts[row["label"].strip().lower()][int(row["pictogram_id"])] += 1
            communicator[lang] = {k: [i for i, _ in c.most_common()] for k, c in counts.items()}
        catalogue: dict[int, dict] = {}
        by_keyword: dict[str, list[tuple[int, bool, int]]] = defaultdict(list)
        with (folder / "catalogue.en.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                catalogue[item["id"]] = item
                core = "core vocabulary" in item.get("tags", [])
                for index, keyword in enumerate(item["keywords"]):
                    by_keyword[keyword.strip().lower()].append((index, not core, item["id"]))
        for options in by_keyword.values():
            options.sort()
        return cls(communicator, catalogue, dict(by_keyword))

    def known_ids(self) -> set[int]:
        ids = set(self.catalogue)
        for labels in self.communicator.values():
            for found in labels.values():
                ids.update(found)
        return ids


def choose(pair: Pair, labels: dict[str, str], data: ArasaacData) -> tuple[int | None, str]:
    """(id, why) for one concept; labels: lang -> the cell's label."""
    if pair.key in HAND_PICKS:
        pid, keyword = HAND_PICKS[pair.key]
        return (pid or None), f"hand pick ({keyword})"
    es_ids = data.communicator["es"].get(labels.get("es", "").lower(), [])
    en_word = labels.get("en", "").lower()
    en_ids = data.communicator["en"].get(labels.get("en", "").lower(), [])
    common = [i for i in en_ids if i in es_ids]
    if common:
        return common[0], "communicator es+en"
    if en_ids:
        return en_ids[0], "communicator en"
    if es_ids:
        return es_ids[0], "communicator es"
    options = data.by_keyword.get(en_word, [])
    if options:
        return options[0][2], f"catalogue {en_word!r}"
    return None, "no exact match"


def pin(data: ArasaacData) -> tuple[dict[str, BoardSet], list[str]]:
    sets = {lang: read_board_set(DEFAULTS / f"{lang}.json") for lang in ("es", "en")}
    lines: list[str] = []
    for pair in parse_pairs():
        cells = {}
        for lang, cell_id in (("es", pair.es), ("en", pair.en)):
            if cell_id is not None:
                cell = sets[lang].board(pair.board).find_cell(cell_id)
                if cell is None:
                    raise SystemExit(f"PAIRS names {lang} cell {pair.board}/{cell_id}: none such")
                cells[lang] = cell
        labels = {lang: cell.label for lang, cell in cells.items()}
        pid, why = choose(pair, labels, data)
        for cell in cells.values():
            cell.pictogram_id = pid
        keywords = data.catalogue.get(pid, {}).get("keywords", [])[:4] if pid else []
        lines.append(f"{pair.key:<44} {pid!s:>6}  {why:<28} {keywords}")
    for lang, board_set in sets.items():
        paired = {(p.board, p.es if lang == "es" else p.en) for p in parse_pairs()}
        for board, cell in board_set.iter_cells():
            if (board.id, cell.id) not in paired:
                raise SystemExit(f"{lang} cell {board.id}/{cell.id} is missing from PAIRS")
    return sets, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store the ids in the boards")
    parser.add_argument("--data", type=Path, default=ARASAAC_DATA, help="(%(default)s)")
    args = parser.parse_args(argv)
    if not (args.data / "catalogue.en.jsonl").is_file():
        sys.stderr.write(f"ARASAAC data not found in {args.data}\n")
        return 2
    sets, lines = pin(ArasaacData.load(args.data))
    sys.stdout.write("\n".join(lines) + "\n")
    for lang, board_set in sets.items():
        cells = [c for _, c in board_set.iter_cells()]
        pinned = sum(c.pictogram_id is not None for c in cells)
        sys.stdout.write(f"{lang}: {pinned}/{len(cells)} cells pinned\n")
        if args.write:
            board_set.validate()
            atomic_write_text(DEFAULTS / f"{lang}.json", dumps(board_set))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
