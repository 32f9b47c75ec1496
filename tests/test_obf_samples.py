"""Real Open Board Format files written by other apps (the reference implementation's samples in
../shared/data/obf-samples/, read by path): every one imports, what cannot be kept is reported
per item, the pictures that came with them are kept, and they survive our OBZ round trip."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import pytest

from app.boards.model import BoardSet
from app.boards.obf import ImportResult, Skip, export_obz, import_board_file

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "obf-samples"


class Counts(NamedTuple):
    boards: int
    cells: int
    links: int
    images: int


def counts(board_set: BoardSet) -> Counts:
    cells = [cell for _, cell in board_set.iter_cells()]
    return Counts(
        len(board_set.boards),
        len(cells),
        sum(cell.link is not None for cell in cells),
        sum(cell.image is not None for cell in cells),
    )


# What each file holds (its README, and the files themselves) and what cannot be kept from it.
EXPECTED = {
    # One board: an SVG embedded as a data URL (kept) and an image that is only a web link.
    "simple.obf": (Counts(1, 2, 0, 1), {Skip.WEB_IMAGE: 1}),
    # One board, 18 buttons with web images; 2 open boards a single file cannot hold.
    "aboutme.json": (Counts(1, 18, 0, 0), {Skip.WEB_IMAGE: 18, Skip.EXTERNAL_LINK: 2}),
    "links.obz": (Counts(3, 6, 2, 0), {}),
    # 81 boards, 1,007 buttons; 174 links of which 15 go to boards not in the package; 926
    # buttons name pictures ("icons/...png") the package does not hold.
    "pageset.obz": (Counts(81, 1007, 159, 0), {Skip.EXTERNAL_LINK: 15, Skip.MISSING_IMAGE: 926}),
    # 98 boards, 1,405 buttons: 2 space-bar keys labelled " " with no picture are skipped.
    "deep_simple.zip": (Counts(98, 1403, 232, 0), {Skip.WEB_IMAGE: 1354, Skip.BLANK: 2}),
}


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"OBF samples are not at {SAMPLES} (../shared/data/obf-samples)")
    return path


def imported(name: str, dest: Path) -> ImportResult:
    return import_board_file(sample(name), dest)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_imports_and_reports_what_it_skipped(tmp_path, name):
    expected_counts, expected_skips = EXPECTED[name]
    result = imported(name, tmp_path / "boards")
    result.board_set.validate()
    assert counts(result.board_set) == expected_counts
    assert result.skipped_by_reason() == expected_skips
    for item in result.skipped:  # per item: which board, which button
        assert item.board and item.item and str(item)
    # Every picture a cell names is a file this import wrote under its content's name.
    for _, cell in result.board_set.iter_cells():
        if cell.image is not None:
            data = (tmp_path / "boards" / cell.image).read_bytes()
            assert Path(cell.image).stem == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_round_trip_through_our_obz_keeps_boards_cells_links_and_images(tmp_path, name):
    first = imported(name, tmp_path / "first")
    package = tmp_path / "again.obz"
    export_obz(first.board_set, package, base_dir=tmp_path / "first")
    second = import_board_file(package, tmp_path / "second")
    assert counts(second.board_set) == counts(first.board_set) == EXPECTED[name][0]
    assert second.skipped == []  # what was kept the first time maps completely
    before = {c.id: c for _, c in first.board_set.iter_cells()}
    for _, cell in second.board_set.iter_cells():
        if cell.image is not None:  # the same bytes under the same name
            assert cell.image == before[cell.id].image
            first_bytes = (tmp_path / "first" / cell.image).read_bytes()
            assert (tmp_path / "second" / cell.image).read_bytes() == first_bytes


def test_the_embedded_picture_is_kept_and_the_web_one_reported(tmp_path):
    doc = json.loads(sample("simple.obf").read_text(encoding="utf-8"))
    embedded = doc["images"][0]["data"].split(",", 1)[1]
    svg = base64.b64decode(embedded)
    result = imported("simple.obf", tmp_path)
    board = result.board_set.home
    kids, cat = board.cell_at(0, 0), board.cell_at(1, 1)
    assert (kids.label, kids.vocalization) == ("kids", "children")
    assert kids.image == f"images/{hashlib.sha256(svg).hexdigest()}.svg"
    assert (tmp_path / kids.image).read_bytes() == svg
    assert result.images_written == [tmp_path / kids.image]
    assert cat.label == "cat" and cat.image is None
    [web] = result.skipped
    assert (web.reason, web.board, web.item) == (Skip.WEB_IMAGE, "Simple Images Board", "cat")
    assert web.detail.startswith("https://")


def test_links_outside_the_package_are_dropped_per_button(tmp_path):
    result = imported("pageset.obz", tmp_path)
    board_set = result.board_set
    assert board_set.root == "toppage"
    external = [s for s in result.skipped if s.reason is Skip.EXTERNAL_LINK]
    assert len(external) == 15
    by_board = {board.name: board for board in board_set.boards.values()}
    for item in external:
        cells = [c for c in by_board[item.board].filled() if c.label == item.item]
        assert cells and all(c.link is None for c in cells)  # the button stays, as a word
        assert item.detail.startswith("boards/")
    assert {s.item for s in external} >= {"My DVD's", "ice cream", "I have a pain in my"}


def test_blank_space_keys_are_skipped_and_their_boards_kept(tmp_path):
    result = imported("deep_simple.zip", tmp_path)
    blank = [s for s in result.skipped if s.reason is Skip.BLANK]
    assert sorted(s.board for s in blank) == ["CommuniKate More Spelling", "CommuniKate Spelling"]
    names = {board.name for board in result.board_set.boards.values()}
    assert {"CommuniKate More Spelling", "CommuniKate Spelling"} <= names
    assert all(c.label.strip() or c.image for _, c in result.board_set.iter_cells())
