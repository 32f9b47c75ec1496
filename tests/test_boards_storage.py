"""Board sets on real files: save, backup, recovery from bad files, validation, undo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.boards.model import Action, Board, BoardError, BoardSet, Category, Cell
from app.boards.storage import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    MISSING_REVISION,
    BoardFileError,
    BoardsChangedError,
    NewerVersionError,
    backup_path,
    board_set_from_dict,
    board_set_to_dict,
    dumps,
    file_revision,
    known_revision,
    load_board_set,
    load_default_boards,
    loads,
    open_user_boards,
    read_board_set,
    save_board_set,
    user_boards_path,
)
from app.session.edit_history import EditHistory


def make_set() -> BoardSet:
    home = Board(id="home", name="Inicio", rows=2, columns=3, lang="es")
    home.set_cell(0, 0, Cell(id="yo", label="yo", category=Category.PEOPLE, pictogram_id=6625))
    home.set_cell(0, 1, Cell(id="querer", label="querer", category=Category.VERBS))
    home.set_cell(0, 2, Cell(id="pasado", label="pasado", category=Category.MARKERS,
                             action=Action.MARKER))  # fmt: skip
    home.set_cell(1, 0, Cell(id="comida", label="comida", link="food"))
    # (1, 1) stays empty on purpose: position matters to users.
    home.set_cell(1, 2, Cell(id="hambre", label="tengo hambre", keywords=["tener", "hambre"],
                             vocalization="Tengo hambre", color="#ffeeaa"))  # fmt: skip
    food = Board(id="food", name="Comida", rows=1, columns=2, lang="es")
    food.set_cell(0, 0, Cell(id="inicio", label="inicio", category=Category.CONTROLS,
                             action=Action.HOME))  # fmt: skip
    food.set_cell(0, 1, Cell(id="pan", label="pan", image="images/pan.jpg"))
    return BoardSet(
        name="Mis tableros", lang="es", root="home", boards={"home": home, "food": food}
    )


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "boards" / "es.json"
    original = make_set()
    save_board_set(original, path)
    result = load_board_set(path)
    assert result.board_set == original
    assert result.source == "file" and result.message is None
    assert result.board_set.home.cell_at(1, 1) is None
    assert result.board_set.home.cell_at(1, 2).words == ("tener", "hambre")


def test_file_is_readable_json_with_a_version_and_one_cell_per_line(tmp_path):
    path = tmp_path / "es.json"
    save_board_set(make_set(), path)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["format"] == "pictovoz-boards" and doc["version"] == FORMAT_VERSION
    assert '   {"id": "yo", "label": "yo", "category": "people", "pictogram_id": 6625},' in text
    assert "   null," in text


def test_second_save_keeps_the_previous_version_as_backup(tmp_path):
    path = tmp_path / "es.json"
    board_set = make_set()
    save_board_set(board_set, path)
    first = path.read_text(encoding="utf-8")
    board_set.home.cell_at(0, 1).label = "gustar"
    save_board_set(board_set, path)
    assert backup_path(path).read_text(encoding="utf-8") == first
    assert "gustar" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temp files


def test_an_invalid_set_is_not_saved_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "es.json"
    board_set = make_set()
    save_board_set(board_set, path)
    before = path.read_bytes()
    board_set.home.cell_at(1, 0).link = "nowhere"
    with pytest.raises(BoardError, match="nowhere"):
        save_board_set(board_set, path)
    assert path.read_bytes() == before


def test_corrupt_file_is_kept_aside_and_the_backup_opens(tmp_path):
    path = tmp_path / "es.json"
    board_set = make_set()
    save_board_set(board_set, path)
    board_set.name = "second"
    save_board_set(board_set, path)
    path.write_bytes(path.read_bytes()[:200])  # a crash mid-write by some other tool
    result = load_board_set(path)
    assert result.source == "backup"
    assert result.board_set.name == "Mis tableros"  # the previous save
    kept = list(tmp_path.glob("es.json.bad-*"))
    assert len(kept) == 1 and kept[0] in result.kept_aside
    assert kept[0].name in result.message and "previous saved version" in result.message
    assert "not valid JSON" in result.message
    # The main file was restored, so the next start is clean.
    assert load_board_set(path).source == "file"


def test_newer_version_is_left_in_place_untouched_and_never_saved_over(tmp_path):
    path = tmp_path / "es.json"
    save_board_set(make_set(), path)
    save_board_set(make_set(), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["version"] = FORMAT_VERSION + 1
    newer = json.dumps(doc)
    path.write_text(newer, encoding="utf-8")
    older_backup = backup_path(path).read_bytes()
    with pytest.raises(NewerVersionError, match="newer PictoVoz"):
        read_board_set(path)
    result = load_board_set(path)
    assert result.source == "backup" and result.board_set == make_set()
    assert result.newer_file == path and result.kept_aside == []
    assert (
        "newer PictoVoz" in result.message and f"kept safe, untouched, at {path}" in result.message
    )
    # The updated PictoVoz will find its file where it left it: not moved, not replaced by the
    # older backup (it was before), and a save from this older version is refused.
    assert path.read_text(encoding="utf-8") == newer and not list(tmp_path.glob("*.bad-*"))
    assert load_board_set(path).source == "backup"  # the next start too
    edited = result.board_set
    edited.home.cell_at(0, 1).label = "gustar"
    with pytest.raises(NewerVersionError, match="kept safe"):
        save_board_set(edited, path)
    with pytest.raises(NewerVersionError):
        save_board_set(edited, path, expected_revision=result.revision)
    assert path.read_text(encoding="utf-8") == newer
    assert backup_path(path).read_bytes() == older_backup


def test_newer_version_without_a_backup_opens_the_fallback_and_keeps_the_file(tmp_path):
    path = tmp_path / "es.json"
    doc = board_set_to_dict(make_set())
    doc["version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = load_board_set(path, fallback=make_set)
    assert result.source == "fallback" and result.newer_file == path
    assert "default boards were opened" in result.message and str(path) in result.message
    assert json.loads(path.read_text(encoding="utf-8")) == doc
    with pytest.raises(NewerVersionError):
        load_board_set(path)
    assert json.loads(path.read_text(encoding="utf-8")) == doc


def test_bad_file_without_backup_opens_the_fallback(tmp_path):
    path = tmp_path / "es.json"
    path.write_text('{"format": "pictovoz-boards", "version": 1, "boards": 3}', encoding="utf-8")
    result = load_board_set(path, fallback=make_set)
    assert result.source == "fallback" and result.board_set == make_set()
    assert "default boards" in result.message
    assert not path.exists() and list(tmp_path.glob("es.json.bad-*"))


def test_bad_file_and_bad_backup_without_fallback_raise_clearly(tmp_path):
    path = tmp_path / "es.json"
    path.write_text("garbage", encoding="utf-8")
    backup_path(path).write_text("[]", encoding="utf-8")
    with pytest.raises(BoardFileError) as err:
        load_board_set(path)
    assert "not valid JSON" in str(err.value) and "backup" in str(err.value)
    assert err.value.kept_as is not None and err.value.kept_as.exists()
    assert len(list(tmp_path.glob("*.bad-*"))) == 2


def test_missing_file_uses_backup_or_fallback_quietly(tmp_path):
    path = tmp_path / "es.json"
    assert load_board_set(path, fallback=make_set).message is None
    with pytest.raises(BoardFileError, match="does not exist"):
        load_board_set(path)


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "es.json"
    with path.open("wb") as fh:  # sparse: costs no disk and no time
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(BoardError, match="at most"):
        read_board_set(path)
    result = load_board_set(path, fallback=make_set)
    assert result.source == "fallback"


def test_deeply_nested_file_is_refused(tmp_path):
    path = tmp_path / "es.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(BoardError, match="nested"):
        read_board_set(path)
    nested: object = 1
    for _ in range(25):
        nested = [nested]
    path.write_text(json.dumps({"format": "pictovoz-boards", "x": nested}), encoding="utf-8")
    with pytest.raises(BoardError, match="nested more than"):
        read_board_set(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["boards"][0]["cells"].__setitem__(1, d["boards"][0]["cells"][0]), "two cells"),
        (lambda d: d["boards"].append(d["boards"][1]), "Two boards"),
        (lambda d: d["boards"].pop(1), "opens board 'food'"),
        (lambda d: d.__setitem__("root", "start"), "home board 'start' is missing"),
        (lambda d: d["boards"][0].__setitem__("rows", 30), "outside"),
        (lambda d: d["boards"][0]["cells"].pop(), "slots"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("category", "animals"), "category"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("action", "dance"), "action"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("pictogram_id", "6625"), "whole number"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("pictogram_id", True), "whole number"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("keywords", "yo"), "list"),
        (lambda d: d["boards"][0]["cells"][0].__setitem__("color", "red"), "#rrggbb"),
        (lambda d: d.__setitem__("format", "something-else"), "not a PictoVoz board"),
    ],
)
def test_invalid_documents_are_refused_with_a_clear_message(change, message):
    doc = board_set_to_dict(make_set())
    change(doc)
    with pytest.raises(BoardError, match=message):
        board_set_from_dict(doc)


def test_loads_accepts_text_and_dumps_is_stable():
    text = dumps(make_set())
    assert loads(text) == make_set()
    assert dumps(loads(text)) == text


def test_user_boards_default_to_the_shipped_boards(monkeypatch, tmp_path):
    monkeypatch.setenv("PICTOVOZ_HOME", str(tmp_path))
    assert user_boards_path("es") == tmp_path / "data" / "boards" / "es.json"
    result = open_user_boards("es")
    assert result.source == "fallback" and result.message is None
    assert result.board_set == load_default_boards("es")
    save_board_set(result.board_set, result.path)
    assert open_user_boards("es").source == "file"


def test_board_grid_helpers():
    board = make_set().home
    assert [(r, c, cell.id) for r, c, cell in board.iter_cells()][:2] == [
        (0, 0, "yo"),
        (0, 1, "querer"),
    ]
    assert board.position_of("hambre") == (1, 2)
    with pytest.raises(BoardError, match="already has a cell"):
        board.set_cell(1, 1, Cell(id="yo", label="otro yo"))
    assert board.new_cell_id("Yo") == "yo-2"
    board.resize(3, 3)
    assert board.position_of("hambre") == (1, 2) and board.rows == 3
    board.resize(3, 2)  # (0, 2) and (1, 2) no longer fit: they move to free slots
    assert {c.id for c in board.filled()} == {"yo", "querer", "pasado", "comida", "hambre"}
    with pytest.raises(BoardError, match="cannot hold"):
        board.resize(1, 2)
    with pytest.raises(IndexError):
        board.cell_at(5, 0)


def test_cell_words_follow_the_action():
    assert Cell(id="a", label="agua").words == ("agua",)
    assert Cell(id="b", label="?", action=Action.MARKER).words == ("?",)
    assert Cell(id="c", label="inicio", action=Action.HOME).words == ()
    assert Cell(id="d", label="comida", link="food").words == ()
    assert Cell(id="e", label="x", category=Category.VERBS).background == "#a5d6a7"
    assert Cell(id="e", label="x", color="#123456").background == "#123456"


# --- undo ----------------------------------------------------------------------------------------


def test_undo_and_redo_edits():
    history = EditHistory(make_set())
    assert not history.can_undo and not history.dirty
    with history.edit("Rename cell"):
        history.current.home.cell_at(0, 1).label = "gustar"
    with history.edit("Delete cell"):
        history.current.home.set_cell(0, 0, None)
    assert history.dirty and history.undo_description == "Delete cell"
    assert history.undo() == "Delete cell"
    assert history.current.home.cell_at(0, 0).id == "yo"
    assert history.undo() == "Rename cell"
    assert history.current.home.cell_at(0, 1).label == "querer"
    assert history.current == make_set() and not history.dirty
    assert history.undo() is None
    assert history.redo() == "Rename cell"
    assert history.current.home.cell_at(0, 1).label == "gustar"
    assert history.redo_description == "Delete cell"
    with history.edit("Add cell"):  # a new edit drops the redo branch
        history.current.home.set_cell(1, 1, Cell(id="mas", label="más"))
    assert not history.can_redo


def test_a_failed_or_invalid_edit_is_rolled_back():
    history = EditHistory(make_set())
    with pytest.raises(RuntimeError), history.edit("Broken"):
        history.current.home.cell_at(0, 1).label = "half done"
        raise RuntimeError("editor crashed")
    assert history.current == make_set()
    with pytest.raises(BoardError, match="opens board 'food'"), history.edit("Delete board"):
        del history.current.boards["food"]  # "comida" still links to it
    assert "food" in history.current.boards
    assert not history.can_undo


def test_no_op_edit_adds_no_step_and_limit_is_kept():
    history = EditHistory(make_set(), limit=3)
    with history.edit("Nothing"):
        pass
    assert not history.can_undo
    for i in range(5):
        with history.edit(f"Rename {i}"):
            history.current.home.cell_at(0, 1).label = f"v{i}"
    steps = 0
    while history.undo():
        steps += 1
    assert steps == 3
    assert history.current.home.cell_at(0, 1).label == "v1"


def test_save_marks_clean_and_undo_after_save_is_dirty(tmp_path):
    history = EditHistory(make_set())
    with history.edit("Rename"):
        history.current.name = "Otro"
    history.save(tmp_path / "es.json")
    assert not history.dirty
    history.undo()
    assert history.dirty
    history.redo()
    assert not history.dirty
    assert read_board_set(tmp_path / "es.json").name == "Otro"


# --- two writers: never silently lose either side (issue 12) -----------------------------------


def test_a_file_changed_by_another_process_is_not_saved_over(tmp_path):
    path = tmp_path / "es.json"
    save_board_set(make_set(), path)
    mine = load_board_set(path)
    theirs_set = load_board_set(path).board_set
    theirs_set.home.cell_at(0, 1).label = "gustar"
    theirs = tmp_path / "theirs.json"  # written the way another process would: not via us
    save_board_set(theirs_set, theirs)
    path.write_bytes(theirs.read_bytes())
    mine.board_set.home.cell_at(0, 0).label = "tú"
    with pytest.raises(BoardsChangedError, match="changed by another PictoVoz window") as err:
        save_board_set(mine.board_set, path, expected_revision=mine.revision)
    assert load_board_set(path).board_set == theirs_set  # their side is whole
    kept = err.value.kept_as
    assert kept is not None and kept.name in str(err.value)
    assert read_board_set(kept) == mine.board_set  # and so is ours
    assert isinstance(err.value, ValueError)  # callers that catch (OSError, ValueError) show it


def test_without_an_explicit_revision_the_last_one_this_process_saw_is_expected(tmp_path):
    path = tmp_path / "es.json"
    board_set = make_set()
    first = save_board_set(board_set, path)
    assert first == file_revision(path) == known_revision(path)
    board_set.home.cell_at(0, 1).label = "gustar"
    second = save_board_set(board_set, path)  # our own save: no conflict
    assert second != first and second == file_revision(path)
    path.write_text(path.read_text(encoding="utf-8").replace("gustar", "odiar"), "utf-8")
    board_set.home.cell_at(0, 1).label = "amar"
    with pytest.raises(BoardsChangedError):
        save_board_set(board_set, path)
    with pytest.raises(BoardsChangedError):  # an autosave retrying does not pile up copies
        save_board_set(board_set, path)
    assert len(list(tmp_path.glob("es.json.conflict-*"))) == 1
    assert "odiar" in path.read_text(encoding="utf-8")
    reopened = load_board_set(path)  # what the user sees after "reload"
    assert reopened.revision == file_revision(path)
    reopened.board_set.home.cell_at(0, 2).label = "luego"
    save_board_set(reopened.board_set, path, expected_revision=reopened.revision)


def test_a_missing_file_is_expected_missing(tmp_path):
    path = tmp_path / "es.json"
    result = load_board_set(path, fallback=make_set)
    assert result.revision == MISSING_REVISION
    other = make_set()
    other.name = "written meanwhile"
    path.write_text(dumps(other), encoding="utf-8")
    with pytest.raises(BoardsChangedError):
        save_board_set(result.board_set, path, expected_revision=result.revision)
    assert read_board_set(path).name == "written meanwhile"


SAVER = """
import sys
import time
from pathlib import Path
from app.boards.storage import BoardsChangedError, load_board_set, save_board_set
path, tag, row, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
saved = refused = 0
last = None
result = load_board_set(path)
board_set, revision = result.board_set, result.revision
print("ready", flush=True)
sys.stdin.readline()  # both start together, so their saves interleave
for i in range(rounds):
    board_set.home.cell_at(row, 1 - row).label = f"{tag}-{i}"  # each writer has its own cell
    try:
        revision = save_board_set(board_set, path, expected_revision=revision)
        saved, last = saved + 1, f"{tag}-{i}"
        time.sleep(0.002)  # give the other writer a turn between our saves
    except BoardsChangedError:
        refused += 1
        result = load_board_set(path)  # take the other side, then go on editing it
        board_set, revision = result.board_set, result.revision
print(saved, refused, last)
"""


def test_two_processes_saving_the_same_boards_lose_nothing(tmp_path):
    """Two processes edit different cells of the same file and save 150 times each. A save
    based on an old version is refused (and kept as a conflict copy) instead of overwriting the
    other's work, so each writer's last successful save is still in the final file."""
    path = tmp_path / "es.json"
    save_board_set(make_set(), path)
    root = Path(__file__).resolve().parents[1]
    rounds = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path), tag, str(row), str(rounds)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag, row in (("a", 0), ("b", 1))
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    results = [out.split() for out, _ in outputs]
    assert all(int(saved) + int(refused) == rounds for saved, refused, _ in results)
    final = read_board_set(path).home
    # cell (0, 1) is writer a's, (1, 0) writer b's: neither last save was silently overwritten
    assert (final.cell_at(0, 1).label, final.cell_at(1, 0).label) == (
        results[0][2],
        results[1][2],
    )
    refused_total = sum(int(refused) for _, refused, _ in results)
    assert len(list(tmp_path.glob("es.json.conflict-*"))) == refused_total
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
