"""The shipped Spanish and English boards: complete, valid, and true to the keyword convention."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import app.boards
from app.boards.model import CATEGORY_COLOURS, Action, BoardError, Category
from app.boards.storage import load_default_boards, read_board_set
from app.core.keywords import MARKERS, Lang, prepare_keywords, split_keyword
from training import pin_default_ids

# ARASAAC's data lives beside the repository (never in it); without it those tests skip.
ARASAAC_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arasaac"

LANGS = [Lang.ES, Lang.EN]
# Folders the home board links to, then folders reached through another folder.
HOME_FOLDERS = [
    "food",
    "drinks",
    "feelings",
    "body",
    "places",
    "people",
    "actions",
    "activities",
    "time",
    "clothes",
    "things",
    "words",
]
NESTED_FOLDERS = {
    "school": "things",
    "colours": "words",
    "numbers": "words",
    "expressions": "words",
    "animals": "activities",
}
FOLDERS = [
    *HOME_FOLDERS[:9],
    "clothes",
    "things",
    "school",
    "words",
    "colours",
    "numbers",
    "expressions",
    "animals",
]
# Core words stay where users' hands know them: (row, column) on the home board.
CORE_PLACES = {
    Lang.ES: {(0, 0): "yo", (0, 1): "tú", (0, 7): "querer", (3, 4): "sí", (4, 4): "no"},
    Lang.EN: {(0, 0): "I", (0, 1): "you", (0, 7): "want", (3, 4): "yes", (3, 5): "no"},
}
PRONOUNS = {
    Lang.ES: {"yo", "tú", "él", "ella", "nosotros", "ellos"},
    Lang.EN: {"I", "you", "he", "she", "we", "they"},
}
YES_NO = {Lang.ES: {"sí", "no"}, Lang.EN: {"yes", "no"}}


def arasaac_data() -> pin_default_ids.ArasaacData:
    if not (ARASAAC_DATA / "catalogue.en.jsonl").is_file():
        pytest.skip(f"ARASAAC's data is not at {ARASAAC_DATA} (../shared/data/arasaac)")
    return _load_arasaac_data()


@functools.cache
def _load_arasaac_data() -> pin_default_ids.ArasaacData:
    return pin_default_ids.ArasaacData.load(ARASAAC_DATA)


@pytest.fixture(params=LANGS, ids=lambda lang: lang.value)
def lang(request) -> Lang:
    return request.param


def test_files_ship_as_package_data():
    folder = Path(app.boards.__file__).parent / "defaults"
    assert sorted(p.name for p in folder.glob("*.json")) == ["en.json", "es.json"]
    for path in folder.glob("*.json"):
        read_board_set(path)  # the same validation a user's file gets


def test_loads_validates_and_has_enough_vocabulary(lang):
    board_set = load_default_boards(lang)
    board_set.validate()
    assert board_set.lang == lang.value and board_set.root == "home"
    assert board_set.cell_count() >= 600
    words = [c for _, c in board_set.iter_cells() if c.adds_words]
    assert len(words) >= 550


def test_home_board_has_the_core_vocabulary(lang):
    home = load_default_boards(lang).home
    labels = {c.label for c in home.filled()}
    assert PRONOUNS[lang] <= labels
    assert YES_NO[lang] <= labels
    by_category = {cat: [c for c in home.filled() if c.category is cat] for cat in Category}
    assert len(by_category[Category.VERBS]) >= 15
    assert len(by_category[Category.DESCRIPTORS]) >= 8
    assert len(by_category[Category.QUESTIONS]) >= 5
    markers = MARKERS[lang]
    marker_cells = {c.words[0]: c for c in home.filled() if c.action is Action.MARKER}
    assert set(marker_cells) == {markers.past, markers.future, markers.negation, markers.question}
    assert marker_cells[markers.negation].category is Category.NEGATION
    assert marker_cells[markers.past].category is Category.MARKERS
    assert {c.link for c in home.filled() if c.link} == set(HOME_FOLDERS)


def test_core_words_keep_their_places_on_home(lang):
    home = load_default_boards(lang).home
    assert (home.rows, home.columns) == (6, 11)
    assert None in home.cells  # room for the caregiver to add a word
    for (row, column), label in CORE_PLACES[lang].items():
        assert home.cell_at(row, column).label == label


def test_every_folder_is_reachable_from_home(lang):
    board_set = load_default_boards(lang)
    seen, todo = {board_set.root}, [board_set.root]
    while todo:
        for cell in board_set.board(todo.pop()).filled():
            if cell.link and cell.link not in seen:
                seen.add(cell.link)
                todo.append(cell.link)
    assert seen == set(board_set.boards)
    for folder, parent in NESTED_FOLDERS.items():
        assert folder in {c.link for c in board_set.board(parent).filled()}


def test_every_folder_exists_and_leads_home(lang):
    board_set = load_default_boards(lang)
    assert list(board_set.boards) == ["home", *FOLDERS]
    for folder in FOLDERS:
        board = board_set.board(folder)
        assert board.lang == lang.value
        assert board.cell_at(0, 0).action is Action.HOME
        assert len(board.filled()) >= 12


def test_keywords_follow_the_convention(lang):
    """Each word a cell adds is already in normal form (lowercase lemma; `I` in English), so
    what the model sees is exactly what the board says."""
    for board, cell in load_default_boards(lang).iter_cells():
        for word in cell.words:
            assert " ".join(split_keyword(word, lang)) == word, (board.id, cell.label)
        if cell.adds_words and cell.words != ("?",):  # "?" alone is not a message
            prepare_keywords(cell.words, lang)  # raises on anything unusable


def test_spanish_verbs_are_infinitives():
    for _, cell in load_default_boards("es").iter_cells():
        if cell.category is Category.VERBS and cell.adds_words:
            (word,) = cell.words
            assert word.endswith(("ar", "er", "ir", "ír")), word


def test_no_custom_images(lang):
    for _, cell in load_default_boards(lang).iter_cells():
        assert cell.image is None


def test_pinned_ids_are_real_arasaac_ids(lang):
    """Every pinned id is one ARASAAC has: in its English catalogue or its own communicator."""
    known = arasaac_data().known_ids()
    unknown = {
        (board.id, cell.label, cell.pictogram_id)
        for board, cell in load_default_boards(lang).iter_cells()
        if cell.pictogram_id is not None and cell.pictogram_id not in known
    }
    assert not unknown


def test_the_files_hold_what_the_pinning_tool_chooses():
    """The committed ids are the tool's choices from ARASAAC's data (nothing edited by hand
    that the next run would undo)."""
    chosen, _ = pin_default_ids.pin(arasaac_data())
    for lang in LANGS:
        shipped = load_default_boards(lang)
        for board, cell in shipped.iter_cells():
            other = chosen[lang.value].board(board.id).find_cell(cell.id)
            assert other is not None and other.pictogram_id == cell.pictogram_id, (lang, cell.id)


def test_every_cell_is_pinned_unless_nothing_fits(lang):
    """A cell without an id is one the pinning tool declares has no fitting pictogram."""
    nothing_fits = {
        pair.es if lang is Lang.ES else pair.en
        for pair in pin_default_ids.parse_pairs()
        if pin_default_ids.HAND_PICKS.get(pair.key, (None,))[0] == 0
    }
    board_set = load_default_boards(lang)
    unpinned = {cell.id for _, cell in board_set.iter_cells() if cell.pictogram_id is None}
    assert unpinned == nothing_fits - {None}
    assert len(unpinned) <= 0.02 * board_set.cell_count()


def test_the_same_concept_has_the_same_picture_in_both_languages():
    es, en = load_default_boards("es"), load_default_boards("en")
    pairs = pin_default_ids.parse_pairs()
    for lang, board_set in (("es", es), ("en", en)):
        listed = [(p.board, getattr(p, lang)) for p in pairs if getattr(p, lang) is not None]
        cells = [(board.id, cell.id) for board, cell in board_set.iter_cells()]
        assert sorted(listed) == sorted(cells), f"pairs and {lang} cells differ"
    both = [p for p in pairs if p.es and p.en]
    assert len(both) >= 600
    for pair in both:
        es_cell = es.board(pair.board).find_cell(pair.es)
        en_cell = en.board(pair.board).find_cell(pair.en)
        assert es_cell.pictogram_id == en_cell.pictogram_id, pair.key


def test_labels_and_ids_are_unique_per_board(lang):
    for board in load_default_boards(lang).boards.values():
        labels = [c.label for c in board.filled()]
        assert len(labels) == len(set(labels)), board.id
        ids = [c.id for c in board.filled()]
        assert len(ids) == len(set(ids)), board.id


def test_both_languages_have_the_same_structure():
    es, en = load_default_boards("es"), load_default_boards("en")
    assert list(es.boards) == list(en.boards)
    for board_id in es.boards:
        es_board, en_board = es.board(board_id), en.board(board_id)
        assert (es_board.rows, es_board.columns) == (en_board.rows, en_board.columns)
        assert {c.link for c in es_board.filled() if c.link} == {
            c.link for c in en_board.filled() if c.link
        }


def test_every_category_has_a_distinct_colour():
    assert set(CATEGORY_COLOURS) == set(Category)
    assert len(set(CATEGORY_COLOURS.values())) == len(Category)


def test_unknown_language_is_a_clear_error():
    with pytest.raises(BoardError, match="no default boards for 'fr'"):
        load_default_boards("fr")


def test_each_load_is_a_fresh_copy():
    first = load_default_boards("es")
    first.home.cells[0] = None
    assert load_default_boards("es").home.cells[0] is not None
