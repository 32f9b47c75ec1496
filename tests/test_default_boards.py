"""The shipped Spanish and English boards: complete, valid, and true to the keyword convention."""

from __future__ import annotations

from pathlib import Path

import pytest

import app.boards
from app.boards.model import CATEGORY_COLOURS, Action, BoardError, Category
from app.boards.storage import load_default_boards, read_board_set
from app.core.keywords import MARKERS, Lang, prepare_keywords, split_keyword

LANGS = [Lang.ES, Lang.EN]
FOLDERS = [
    "food",
    "drinks",
    "feelings",
    "body",
    "places",
    "people",
    "actions",
    "activities",
    "time",
]
PRONOUNS = {
    Lang.ES: {"yo", "tú", "él", "ella", "nosotros", "ellos"},
    Lang.EN: {"I", "you", "he", "she", "we", "they"},
}
YES_NO = {Lang.ES: {"sí", "no"}, Lang.EN: {"yes", "no"}}


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
    assert board_set.cell_count() >= 200
    words = [c for _, c in board_set.iter_cells() if c.adds_words]
    assert len(words) >= 200


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
    assert {c.link for c in home.filled() if c.link} == set(FOLDERS)


def test_every_folder_exists_and_leads_home(lang):
    board_set = load_default_boards(lang)
    assert list(board_set.boards) == ["home", *FOLDERS]
    for folder in FOLDERS:
        board = board_set.board(folder)
        assert board.lang == lang.value
        assert board.cell_at(0, 0).action is Action.HOME
        assert len(board.filled()) >= 15


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


def test_no_pictogram_ids_are_invented(lang):
    """Ids are resolved by ARASAAC search on first use; none are hard-coded."""
    for _, cell in load_default_boards(lang).iter_cells():
        assert cell.pictogram_id is None and cell.image is None


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
        assert es.board(board_id).columns == en.board(board_id).columns


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
