"""AsTeRICS Grid backups (.grd / .grd.json) -> our boards: ARASAAC's own communicator imports
whole, and what does not map is reported per item, never a reason to refuse the file."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from app.boards.asterics import ImportReport, import_asterics_file
from app.boards.model import Action, Board, BoardError, BoardSet, Category
from app.boards.storage import dumps, loads

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GRIDS = SHARED / "asterics-grid"
ARASAAC = SHARED / "arasaac"
LANGS = ["es", "en"]


# --- ARASAAC's Global-Core communicator (real files in ../shared) ------------------------------


def shared_file(lang: str) -> Path:
    path = GRIDS / f"global-core-arasaac.{lang}.grd.json"
    if not path.is_file():
        pytest.skip(f"AsTeRICS Grid samples are not at {GRIDS} (../shared/data/asterics-grid)")
    return path


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def label_of(element: dict[str, Any], lang: str) -> str:
    return (element.get("label") or {}).get(lang, "").strip()


class Imported(NamedTuple):
    lang: str
    doc: dict[str, Any]
    board_set: BoardSet
    report: ImportReport

    def board(self, grid: dict[str, Any]) -> Board:
        """The board made from `grid` (boards come in the backup's order)."""
        index = [g["id"] for g in self.doc["grids"]].index(grid["id"])
        return list(self.board_set.boards.values())[index]


@pytest.fixture(scope="module", params=LANGS)
def imported(request) -> Imported:
    path = shared_file(request.param)
    return Imported(request.param, raw(path), *import_asterics_file(path))


def test_every_grid_and_every_labelled_cell_imports(imported):
    lang, doc, board_set, report = imported
    board_set.validate()
    assert board_set.lang == lang and report.lang == lang
    assert len(board_set.boards) == len(doc["grids"]) == report.boards
    home = next(g for g in doc["grids"] if g["id"] == doc["metadata"]["homeGridId"])
    assert board_set.home is imported.board(home)
    for grid in doc["grids"]:
        board = imported.board(grid)
        wanted = Counter(
            label_of(e, lang)
            for e in grid["gridElements"]
            if label_of(e, lang) and e.get("type") == "ELEMENT_TYPE_NORMAL"
        )
        got = Counter(c.label for c in board.filled())
        assert not wanted - got, board.name
        assert board.lang == lang
    assert report.cells == board_set.cell_count() >= 1100


def test_pictogram_ids_come_from_the_image_urls(imported):
    lang, doc, board_set, report = imported
    for grid in doc["grids"]:
        board = imported.board(grid)
        wanted = Counter(
            (label_of(e, lang), int(e["image"]["url"].split("/pictograms/")[1].split("?")[0]))
            for e in grid["gridElements"]
            if label_of(e, lang) and (e.get("image") or {}).get("url")
        )
        got = Counter((c.label, c.pictogram_id) for c in board.filled())
        assert not wanted - got, board.name
    assert report.pictograms == sum(c.pictogram_id is not None for _, c in board_set.iter_cells())


def test_label_and_id_agree_with_arasaacs_own_list(imported):
    """An independent check: ARASAAC's communicator as label -> id (../shared/data/arasaac)."""
    lang, _, board_set, _ = imported
    path = ARASAAC / f"global-core-communicator.{lang}.tsv"
    if not path.is_file():
        pytest.skip(f"ARASAAC's data is not at {ARASAAC}")
    with path.open(encoding="utf-8", newline="") as fh:
        facts = {(r["label"], int(r["pictogram_id"])) for r in csv.DictReader(fh, delimiter="\t")}
    pairs = {
        (c.label, c.pictogram_id)
        for _, c in board_set.iter_cells()
        if c.pictogram_id and c.link is None and c.action is None  # labels from the file
    }
    assert len(pairs) >= 600
    assert pairs <= facts


def test_navigation_becomes_folders_and_home(imported):
    _, doc, board_set, _ = imported
    by_grid = {g["id"]: imported.board(g).id for g in doc["grids"]}
    for grid in doc["grids"]:
        board = board_set.board(by_grid[grid["id"]])
        links = Counter(
            by_grid[a["toGridId"]]
            for e in grid["gridElements"]
            for a in e["actions"]
            if a["modelName"] == "GridActionNavigate" and a.get("navType") == "navigateToGrid"
        )
        assert Counter(c.link for c in board.filled() if c.link) == links, board.name
    homes = [c for _, c in board_set.iter_cells() if c.action is Action.HOME]
    assert homes and all(c.label and c.category is Category.CONTROLS for c in homes)


def test_colour_categories_map_to_ours(imported):
    lang, doc, _, _ = imported
    expected = {
        "CC_VERB": Category.VERBS,
        "CC_NOUN": Category.NOUNS,
        "CC_DESCRIPTOR": Category.DESCRIPTORS,
        "CC_SOCIAL_EXPRESSIONS": Category.SOCIAL,
        "CC_PRONOUN_PERSON_NAME": Category.PEOPLE,
    }
    seen = Counter()
    for grid in doc["grids"]:
        board = imported.board(grid)
        got = Counter((c.label, c.category) for c in board.filled() if c.action is None)
        wanted = Counter(
            (label_of(e, lang), expected[e["colorCategory"]])
            for e in grid["gridElements"]
            if e.get("colorCategory") in expected
            and label_of(e, lang)
            and not any(a["modelName"] == "GridActionCollectElement" for a in e["actions"])
        )
        assert not wanted - got, board.name
        seen.update(category for _, category in wanted.elements())
    assert set(seen) == set(expected.values())


def test_the_report_counts_what_did_not_map(imported):
    lang, doc, _, report = imported
    elements = [e for g in doc["grids"] for e in g["gridElements"]]
    embedded = sum(
        1
        for e in elements
        if e.get("type") == "ELEMENT_TYPE_NORMAL"
        and ((e.get("image") or {}).get("data") or "").startswith("data:")
        and not (e.get("image") or {}).get("url")
    )
    spans = sum(
        1
        for e in elements
        if (e["width"] > 1 or e["height"] > 1)
        and label_of(e, lang)
        and e.get("type") == "ELEMENT_TYPE_NORMAL"
    )
    counts = report.counts
    assert counts["embedded picture (data URL): not kept"] == embedded > 0
    assert counts["spans several slots: kept in its first slot"] >= spans > 0
    predictions = sum(e.get("type") == "ELEMENT_TYPE_PREDICTION" for e in elements)
    assert counts["word prediction slot: skipped"] == predictions
    assert "action GridActionWebradio: dropped" in counts
    assert all(where for where, _ in report.items)
    assert "embedded picture" in report.summary()


def test_an_imported_communicator_saves_and_loads(imported):
    _, _, board_set, _ = imported
    again = loads(dumps(board_set))
    assert again.cell_count() == board_set.cell_count()
    assert list(again.boards) == list(board_set.boards)


# --- small backups made here -----------------------------------------------------------------


def element(x: int, y: int, label: str | None, **extra: Any) -> dict[str, Any]:
    item = {
        "id": f"e-{x}-{y}",
        "modelName": "GridElement",
        "x": x,
        "y": y,
        "width": 1,
        "height": 1,
        "label": {"en": label} if label is not None else {},
        "image": {"data": None, "url": None},
        "actions": [{"modelName": "GridActionSpeak"}],
        "type": "ELEMENT_TYPE_NORMAL",
    }
    item.update(extra)
    return item


def grid(grid_id: str, name: str, elements: list[dict[str, Any]], rows: int = 2) -> dict:
    return {
        "id": grid_id,
        "modelName": "GridData",
        "label": {"en": name},
        "rowCount": rows,
        "minColumnCount": 2,
        "gridElements": elements,
    }


def write(tmp_path: Path, doc: Any, name: str = "mine.grd") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def backup(*grids: dict[str, Any], home: str | None = None) -> dict[str, Any]:
    return {"grids": list(grids), "metadata": {"homeGridId": home or grids[0]["id"]}}


def navigate(to: str, nav: str = "navigateToGrid") -> list[dict[str, Any]]:
    return [{"modelName": "GridActionNavigate", "toGridId": to, "navType": nav}]


def test_fine_grid_columns_spans_and_empty_slots(tmp_path):
    """A keyboard on AsTeRICS' fine grid (3 units a key, a 6-wide space bar) keeps its key
    order and rows; empty elements stay empty slots."""
    keys = [element(3 * i, 0, k) for i, k in enumerate("abcd")]
    keys += [element(0, 1, "go", width=6), element(6, 1, None), element(9, 1, "e")]
    board_set, report = import_asterics_file(write(tmp_path, backup(grid("g1", "Keys", keys))))
    board = board_set.home
    assert (board.rows, board.columns) == (2, 4)
    assert [c.label if c else None for c in board.cells] == [
        "a", "b", "c", "d", "go", None, None, "e",
    ]  # fmt: skip
    assert report.counts == Counter({"spans several slots: kept in its first slot": 1})


def test_links_home_and_sentence_bar_controls(tmp_path):
    data_png = "data:image/png;base64,iVBORw0KGgo="
    home = grid(
        "g1",
        "Home",
        [
            element(0, 0, "Food", actions=navigate("g2")),
            element(1, 0, None, actions=navigate("g2"), image={"data": data_png}),
            element(2, 0, "Lost", actions=navigate("nowhere")),
            element(
                3,
                0,
                None,
                actions=[
                    {"modelName": "GridActionCollectElement", "action": "COLLECT_ACTION_CLEAR"}
                ],
                image={"data": data_png},
            ),
        ],
    )
    food = grid(
        "g2",
        "Food",
        [
            element(0, 0, None, actions=navigate("g1", "navigateToHomeGrid")),
            element(
                1,
                0,
                "apple",
                image={"url": "https://static.arasaac.org/pictograms/2462/2462_500.png"},
            ),
            element(
                2,
                0,
                "pear",
                image={"url": "https://api.arasaac.org/api/pictograms/2561?color=false"},
            ),
            element(3, 0, "back", actions=navigate("g1", "navigateToLastOpenedGrid")),
        ],
    )
    board_set, report = import_asterics_file(write(tmp_path, backup(home, food)))
    home_board, food_board = board_set.home, board_set.board("food")
    cells = home_board.filled()
    assert [c.link for c in cells] == ["food", "food", None, None]
    assert cells[1].label == "Food"  # a picture-only folder is named after its board
    assert cells[2].label == "Lost" and cells[2].link is None
    assert cells[3].action is Action.CLEAR and cells[3].label == "clear"
    assert cells[3].category is Category.CONTROLS
    go_home, apple, pear, back = food_board.filled()
    assert go_home.action is Action.HOME and go_home.label == "home board"
    assert (apple.pictogram_id, pear.pictogram_id) == (2462, 2561)
    assert back.action is Action.HOME
    counts = report.counts
    assert counts["opens a grid that is not in the backup: link dropped"] == 1
    assert counts["embedded picture (data URL): not kept"] == 2
    assert counts["ARASAAC picture option color=false: not kept"] == 1
    assert counts["'back to the last grid': goes to the home board instead"] == 1
    board_set.validate()


def test_custom_speech_becomes_the_vocalization(tmp_path):
    speak = [{"modelName": "GridActionSpeakCustom", "speakText": {"en": "I want to rest"}}]
    doc = backup(grid("g1", "Help", [element(0, 0, "REST", actions=speak)]))
    board_set, _ = import_asterics_file(write(tmp_path, doc))
    (cell,) = board_set.home.filled()
    assert (cell.label, cell.vocalization) == ("REST", "I want to rest")


def test_unsupported_things_are_reported_and_the_rest_kept(tmp_path):
    radio = [{"modelName": "GridActionWebradio", "action": "WEBRADIO_ACTION_START"}]
    elements = [
        element(0, 0, "radio on", actions=radio),
        element(1, 0, None, type="ELEMENT_TYPE_PREDICTION"),
        element(2, 0, None, type="ELEMENT_TYPE_COLLECT"),
        element(0, 1, "web", image={"url": "https://example.org/cat.png"}),
        element(1, 1, " "),
        element(2, 1, "x" * 100),
    ]
    board_set, report = import_asterics_file(write(tmp_path, backup(grid("g1", "Misc", elements))))
    labels = [c.label for c in board_set.home.filled()]
    assert labels[:2] == ["radio on", "web"] and len(labels) == 3
    long = board_set.home.filled()[2]
    assert len(long.label) <= 80 and long.vocalization == "x" * 100
    assert set(report.counts) == {
        "action GridActionWebradio: dropped",
        "word prediction slot: skipped",
        "sentence bar (the window has its own): skipped",
        "picture from the web (not ARASAAC): not kept",
        "blank label (a keyboard's space key): skipped",
        "label over 80 characters: shortened, said in full",
    }


def test_overlapping_elements_both_kept(tmp_path):
    elements = [element(0, 0, "wide", width=2), element(0, 0, "under")]
    board_set, report = import_asterics_file(write(tmp_path, backup(grid("g1", "G", elements))))
    assert sorted(c.label for c in board_set.home.filled()) == ["under", "wide"]
    assert report.counts["overlaps another cell: moved to a free slot"] == 1


def test_grids_wider_than_ours_are_reflowed(tmp_path):
    elements = [element(i, 0, f"k{i}") for i in range(26)]
    board_set, report = import_asterics_file(
        write(tmp_path, backup(grid("g1", "Wide", elements, 1)))
    )
    board = board_set.home
    assert board.columns <= 20 and [c.label for c in board.filled()] == [f"k{i}" for i in range(26)]
    assert any("reflowed" in problem for problem in report.counts)


def test_language_choice_and_old_bare_list_format(tmp_path):
    two, only_es = element(0, 0, "water"), element(1, 0, None)
    two["label"]["es"], only_es["label"]["es"] = "agua", "pan"
    doc = [grid("g1", "Home", [two, only_es])]  # older exports: a bare list of grids
    board_set, report = import_asterics_file(write(tmp_path, doc, "old.grd.json"), lang="en")
    assert [c.label for c in board_set.home.filled()] == ["water", "pan"]
    assert report.counts["label only in another language than 'en'"] == 1
    assert board_set.name == "old"


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.grd"
    path.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(backup(grid("g1", "G", [element(0, 0, "a")]))).encode()
    )
    board_set, _ = import_asterics_file(path)
    assert board_set.home.filled()[0].label == "a"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"boards": []}', "not an AsTeRICS Grid backup"),
        (b'{"grids": []}', "not an AsTeRICS Grid backup"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_not_a_backup_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.grd"
    path.write_bytes(content)
    with pytest.raises(BoardError, match=message):
        import_asterics_file(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(BoardError, match=r"Cannot read nope\.grd"):
        import_asterics_file(tmp_path / "nope.grd")
