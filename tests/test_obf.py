"""Open Board Format import/export on real files: round trips of our boards, boards made by other
apps, and hostile packages (zip slip, oversize, nesting, duplicate ids, missing boards)."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from pathlib import Path

import pytest
from arasaac_server import make_png

from app.boards import obf
from app.boards.model import CATEGORY_COLOURS, Action, Board, BoardSet, Category, Cell
from app.boards.obf import (
    ObfError,
    export_obf,
    export_obz,
    guess_category,
    import_board_file,
    import_obf,
    import_obz,
    parse_colour,
)
from app.boards.storage import load_default_boards

PNG = make_png(rgb=(10, 200, 10))
PNG_B64 = "data:image/png;base64," + base64.b64encode(PNG).decode()


def our_set(tmp_path: Path) -> tuple[BoardSet, Path]:
    """A set using every feature of our model, with a custom picture on disk."""
    base = tmp_path / "set"
    (base / "images").mkdir(parents=True)
    (base / "images" / "mama.png").write_bytes(PNG)
    home = Board(id="home", name="Inicio", rows=2, columns=4, lang="es")
    home.set_cell(0, 0, Cell(id="yo", label="yo", category=Category.PEOPLE, pictogram_id=6625))
    home.set_cell(0, 1, Cell(id="querer", label="querer", category=Category.VERBS,
                             pictogram_id=7141))  # fmt: skip
    home.set_cell(0, 3, Cell(id="pasado", label="pasado", category=Category.MARKERS,
                             action=Action.MARKER))  # fmt: skip
    home.set_cell(1, 0, Cell(id="comida", label="comida", link="food", pictogram_id=2248))
    home.set_cell(1, 1, Cell(id="hambre", label="tengo hambre", keywords=["tener", "hambre"],
                             vocalization="¡Tengo hambre!", color="#ffeeaa",
                             border_color="#000000"))  # fmt: skip
    home.set_cell(1, 2, Cell(id="mama", label="mamá", category=Category.PEOPLE,
                             image="images/mama.png", pictogram_id=2517))  # fmt: skip
    home.set_cell(1, 3, Cell(id="hablar", label="decir", category=Category.CONTROLS,
                             action=Action.SPEAK))  # fmt: skip
    food = Board(id="food", name="Comida", rows=1, columns=3, lang="es")
    food.set_cell(0, 0, Cell(id="inicio", label="inicio", category=Category.CONTROLS,
                             action=Action.HOME))  # fmt: skip
    food.set_cell(0, 2, Cell(id="agua", label="agua", pictogram_id=2248, link="home"))
    board_set = BoardSet(name="Mis tableros", lang="es", root="home",
                         boards={"home": home, "food": food})  # fmt: skip
    return board_set, base


def pictogram_image(pid: int) -> bytes | None:
    return make_png(rgb=(pid % 256, 0, 0)) if pid != 7141 else None


# --- our boards ---------------------------------------------------------------------------------


def test_obz_round_trip_is_lossless(tmp_path):
    board_set, base = our_set(tmp_path)
    package = tmp_path / "out" / "mis.obz"
    export_obz(board_set, package, base_dir=base, pictogram_image=pictogram_image)
    stored: dict[int, bytes] = {}
    dest = tmp_path / "imported"
    result = import_obz(package, dest, pictogram_sink=stored.__setitem__)
    assert result.board_set == board_set
    assert result.unmapped == []
    assert (dest / "images" / "mama.png").read_bytes() == PNG
    assert result.images_written == [dest / "images" / "mama.png"]
    # ARASAAC pictures travelled in the package and can go straight into the cache (mamá's
    # own photo overrides her pictogram, so 2517 is not exported).
    assert set(stored) == {6625, 2248} and stored[6625] == pictogram_image(6625)


def test_obz_layout_follows_the_spec(tmp_path):
    board_set, base = our_set(tmp_path)
    package = tmp_path / "mis.obz"
    export_obz(board_set, package, base_dir=base, pictogram_image=pictogram_image)
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        home = json.loads(zf.read("boards/home.obf"))
    assert manifest["format"] == "open-board-0.1"
    assert manifest["root"] == "boards/home.obf"
    assert manifest["paths"]["boards"] == {"home": "boards/home.obf", "food": "boards/food.obf"}
    assert {"images/mama.png", "images/arasaac-6625.png", "images/arasaac-2248.png"} <= names
    assert "images/arasaac-7141.png" not in names  # no bytes: linked by URL only
    assert home["grid"] == {
        "rows": 2,
        "columns": 4,
        "order": [["yo", "querer", None, "pasado"], ["comida", "hambre", "mama", "hablar"]],
    }
    buttons = {b["id"]: b for b in home["buttons"]}
    assert buttons["yo"]["background_color"] == "rgb(255, 241, 118)"  # Fitzgerald yellow
    assert buttons["hambre"]["vocalization"] == "¡Tengo hambre!"
    assert buttons["hambre"]["background_color"] == "rgb(255, 238, 170)"
    assert buttons["comida"]["load_board"] == {
        "id": "food",
        "name": "Comida",
        "path": "boards/food.obf",
    }
    assert buttons["hablar"]["action"] == ":speak"
    images = {i["id"]: i for i in home["images"]}
    assert (
        images["arasaac-7141"]["url"] == "https://static.arasaac.org/pictograms/7141/7141_500.png"
    )
    assert images["arasaac-6625"]["license"]["type"] == "CC BY-NC-SA"


def test_single_obf_round_trip_and_links_reported(tmp_path):
    board_set, base = our_set(tmp_path)
    path = tmp_path / "home.obf"
    export_obf(board_set, "home", path, base_dir=base, pictogram_image=pictogram_image)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["images"][0]["data"].startswith("data:image/png;base64,")
    result = import_obf(path, tmp_path / "imported")
    imported = result.board_set.home
    original = board_set.home
    assert imported.find_cell("comida").link is None  # cannot follow links from one file
    original.find_cell("comida").link = None
    assert imported == original
    assert any("Links to other boards" in line for line in result.unmapped)


def test_default_boards_round_trip(tmp_path):
    for lang in ("es", "en"):
        board_set = load_default_boards(lang)
        package = tmp_path / f"{lang}.obz"
        export_obz(board_set, package)
        assert import_obz(package).board_set == board_set


# --- boards from other apps ---------------------------------------------------------------------


def foreign_board() -> dict:
    """Shaped like a CoughDrop export: rgb colours, vocalizations, a spelling button, a sound,
    web and embedded images, a link to a board that is not in the file."""
    return {
        "format": "open-board-0.1",
        "id": "1_234",
        "locale": "en-US",
        "name": "Quick Core",
        "url": "https://example.org/boards/quick-core",
        "license": {"type": "CC By", "author_name": "Someone"},
        "buttons": [
            {"id": 1, "label": "I", "background_color": "rgb(255, 255, 170)",
             "border_color": "rgb(221, 221, 0)", "image_id": "img1"},
            {"id": 2, "label": "want", "vocalization": "I want", "background_color":
             "rgb(204, 255, 170)", "image_id": "img2"},
            {"id": 3, "label": "what", "background_color": "rgba(204, 170, 255, 1)"},
            {"id": 4, "label": "more", "background_color": "#acf", "sound_id": "s1"},
            {"id": 5, "label": "a", "action": "+a"},
            {"id": 6, "label": "space", "action": ":space"},
            {"id": 7, "label": "clear", "action": ":clear", "background_color": "rgb(255,255,255)"},
            {"id": 8, "label": "food", "load_board": {"id": "9_999", "path": "boards/9.obf"},
             "background_color": "rgb(255, 204, 170)"},
            {"id": 9, "label": "", "image_id": "img3"},
            {"id": 10, "label": "not in grid " * 20},
            {"id": 11, "label": "", "vocalization": "hello there", "background_color": "pink"},
        ],
        "grid": {"rows": 3, "columns": 4, "order": [
            [1, 2, None, 3], [4, 5, 6, 7], [8, 9, None, 99],
        ]},
        "images": [
            {"id": "img1", "url": "https://static.arasaac.org/pictograms/6625/6625_300.png",
             "width": 300, "height": 300, "content_type": "image/png"},
            {"id": "img2", "url": "https://example.org/want.png", "content_type": "image/png"},
            {"id": "img3", "data": PNG_B64, "content_type": "image/png"},
        ],
        "sounds": [{"id": "s1", "url": "https://example.org/more.mp3"}],
    }  # fmt: skip


def test_import_a_board_made_by_another_app(tmp_path):
    path = tmp_path / "quick-core.obf"
    path.write_text(json.dumps(foreign_board()), encoding="utf-8")
    dest = tmp_path / "imported"
    result = import_obf(path, dest)
    board = result.board_set.home
    assert result.board_set.lang == "en" and board.name == "Quick Core"
    assert (board.rows, board.columns) == (3, 4)
    assert board.cell_at(0, 0).label == "I" and board.cell_at(0, 0).pictogram_id == 6625
    assert board.cell_at(0, 0).category is Category.PEOPLE
    assert board.cell_at(0, 0).color == "#ffffaa" and board.cell_at(0, 0).border_color == "#dddd00"
    assert board.cell_at(0, 1).vocalization == "I want"
    assert board.cell_at(0, 1).category is Category.VERBS
    assert board.cell_at(0, 1).image is None  # web-only image: reported, not downloaded
    assert board.cell_at(0, 3).category is Category.QUESTIONS
    assert board.cell_at(1, 0).color == "#aaccff"
    assert board.cell_at(1, 3).action is Action.CLEAR
    assert board.cell_at(2, 0).link is None and board.cell_at(2, 0).category is Category.NOUNS
    pictured = board.cell_at(2, 1)
    assert pictured.label == "" and (dest / pictured.image).read_bytes() == PNG
    assert pictured.image.startswith("images/")
    # Buttons missing from the grid take the free slots, in order; 11 is labelled by its
    # vocalization.
    assert board.cell_at(0, 2).id == "10" and board.cell_at(2, 2).id == "11"
    assert len(board.cell_at(0, 2).label) <= 80 and board.cell_at(0, 2).label.endswith("…")
    assert board.cell_at(2, 3) is None  # the grid named button 99, which does not exist
    assert board.find_cell("11").label == "hello there"
    report = "\n".join(result.unmapped)
    for expected in (
        "Recorded sounds",
        "Spelling actions",
        "':space' is not supported",
        "only web links",
        "Links to other boards",
        "grid names a missing button",
        "missing from the grid",
        "'pink' is not understood",
        "Labels longer than 80 characters were shortened",
    ):
        assert expected in report, expected
    assert result.images_written == [dest / pictured.image]


def write_zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def cboard_like_package(tmp_path: Path, **overrides: bytes | str) -> Path:
    """Shaped like a Cboard / AsTeRICS export: numeric ids, links by path, images by path."""
    root = {
        "format": "open-board-0.1", "id": "root", "locale": "es-ES", "name": "Inicio",
        "buttons": [
            {"id": "b1", "label": "comer", "background_color": "rgb(204, 255, 170)",
             "image_id": "i1"},
            {"id": "b2", "label": "comida", "load_board": {"path": "boards/2.obf"},
             "image_id": "i2"},
        ],
        "grid": {"rows": 1, "columns": 2, "order": [["b1", "b2"]]},
        "images": [
            {"id": "i1", "path": "images/comer.png", "content_type": "image/png"},
            {"id": "i2", "path": "images/comida.png", "content_type": "image/png"},
        ],
    }  # fmt: skip
    food = {
        "format": "open-board-0.1", "id": 2, "locale": "es-ES", "name": "Comida",
        "buttons": [{"id": "c1", "label": "volver", "load_board": {"id": "root"}}],
        "grid": {"rows": 1, "columns": 1, "order": [["c1"]]},
    }  # fmt: skip
    manifest = {
        "format": "open-board-0.1",
        "root": "boards/1.obf",
        "paths": {
            "boards": {"root": "boards/1.obf", "2": "boards/2.obf"},
            "images": {"i1": "images/comer.png", "i2": "images/comida.png"},
        },
    }
    files: dict[str, bytes | str] = {
        "manifest.json": json.dumps(manifest),
        "boards/1.obf": json.dumps(root),
        "boards/2.obf": json.dumps(food),
        "images/comer.png": PNG,
        "images/comida.png": make_png(rgb=(1, 2, 3)),
    }
    files.update(overrides)
    return write_zip(tmp_path / "cboard.obz", files)


def test_import_a_package_made_by_another_app(tmp_path):
    dest = tmp_path / "imported"
    result = import_board_file(cboard_like_package(tmp_path), dest)
    board_set = result.board_set
    assert board_set.root == "root" and set(board_set.boards) == {"root", "2"}
    assert board_set.lang == "es"
    home = board_set.home
    assert home.cell_at(0, 0).category is Category.VERBS
    assert home.cell_at(0, 1).link == "2"
    assert board_set.board("2").cell_at(0, 0).link == "root"
    assert (dest / home.cell_at(0, 0).image).read_bytes() == PNG
    assert sorted(p.name for p in (dest / "images").iterdir()) == ["root-i1.png", "root-i2.png"]
    assert result.unmapped == []


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "evil",
    ["../evil.png", "images/../../evil.png", "/tmp/evil.png", "C:/evil.png", "images\\..\\evil"],
)
def test_zip_slip_is_rejected_and_nothing_is_written(tmp_path, evil):
    package = cboard_like_package(tmp_path, **{evil: PNG})
    dest = tmp_path / "dest"
    with pytest.raises(ObfError, match="unsafe path"):
        import_obz(package, dest)
    assert not dest.exists()
    assert not (tmp_path / "evil.png").exists() and not Path("/tmp/evil.png").exists()


def test_references_outside_the_package_are_rejected(tmp_path):
    manifest = {"format": "open-board-0.1", "root": "../../etc/passwd", "paths": {}}
    package = cboard_like_package(tmp_path, **{"manifest.json": json.dumps(manifest)})
    with pytest.raises(ObfError, match="outside the package"):
        import_obz(package, tmp_path / "dest")


def test_oversize_files_are_refused_before_reading(tmp_path, monkeypatch):
    huge = tmp_path / "huge.obf"
    with huge.open("wb") as fh:  # a sparse 1 GB file: refused by its size, never read
        fh.truncate(1024**3)
    with pytest.raises(ObfError, match="at most"):
        import_obf(huge)
    big_zip = tmp_path / "huge.obz"
    with big_zip.open("wb") as fh:
        fh.truncate(obf.MAX_OBZ_BYTES + 1)
    with pytest.raises(ObfError, match="at most"):
        import_obz(big_zip)


def test_zip_bomb_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(obf, "MAX_MEMBER_BYTES", 64 * 1024)
    package = cboard_like_package(tmp_path, **{"images/bomb.png": b"\0" * (1024 * 1024)})
    assert package.stat().st_size < 64 * 1024  # small on disk, big unpacked
    with pytest.raises(ObfError, match="at most"):
        import_obz(package, tmp_path / "dest")
    monkeypatch.setattr(obf, "MAX_MEMBER_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(obf, "MAX_TOTAL_BYTES", 512 * 1024)
    with pytest.raises(ObfError, match="unpacks to"):
        import_obz(package, tmp_path / "dest")


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.obf"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(ObfError, match="nested"):
        import_obf(path)
    doc = foreign_board()
    nested: object = "x"
    for _ in range(40):
        nested = {"a": nested}
    doc["ext_vendor"] = nested
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ObfError, match="nested more than"):
        import_obf(path)


def test_duplicate_ids_are_refused(tmp_path):
    doc = foreign_board()
    doc["buttons"].append({"id": 1, "label": "again"})
    path = tmp_path / "dup.obf"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ObfError, match="two buttons with the id '1'"):
        import_obf(path)
    doc = foreign_board()
    doc["images"].append({"id": "img1", "url": "https://example.org/x.png"})
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ObfError, match="two images"):
        import_obf(path)
    food_again = json.dumps({"format": "open-board-0.1", "id": "root", "buttons": []})
    manifest = {
        "format": "open-board-0.1",
        "root": "boards/1.obf",
        "paths": {"boards": {"root": "boards/1.obf", "2": "boards/2.obf"}},
    }
    package = cboard_like_package(
        tmp_path, **{"boards/2.obf": food_again, "manifest.json": json.dumps(manifest)}
    )
    with pytest.raises(ObfError, match=r"Two boards .* have the id 'root'"):
        import_obz(package, tmp_path / "dest")
    text = '{"format": "open-board-0.1", "root": "boards/1.obf", "root": "boards/2.obf"}'
    package = cboard_like_package(tmp_path, **{"manifest.json": text})
    with pytest.raises(ObfError, match="duplicate key 'root'"):
        import_obz(package, tmp_path / "dest")


def test_link_to_a_missing_board_is_a_clear_error(tmp_path):
    manifest = {
        "format": "open-board-0.1",
        "root": "boards/1.obf",
        "paths": {"boards": {"root": "boards/1.obf"}},  # board 2 is not listed
    }
    package = cboard_like_package(tmp_path, **{"manifest.json": json.dumps(manifest)})
    dest = tmp_path / "dest"
    wanted = re.escape("'comida' on board 'Inicio' opens board 'boards/2.obf'")
    with pytest.raises(ObfError, match=wanted):
        import_obz(package, dest)
    assert not dest.exists()  # nothing written for a package that failed


def test_not_a_package(tmp_path):
    no_manifest = write_zip(tmp_path / "x.obz", {"boards/1.obf": "{}"})
    with pytest.raises(ObfError, match=r"no manifest\.json"):
        import_obz(no_manifest)
    garbage = tmp_path / "y.obz"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ObfError, match=r"not a valid \.obz"):
        import_board_file(garbage)
    text = tmp_path / "z.obf"
    text.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(ObfError, match="not valid JSON"):
        import_board_file(text)
    other = tmp_path / "w.obf"
    other.write_text(json.dumps({"format": "something-else", "id": "1"}), encoding="utf-8")
    with pytest.raises(ObfError, match="not an Open Board Format"):
        import_obf(other)


def test_oversized_grid_is_refused(tmp_path):
    doc = foreign_board()
    doc["grid"] = {"rows": 50, "columns": 50, "order": []}
    path = tmp_path / "big.obf"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ObfError, match="at most 20x20"):
        import_obf(path)


def test_pictures_need_a_target_folder(tmp_path):
    path = tmp_path / "pics.obf"
    path.write_text(json.dumps(foreign_board()), encoding="utf-8")
    with pytest.raises(ObfError, match="choose a folder"):
        import_obf(path)


# --- colours ------------------------------------------------------------------------------------


def test_colours_parse_and_categories_match_the_fitzgerald_key():
    assert parse_colour("rgb(255, 255, 170)") == "#ffffaa"
    assert parse_colour("rgba(1,2,3,0.5)") == "#010203"
    assert parse_colour("#ABC") == "#aabbcc"
    assert parse_colour("rgb(300, 0, 0)") is None
    assert parse_colour("pink") is None
    for category, colour in CATEGORY_COLOURS.items():
        if category is not Category.CONTROLS:
            assert guess_category(colour) is category, category
    assert guess_category("#ffffff") is Category.NOUNS
    assert guess_category(None) is Category.NOUNS
