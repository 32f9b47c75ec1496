"""Open Board Format import/export on real files: round trips of our boards, boards made by other
apps, and hostile packages (zip slip, oversize, nesting, duplicate ids, missing boards)."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from arasaac_server import make_png, png_header

from app.boards import obf_import, pictures
from app.boards.model import CATEGORY_COLOURS, Action, Board, BoardSet, Category, Cell
from app.boards.obf import (
    ObfError,
    Skip,
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


def content_rel(data: bytes, ext: str = ".png") -> str:
    return f"images/{hashlib.sha256(data).hexdigest()}{ext}"


# --- our boards ---------------------------------------------------------------------------------


def test_obz_round_trip_is_lossless(tmp_path):
    board_set, base = our_set(tmp_path)
    package = tmp_path / "out" / "mis.obz"
    export_obz(board_set, package, base_dir=base, pictogram_image=pictogram_image)
    stored: dict[int, bytes] = {}
    dest = tmp_path / "imported"
    result = import_obz(package, dest, pictogram_sink=stored.__setitem__)
    # Everything comes back; mamá's own photo under its new content-addressed name.
    board_set.home.find_cell("mama").image = content_rel(PNG)
    assert result.board_set == board_set
    assert result.unmapped == [] and result.skipped == []
    assert (dest / content_rel(PNG)).read_bytes() == PNG
    assert result.images_written == [dest / content_rel(PNG)]
    # ARASAAC pictures travelled in the package (6625, 2248) but the import keeps their ids and
    # never writes the shared pictogram cache: only the ARASAAC client does.
    assert stored == {}
    # A second round trip is exact, and reuses the picture file instead of writing it again.
    again = tmp_path / "again.obz"
    export_obz(result.board_set, again, base_dir=dest, pictogram_image=pictogram_image)
    second = import_obz(again, dest)
    assert second.board_set == board_set and second.images_written == []


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
    original.find_cell("mama").image = content_rel(PNG)  # a new, content-addressed name
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
    # Each item left out is listed on its own, with its board and button.
    items = {(s.reason, s.item) for s in result.skipped}
    assert items == {
        (Skip.WEB_IMAGE, "want"),
        (Skip.SOUND, "more"),
        (Skip.SPELLING, "a"),
        (Skip.ACTION, "space"),
        (Skip.EXTERNAL_LINK, "food"),
    }
    assert {s.board for s in result.skipped} == {"Quick Core"}


def test_blank_labels_are_skipped_per_button_not_the_board(tmp_path):
    doc = foreign_board()
    doc["buttons"] += [
        {"id": 20, "label": " ", "action": "+ "},  # a space-bar key: nothing to show or say
        {"id": 21, "label": "  ", "image_id": "img2"},  # its only picture is on the web
        {"id": 22, "label": " ", "image_id": "img3"},  # a picture and no words: kept
    ]
    path = tmp_path / "blank.obf"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = import_obf(path, tmp_path / "dest")
    board = result.board_set.home
    assert board.find_cell("20") is None and board.find_cell("21") is None
    kept = board.find_cell("22")
    assert kept is not None and kept.label == "" and kept.image == content_rel(PNG)
    blank = [s for s in result.skipped if s.reason is Skip.BLANK]
    assert sorted(s.item for s in blank) == ["button 20", "button 21"]


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
    other = make_png(rgb=(1, 2, 3))
    assert home.cell_at(0, 0).image == content_rel(PNG)
    assert home.cell_at(0, 1).image == content_rel(other)
    assert sorted(p.name for p in (dest / "images").iterdir()) == sorted(
        Path(content_rel(data)).name for data in (PNG, other)
    )
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
        fh.truncate(obf_import.MAX_OBZ_BYTES + 1)
    with pytest.raises(ObfError, match="at most"):
        import_obz(big_zip)


def test_zip_bomb_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(obf_import, "MAX_MEMBER_BYTES", 64 * 1024)
    package = cboard_like_package(tmp_path, **{"images/bomb.png": b"\0" * (1024 * 1024)})
    assert package.stat().st_size < 64 * 1024  # small on disk, big unpacked
    with pytest.raises(ObfError, match="at most"):
        import_obz(package, tmp_path / "dest")
    monkeypatch.setattr(obf_import, "MAX_MEMBER_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(obf_import, "MAX_TOTAL_BYTES", 512 * 1024)
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


def test_link_to_a_board_outside_the_package_is_reported_and_the_button_kept(tmp_path):
    manifest = {
        "format": "open-board-0.1",
        "root": "boards/1.obf",
        "paths": {"boards": {"root": "boards/1.obf"}},  # board 2 is not listed
    }
    package = cboard_like_package(tmp_path, **{"manifest.json": json.dumps(manifest)})
    result = import_obz(package, tmp_path / "dest")
    assert set(result.board_set.boards) == {"root"}
    comida = result.board_set.home.find_cell("b2")
    assert comida is not None and comida.label == "comida" and comida.link is None
    assert comida.image is not None  # its picture is kept all the same
    [skipped] = result.skipped
    assert skipped.reason is Skip.EXTERNAL_LINK
    assert (skipped.board, skipped.item, skipped.detail) == ("Inicio", "comida", "boards/2.obf")
    assert any("not in the file were removed" in line for line in result.unmapped)


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


# --- pictures that come with a board ------------------------------------------------------------


def picture_package(tmp_path: Path, pictures: dict[str, bytes], name: str = "pics.obz") -> Path:
    """One board, one button per picture, each picture a file in the package."""
    buttons, images, files = [], [], {}
    for i, (label, data) in enumerate(pictures.items()):
        buttons.append({"id": f"b{i}", "label": label, "image_id": f"i{i}"})
        images.append({"id": f"i{i}", "path": f"images/{i}.png", "content_type": "image/png"})
        files[f"images/{i}.png"] = data
    side = max(1, round(len(buttons) ** 0.5 + 0.5))
    board = {"format": "open-board-0.1", "id": "p", "name": "Pictures", "buttons": buttons,
             "grid": {"rows": side, "columns": side}, "images": images}  # fmt: skip
    manifest = {"format": "open-board-0.1", "root": "boards/p.obf",
                "paths": {"boards": {"p": "boards/p.obf"}}}  # fmt: skip
    files["manifest.json"] = json.dumps(manifest)
    files["boards/p.obf"] = json.dumps(board)
    return write_zip(tmp_path / name, files)


def test_picture_bombs_are_refused_per_picture_from_their_header(tmp_path):
    # 20 PNGs that each declare 7900x7900 (250 MB once decoded) in a package of a few KB.
    bombs = {f"word{i}": png_header(7900, 7900) + b"x" * i for i in range(20)}
    bombs["fine"] = PNG
    package = picture_package(tmp_path, bombs)
    assert package.stat().st_size < 20 * 1024
    dest = tmp_path / "dest"
    result = import_obz(package, dest)
    board = result.board_set.home
    assert len(board.filled()) == 21  # every button is kept, with its label
    large = [s for s in result.skipped if s.reason is Skip.LARGE_IMAGE]
    assert sorted(s.item for s in large) == sorted(f"word{i}" for i in range(20))
    assert all("7900x7900" in s.detail for s in large)
    assert [c.image for c in board.filled() if c.image] == [content_rel(PNG)]
    assert sorted((dest / "images").iterdir()) == [dest / content_rel(PNG)]


@pytest.mark.parametrize(
    ("width", "height"), [(2501, 10), (10, 2501), (2500, 2500), (2000, 3200), (1, 1)]
)
def test_picture_size_limits_come_from_the_header(width, height):
    data = png_header(width, height)
    if width <= 2500 and height <= 2500 and width * height <= 2500 * 2500:
        assert pictures.check_picture(data) == "image/png"
    else:
        with pytest.raises(pictures.PictureTooLargeError, match=f"{width}x{height}"):
            pictures.check_picture(data)


def test_damaged_and_unknown_pictures_are_reported_not_kept(tmp_path):
    truncated = PNG[:-8]
    svg_bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&a;</svg>'
    )
    huge_svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>'
    package = picture_package(
        tmp_path,
        {"cut": truncated, "text": b"hello", "dtd": svg_bomb, "wide": huge_svg, "ok": PNG},
    )
    result = import_obz(package, tmp_path / "dest")
    reasons = {s.item: s.reason for s in result.skipped}
    assert reasons == {
        "cut": Skip.BAD_IMAGE,
        "text": Skip.BAD_IMAGE,
        "dtd": Skip.BAD_IMAGE,
        "wide": Skip.LARGE_IMAGE,
    }
    assert result.board_set.home.find_cell("b4").image == content_rel(PNG)


def test_an_import_never_overwrites_existing_files(tmp_path):
    dest = tmp_path / "boards"
    (dest / "images").mkdir(parents=True)
    # The user's own picture, with the name the old import used, and a file squatting the
    # content-addressed name of the package's picture with other bytes.
    mine = make_png(rgb=(9, 9, 9))
    (dest / "images" / "root-i1.png").write_bytes(mine)
    squatter = dest / content_rel(PNG)
    squatter.write_bytes(b"not the package's picture")
    before = {p: p.read_bytes() for p in (dest / "images").iterdir()}
    result = import_board_file(cboard_like_package(tmp_path), dest)
    for path, data in before.items():
        assert path.read_bytes() == data
    cell = result.board_set.home.cell_at(0, 0)
    assert cell.image != content_rel(PNG) and (dest / cell.image).read_bytes() == PNG
    assert all(p not in before for p in result.images_written)
    # The same package again writes nothing new: the pictures are already there.
    again = import_board_file(cboard_like_package(tmp_path), dest)
    assert again.images_written == []
    assert again.board_set.home.cell_at(0, 0).image == cell.image


def test_an_embedded_arasaac_picture_never_reaches_the_pictogram_cache(tmp_path):
    """An OBZ that ships its own PNG for an ARASAAC id used to replace that pictogram in the
    shared cache; now the cell keeps the id and the cache is left to the ARASAAC client."""
    fake = make_png(rgb=(255, 0, 255))
    url = "https://static.arasaac.org/pictograms/6625/6625_500.png"
    board = {"format": "open-board-0.1", "id": "x", "name": "X",
             "buttons": [{"id": "1", "label": "yo", "image_id": "a"}],
             "grid": {"rows": 1, "columns": 1, "order": [["1"]]},
             "images": [{"id": "a", "path": "images/a.png", "content_type": "image/png",
                         "url": url}]}  # fmt: skip
    manifest = {"format": "open-board-0.1", "root": "boards/x.obf"}
    package = write_zip(
        tmp_path / "arasaac.obz",
        {"manifest.json": json.dumps(manifest), "boards/x.obf": json.dumps(board),
         "images/a.png": fake},
    )  # fmt: skip
    cache_writes: list[int] = []
    result = import_board_file(
        package, tmp_path / "dest", pictogram_sink=lambda pid, data: cache_writes.append(pid)
    )
    cell = result.board_set.home.find_cell("1")
    assert cell.pictogram_id == 6625 and cell.image is None
    assert cache_writes == [] and result.images_written == []


def test_symbolic_links_in_a_package_are_refused(tmp_path):
    package = cboard_like_package(tmp_path)
    with zipfile.ZipFile(package, "a") as zf:
        info = zipfile.ZipInfo("images/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    dest = tmp_path / "dest"
    with pytest.raises(ObfError, match="symbolic link"):
        import_obz(package, dest)
    assert not dest.exists()


def test_stored_pictures_resolve_only_inside_the_folder(tmp_path):
    rel, created = pictures.store_picture(tmp_path, PNG, "image/png")
    assert created and rel == content_rel(PNG)
    assert pictures.picture_path(tmp_path, rel) == (tmp_path / rel).resolve()
    assert pictures.store_picture(tmp_path, PNG, "image/png") == (rel, False)
    (tmp_path.parent / "secret.png").write_bytes(PNG)
    for bad in ("../secret.png", "/etc/passwd", "images\\..\\x.png", "images/missing.png"):
        assert pictures.picture_path(tmp_path, bad) is None
