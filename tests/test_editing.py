"""Caregiver edits (Qt-free): each is one undo step and is saved at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.boards.model import Action, BoardError, Category
from app.boards.storage import load_board_set, load_default_boards
from app.session.editing import BoardEditor


@pytest.fixture
def editor(tmp_path):
    return BoardEditor(load_default_boards("es"), tmp_path / "es.json")


def saved(editor):
    return load_board_set(editor.path).board_set


def test_add_cell_goes_to_the_first_free_slot_and_is_saved(editor):
    home = editor.board("home")
    free = home.cells.index(None)
    cell = editor.add_cell("home", "  Zumo  de naranja ", keywords=["Zumo", " "])
    assert divmod(free, home.columns) == home.position_of(cell.id)
    assert cell.label == "Zumo de naranja" and cell.keywords == ["zumo"]
    assert saved(editor).home.find_cell(cell.id).label == "Zumo de naranja"
    editor.undo()
    assert editor.board("home").find_cell(cell.id) is None
    assert saved(editor).home.find_cell(cell.id) is None
    editor.redo()
    assert saved(editor).home.find_cell(cell.id) is not None


def test_a_full_board_says_to_grow_the_grid(editor):
    drinks = editor.board("drinks")
    editor.add_cell("drinks", "gaseosa")  # the one free slot
    with pytest.raises(BoardError, match="make the grid bigger"):
        editor.add_cell("drinks", "limonada")
    editor.resize("drinks", drinks.rows + 1, drinks.columns)
    cell = editor.add_cell("drinks", "limonada")
    assert editor.board("drinks").position_of(cell.id)[0] == 3
    with pytest.raises(BoardError, match="cannot hold"):
        editor.resize("drinks", 2, 2)
    assert (editor.board("drinks").rows, editor.board("drinks").columns) == (4, 6)


def test_move_swaps_and_move_by_stops_at_the_edge(editor):
    home = editor.board("home")
    yo, tu = home.cell_at(0, 0), home.cell_at(0, 1)
    editor.move_cell("home", yo.id, 0, 1)
    home = editor.board("home")
    assert home.cell_at(0, 1).id == yo.id and home.cell_at(0, 0).id == tu.id
    assert editor.move_by("home", yo.id, -1, 0) == (0, 1)  # already on the top row
    assert editor.move_by("home", yo.id, 1, 0) == (1, 1)
    with pytest.raises(BoardError):
        editor.move_cell("home", yo.id, 99, 0)
    editor.undo()
    editor.undo()
    assert editor.board("home").cell_at(0, 0).id == yo.id


def test_relabel_keywords_category_colour_and_pictogram(editor):
    cid = editor.board("home").cell_at(0, 0).id
    editor.relabel("home", cid, "Yo mismo")
    editor.set_keywords("home", cid, ["yo"])
    editor.set_category("home", cid, Category.SOCIAL)
    editor.set_colour("home", cid, "#AABBCC")
    editor.set_pictogram("home", cid, 6625)
    cell = saved(editor).home.find_cell(cid)
    assert (cell.label, cell.keywords, cell.category, cell.color, cell.pictogram_id) == (
        "Yo mismo",
        ["yo"],
        Category.SOCIAL,
        "#aabbcc",
        6625,
    )
    assert cell.words == ("yo",)
    for bad in (
        lambda: editor.set_colour("home", cid, "red"),
        lambda: editor.relabel("home", cid, " "),
    ):
        with pytest.raises(BoardError):
            bad()
    editor.set_colour("home", cid, None)
    assert editor.cell("home", cid).background == "#f8bbd0"  # the social colour again
    assert editor.history.undo_description == "Change colour"


def test_new_folder_has_a_way_home_and_undo_removes_it(editor):
    board, folder = editor.create_folder("home", "Juegos", rows=3, columns=4)
    assert folder.link == board.id == "juegos"
    home_cell = board.cell_at(0, 0)
    assert home_cell.action is Action.HOME and home_cell.label == "inicio"
    game = editor.add_cell(board.id, "escondite")
    on_disk = saved(editor)
    assert on_disk.board("juegos").find_cell(game.id) is not None
    assert on_disk.home.find_cell(folder.id).link == "juegos"
    editor.undo()
    editor.undo()
    assert "juegos" not in editor.boards.boards and "juegos" not in saved(editor).boards
    _, again = editor.create_folder("home", "Juegos")
    assert again.link == "juegos"


def test_link_a_cell_to_an_existing_folder(editor):
    cid = editor.board("home").cell_at(0, 0).id
    editor.link("home", cid, "food")
    assert editor.cell("home", cid).words == ()  # a folder cell opens, it adds no word
    with pytest.raises(BoardError):
        editor.link("home", cid, "nowhere")
    with pytest.raises(BoardError):
        editor.link("food", editor.board("food").cell_at(0, 1).id, "food")
    editor.link("home", cid, None)
    assert editor.cell("home", cid).link is None


def test_remove_and_replace_all(editor, tmp_path):
    cid = editor.board("home").cell_at(0, 0).id
    editor.remove_cell("home", cid)
    assert editor.board("home").cell_at(0, 0) is None
    editor.replace_all(load_default_boards("en"))
    assert editor.boards.home.cell_at(0, 0).label == "I"
    assert editor.boards.lang == "es"  # stored as the Spanish set
    editor.undo()
    assert editor.boards.home.cell_at(0, 0) is None


def test_a_failed_edit_changes_nothing(editor):
    before = editor.history.can_undo
    with pytest.raises(BoardError):
        editor.add_cell("home", "x", at=(0, 0))  # taken
    with pytest.raises(BoardError):
        editor.remove_cell("home", "no-such-cell")
    assert editor.history.can_undo == before and not editor.path.exists()


def test_without_a_path_nothing_is_saved(tmp_path):
    editor = BoardEditor(load_default_boards("en"), None)
    editor.add_cell("home", "juice")
    assert list(tmp_path.iterdir()) == []


def test_update_cell_is_one_undo_step(editor):
    cid = editor.board("home").cell_at(0, 0).id
    editor.update_cell(
        "home", cid, label="Yo", keywords=["yo"], category=Category.PEOPLE, link="food"
    )
    cell = saved(editor).home.find_cell(cid)
    assert (cell.label, cell.keywords, cell.link) == ("Yo", ["yo"], "food")
    editor.undo()
    assert editor.cell("home", cid).label == "yo" and editor.cell("home", cid).link is None
    with pytest.raises(BoardError):
        editor.update_cell(
            "home", cid, label="x", keywords=None, category=Category.NOUNS, link="home"
        )


def test_an_undone_import_takes_its_pictures_with_it(tmp_path):
    """An import is one undoable step including its files: undone and then replaced by a new
    edit (no redo left), the pictures it wrote are removed; kept while any step can show them."""
    from app.boards.obf import import_board_file

    sample = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "obf-samples"
    if not (sample / "simple.obf").exists():
        pytest.skip(f"OBF samples are not at {sample}")
    boards = tmp_path / "boards"
    editor = BoardEditor(load_default_boards("es"), boards / "es.json")
    result = import_board_file(sample / "simple.obf", boards, default_lang="es")
    (picture,) = result.images_written
    editor.replace_all(result.board_set, new_pictures=result.images_written)
    assert picture.exists()
    editor.undo()
    assert picture.exists()  # redo can still bring the import back
    editor.redo()
    editor.undo()
    home = editor.board(editor.boards.root)
    first = next(c for _, _, c in home.iter_cells())
    editor.relabel(home.id, first.id, "otra")
    assert not picture.exists()  # nothing can show it any more
