"""The communicator's decisions (Qt-free), on real default boards and small hand-made ones."""

from app.boards.model import Action, Board, BoardSet, Category, Cell
from app.core.history import PhraseStore
from app.core.strip import SentenceStrip, StripItem
from app.session.communicator import Communicator


def small_set() -> BoardSet:
    home = Board("home", "Inicio", 2, 3, lang="es")
    home.set_cell(0, 0, Cell("yo", "yo", category=Category.PEOPLE))
    home.set_cell(0, 1, Cell("querer", "querer", category=Category.VERBS))
    home.set_cell(0, 2, Cell("comida", "comida", link="food"))
    home.set_cell(1, 0, Cell("pasado", "pasado", category=Category.MARKERS, action=Action.MARKER))
    home.set_cell(
        1, 1, Cell("borrar", "borrar", action=Action.BACKSPACE, category=Category.CONTROLS)
    )
    home.set_cell(1, 2, Cell("hablar", "hablar", action=Action.SPEAK, category=Category.CONTROLS))
    food = Board("food", "Comida", 1, 2, lang="es")
    food.set_cell(0, 0, Cell("agua", "agua"))
    food.set_cell(0, 1, Cell("inicio", "inicio", action=Action.HOME, category=Category.CONTROLS))
    bs = BoardSet("test", "es", "home")
    bs.add_board(home)
    bs.add_board(food)
    return bs


def test_taps_build_the_strip_and_folders_navigate():
    c = Communicator(small_set())
    home = c.board
    assert c.tap(home.cell_at(0, 0)).strip_changed
    c.tap(home.cell_at(0, 1))
    out = c.tap(home.cell_at(0, 2))  # a folder: navigates, does not add a word
    assert out.board_changed and not out.strip_changed
    assert c.board.id == "food" and [b.id for b in c.breadcrumb] == ["home", "food"]
    c.tap(c.board.cell_at(0, 0))
    assert c.strip.keywords == ["yo", "querer", "agua"]
    assert c.tap(c.board.cell_at(0, 1)).board_changed and c.board.id == "home"


def test_markers_backspace_and_speak_cells():
    c = Communicator(small_set())
    h = c.board
    c.tap(h.cell_at(0, 0))
    out = c.tap(h.cell_at(1, 0))
    assert out.strip_changed and c.strip.items[-1].marker
    assert c.strip.keywords == ["yo", "pasado"]
    c.tap(h.cell_at(1, 1))
    assert c.strip.keywords == ["yo"]
    assert c.tap(h.cell_at(1, 2)).speak_sentence


def test_quiet_mode_and_speak_each_tile_mode():
    c = Communicator(small_set())
    assert c.tap(c.board.cell_at(0, 0)).speak_text is None
    c.speak_each_tile = True
    assert c.tap(c.board.cell_at(0, 1)).speak_text == "querer"


def test_breadcrumb_back_and_missing_link():
    bs = small_set()
    bs.board("home").set_cell(1, 1, Cell("roto", "roto", link="nowhere"))
    c = Communicator(bs)
    assert not c.tap(c.board.cell_at(1, 1)).board_changed
    c.open_board("food")
    assert c.go_home() and c.board.id == "home"
    assert not c.go_back()


def test_strip_edits():
    s = SentenceStrip()
    s.add(StripItem("yo", ("yo",)))
    s.add(StripItem("agua", ("agua",)))
    assert s.remove_at(0).label == "yo" and s.keywords == ["agua"]
    assert s.remove_at(5) is None and s.keywords == ["agua"]
    s.clear()
    assert s.empty


def test_phrases_survive_a_restart_and_a_corrupt_file_is_kept_aside(tmp_path):
    path = tmp_path / "phrases.json"
    store = PhraseStore.load(path)
    store.add_spoken("Quiero agua.", "es", ("yo", "querer", "agua"))
    store.add_spoken("Tengo hambre.", "es")
    store.add_spoken("Quiero agua.", "es")  # said again: moves to the top, not duplicated
    store.pin("Hola, ¿qué tal?", "es")
    again = PhraseStore.load(path)
    assert [p.text for p in again.recent("es")] == ["Quiero agua.", "Tengo hambre."]
    assert again.is_pinned("Hola, ¿qué tal?", "es") and again.pinned("en") == []
    again.unpin("Hola, ¿qué tal?", "es")
    assert PhraseStore.load(path).favourites == []
    path.with_name("phrases.json.bak").unlink()  # no backup either (tests/test_history.py)
    path.write_text("{oops")
    broken = PhraseStore.load(path)
    assert broken.history == [] and "could not be read" in broken.message
    assert any(p.name.startswith("phrases.json.bad-") for p in tmp_path.iterdir())
